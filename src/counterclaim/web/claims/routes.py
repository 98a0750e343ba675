"""The claims area: the list, a claim's page, and entering, editing and deleting claims."""

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from counterclaim.models import Actor, Claim, Source, Tag
from counterclaim.services.claims import claims as service
from counterclaim.services.claims import evidence, facets, links, merging, outcomes
from counterclaim.services.claims.editing import EditConflict
from counterclaim.services.errors import DomainError
from counterclaim.services.exchange import jsonld

from .. import edits
from ..access import check_may_change, requires
from ..confirm import delete_after_confirmation
from ..database import get_or_404, get_session
from ..pagination import page_before, page_request
from ..params import id_arg
from .forms import ClaimFilterForm, EditClaimForm, MergeForm, NewClaimForm

bp = Blueprint("claims", __name__, url_prefix="/claims")


@bp.get("/")
@requires("viewer")
def index():
    session = get_session()
    form = ClaimFilterForm(request.args).fill(session)
    if not form.validate():
        return render_template(
            "claims/list.html",
            form=form,
            page=None,
            counts={},
            disputed=set(),
            consensus={},
            reliability={},
        ), 400
    after, size = page_request()
    filters = _filters(form)
    page = service.list_claims(
        session,
        filters,
        sort=form.sort.data or service.DEFAULT_SORT,
        after=after,
        size=size,
        before=page_before(),
    )
    beside = service.beside(session, [c.id for c in page.items])
    source = session.get(Source, form.source.data) if form.source.data else None
    claimant = session.get(Actor, form.claimant.data) if form.claimant.data else None
    return render_template(
        "claims/list.html", form=form, page=page, counts=beside.contradictions,
        disputed=beside.disputed, source=source, claimant=claimant,
        facets=_facets(session, filters), consensus=beside.consensus,
        reliability=beside.best_reliability,
    )  # fmt: skip


FACET_SETS = 256  # sets of filters whose facets are kept


def _facets(session, filters: service.ClaimFilters) -> facets.Facets:
    """Return the facets of `filters`, counted again once they are FACETS_SECONDS old.

    Kept per set of filters (the most recently counted FACET_SETS), in this process.
    """
    max_age = current_app.config["FACETS_SECONDS"]
    if not max_age:
        return facets.claim_facets(session, filters)
    cache = current_app.extensions.setdefault("counterclaim.facets", {})
    key = tuple(sorted(vars(filters).items()))
    kept = cache.get(key)
    if kept is None or time.monotonic() - kept[0] > max_age:
        if len(cache) >= FACET_SETS:
            cache.pop(min(cache, key=lambda k: cache[k][0]), None)
        kept = cache[key] = (time.monotonic(), facets.claim_facets(session, filters))
    return kept[1]


def _filters(form: ClaimFilterForm) -> service.ClaimFilters:
    return service.ClaimFilters(
        text=form.q.data or None,
        claimant_id=form.claimant.data,
        claimant_name=form.claimant_name.data or None,
        tag_id=form.tag.data,
        status=form.status.data or None,
        stated_from=form.stated_from.data,
        stated_to=form.stated_to.data,
        source_id=form.source.data,
        min_reliability=form.reliability.data or None,
        disagreement=form.disagreement.data or None,
        year=form.year.data or None,
        credibility=form.credibility.data or None,
        claimant_false_min=form.claimant_false_min.data,
    )


