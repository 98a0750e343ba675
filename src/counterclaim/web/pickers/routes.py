"""The record pickers' search as the analyst types: matching records as JSON."""

from flask import Blueprint, abort, jsonify, request

from counterclaim.services.catalogue import pickers

from ..access import requires
from ..database import get_session
from ..params import MAX_ID, id_arg

bp = Blueprint("pickers", __name__, url_prefix="/pick")


@bp.get("/<kind>")
@requires("viewer")
def find(kind: str):
    """Return the records of `kind` matching `q`, the `selected` ones first."""
    if kind not in pickers.KINDS:
        abort(404, description=f"There is no picker of {kind!r}.")
    selected = [i for i in request.args.getlist("selected", type=int) if 0 < i <= MAX_ID][:100]
    exclude = id_arg("exclude", kind)
    found = pickers.find(
        get_session(), kind, request.args.get("q", ""), include=selected, exclude=exclude
    )
    return jsonify(
        choices=[{"id": i, "label": label} for i, label in found.choices],
        more=found.more,
        limit=pickers.LIMIT,
    )
