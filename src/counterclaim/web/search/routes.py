"""The search page, and the similar claims the new-claim form suggests as one types."""

from flask import Blueprint, render_template, request

from counterclaim.services.search import search as service

from ..access import requires
from ..database import get_session
from ..params import id_arg
from .forms import SearchForm

bp = Blueprint("search", __name__, url_prefix="/search")

OVERVIEW_PER_KIND = 5
PER_PAGE = 20


@bp.get("/")
@requires("viewer")
def index():
    form = SearchForm(request.args)
    if not form.validate():
        return render_template("search/index.html", form=form, results=None), 400
    kinds = [form.kind.data] if form.kind.data else None
    results = service.search(
        get_session(), form.q.data or "", kinds=kinds, page=form.page.data or 1,
        per_page=PER_PAGE if kinds else OVERVIEW_PER_KIND,
    )  # fmt: skip
    return render_template("search/index.html", form=form, results=results)


@bp.get("/similar")
@requires("viewer")
def similar():
    """Return the claims whose text resembles `text` (an HTML fragment for the claim form)."""
    text = request.args.get("text", "")[:2_000]
    exclude = id_arg("exclude", "claim")
    hits = service.similar_claims(get_session(), text, exclude_id=exclude)
    source = id_arg("source", "source")
    return render_template("search/_similar.html", hits=hits, source=source)