@bp.get("/<int:claim_id>")
@requires("viewer")
def detail(claim_id: int):
    dossier = service.claim_dossier(get_session(), claim_id)
    if dossier is None:
        abort(404, description=f"There is no claim #{claim_id}.")
    median = dossier.consensus["credibility_median"] if dossier.consensus else None
    review = jsonld.loaded_claim_review(
        dossier.claim, median, organisation=current_app.config["ORGANISATION"],
        url=url_for("claims.detail", claim_id=claim_id, _external=True),
    )  # fmt: skip
    return render_template(
        "claims/detail.html", dossier=dossier, claim=dossier.claim, claimreview=review
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("analyst")
def create():
    session = get_session()
    source_id = id_arg("source", "source")
    form = NewClaimForm(source_id=source_id).fill(session)
    if not form.validate_on_submit():
        return render_template("claims/form.html", form=form, claim=None), form.http_status
    claim = service.create_claim(session, tags=_chosen_tags(session, form), **form.data)
    if form.source_id.data:
        evidence.attach_source(
            session, claim, session.get(Source, form.source_id.data), excerpt=form.excerpt.data,
            locator=form.locator.data, stance=form.stance.data,
        )  # fmt: skip
    session.commit()
    flash("Claim recorded.", "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))


@bp.route("/<int:claim_id>/edit", methods=["GET", "POST"])
@requires("analyst")
def edit(claim_id: int):
    session = get_session()
    claim = get_or_404(Claim, claim_id)
    check_may_change(claim)
    form = EditClaimForm(obj=claim, tag_ids=[t.id for t in claim.tags]).fill(session)
    edits.start(form, service.claim_values(claim))
    if not form.validate_on_submit():
        return render_template("claims/form.html", form=form, claim=claim), form.http_status
    values = {k: v for k, v in form.data.items() if k in service.CLAIM_FIELDS}
    try:
        merged = service.update_claim(
            session, claim, form.version.data, tags=_chosen_tags(session, form),
            base=edits.base_of(form), keep=edits.kept(form), **values,
        )  # fmt: skip
    except EditConflict as conflict:
        session.rollback()
        edits.show_conflict(form, conflict)
        return render_template("claims/form.html", form=form, claim=claim, conflict=conflict), 409
    except StaleDataError:
        session.rollback()
        flash(edits.SAVED_AT_THE_SAME_MOMENT, "error")
        return render_template("claims/form.html", form=form, claim=claim), 409
    session.commit()
    message = edits.saved_message("Claim", merged, form)
    # the save that settles a claim asks for its outcome (not a save merged with a
    # colleague's that settled it)
    settles = form.status.data == "settled" != (edits.base_of(form) or {}).get("status")
    if settles and not outcomes.outcome_history(session, claim.id):
        if current_user.has_role("editor"):
            flash(f"{message} It is settled: record its outcome.", "success")
            return redirect(url_for("corroboration.settle", claim_id=claim.id))
        flash(f"{message} It is settled: an editor records its outcome.", "success")
        return redirect(url_for("claims.detail", claim_id=claim.id))
    flash(message, "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))


def _chosen_tags(session, form) -> list[Tag]:
    return [tag for tag_id in form.tag_ids.data or [] if (tag := session.get(Tag, tag_id))]


@bp.route("/<int:claim_id>/delete", methods=["GET", "POST"])
@requires("editor")
def delete(claim_id: int):
    claim = get_or_404(Claim, claim_id)
    return delete_after_confirmation(
        claim, service.delete_claim, template="claims/delete.html", context={"claim": claim},
        deleted="Claim deleted.", done_url=url_for("claims.index"),
        refused_url=url_for("claims.detail", claim_id=claim_id),
    )  # fmt: skip


@bp.route("/<int:claim_id>/merge", methods=["GET", "POST"])
@requires("editor")
def merge(claim_id: int):
    """Merge a duplicate into this claim: pick it by number, compare, confirm."""
    session = get_session()
    claim = get_or_404(Claim, claim_id)
    form = MergeForm(duplicate_id=id_arg("duplicate_id", "claim"))
    duplicate = session.get(Claim, form.duplicate_id.data) if form.duplicate_id.data else None
    valid = form.validate_on_submit() if request.method == "POST" else True
    if form.duplicate_id.data and duplicate is None:
        form.duplicate_id.errors = [f"There is no claim #{form.duplicate_id.data}."]
    elif request.method == "POST" and valid:
        try:
            report = merging.merge_claims(session, claim, duplicate)
        except DomainError as refusal:
            session.rollback()
            form.duplicate_id.errors = [str(refusal)]
        else:
            session.commit()
            flash(f"Merged claim #{duplicate.id} into this one. {report}", "success")
            return redirect(url_for("claims.detail", claim_id=claim.id))
    status = 400 if form.is_submitted() or form.duplicate_id.errors else 200
    query = request.args.get("q", "").strip()[:200]
    candidates = links.find_claims(session, query, exclude_id=claim.id, limit=20) if query else []
    return render_template(
        "claims/merge.html", claim=claim, duplicate=duplicate, form=form, query=query,
        candidates=candidates,
    ), status  # fmt: skip
