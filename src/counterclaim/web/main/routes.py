"""The home page and the vocabulary reference."""

import time

from flask import Blueprint, current_app, render_template

from counterclaim.services import overview

from ..access import requires
from ..database import get_session

bp = Blueprint("main", __name__)


@bp.get("/")
@requires("viewer")
def index():
    session = get_session()
    return render_template(
        "main/index.html", totals=_totals(session),
        contradictions=overview.latest_contradictions(session),
        recent=overview.latest_claims(session),
    )  # fmt: skip


def _totals(session) -> overview.Totals:
    """Return the row counts, counted again once they are TOTALS_SECONDS old."""
    cache = current_app.extensions.setdefault("counterclaim.totals", {})
    max_age = current_app.config["TOTALS_SECONDS"]
    if not cache or time.monotonic() - cache["at"] > max_age:
        cache.update(totals=overview.count_totals(session), at=time.monotonic())
    return cache["totals"]


@bp.get("/vocabulary")
@requires("viewer")
def vocabulary():
    return render_template("main/vocabulary.html")
