"""The cross-reference area: link a claim to the claims that contradict, support or
qualify it, found by typing part of their text."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from counterclaim.models import Claim, ClaimLink
from counterclaim.services.claims import links as service
from counterclaim.services.errors import DomainError

from .. import edits
from ..access import check_may_change, requires
from ..confirm import delete_after_confirmation
from ..database import get_or_404, get_session
from ..params import id_arg
from .forms import EditLinkForm, LinkForm

bp = Blueprint("links", __name__, url_prefix="/claims")


@bp.route("/<int:claim_id>/links/new", methods=["GET", "POST"])
@requires("analyst")
def create(claim_id: int):
    session = get_session()
    claim = get_or_404(Claim, claim_id)
    # A search without script submits the form by GET: keep what was typed.
    form = LinkForm(request.args) if request.method == "GET" else LinkForm()
    if form.validate_on_submit():
        target = session.get(Claim, form.target_id.data)
        if target is None:
            form.target_id.errors.append("That claim no longer exists; search again.")
        else:
            try:
                service.link_claims(
                    session, claim, target, form.relation.data,
                    strength=form.strength.data, rationale=form.rationale.data,
                )  # fmt: skip
            except DomainError as refusal:
                session.rollback()
                form.target_id.errors.append(str(refusal))
            else:
                session.commit()
                flash("Linked.", "success")
                return redirect(url_for("claims.detail", claim_id=claim.id))
    candidates = service.find_claims(session, form.q.data or "", exclude_id=claim.id)
    chosen = session.get(Claim, form.target_id.data) if form.target_id.data else None
    if chosen is not None and chosen not in candidates:
        candidates.insert(0, chosen)
    status = 400 if form.is_submitted() else 200
    return render_template("links/form.html", claim=claim, form=form, candidates=candidates), status


@bp.get("/picker")
@requires("viewer")
def picker():
    """Return the claims matching `q` as picker choices (an HTML fragment)."""
    exclude = id_arg("exclude", "claim")
    query = request.args.get("q", "")[:200]
    session = get_session()
    candidates = service.find_claims(session, query, exclude_id=exclude)
    selected = id_arg("selected", "claim")
    chosen = session.get(Claim, selected) if selected else None
    if chosen is not None and chosen not in candidates:
        candidates.insert(0, chosen)
    return render_template(
        "links/_candidates.html", candidates=candidates, query=query, selected=selected
    )


@bp.route("/<int:claim_id>/links/<int:link_id>/delete", methods=["GET", "POST"])
@requires("analyst")
def delete(claim_id: int, link_id: int):
    link = get_or_404(ClaimLink, link_id)
    if claim_id not in (link.from_claim_id, link.to_claim_id):
        abort(404, description=f"Claim #{claim_id} has no link #{link_id}.")
    check_may_change(link)
    back = url_for("claims.detail", claim_id=claim_id)
    return delete_after_confirmation(
        link, service.unlink, template="links/delete.html",
        context={"link": link, "claim_id": claim_id}, deleted="Link removed.",
        done_url=back, refused_url=back,
    )  # fmt: skip


@bp.route("/<int:claim_id>/links/<int:link_id>/edit", methods=["GET", "POST"])
@requires("analyst")
def edit(claim_id: int, link_id: int):
    link = get_or_404(ClaimLink, link_id)
    if claim_id not in (link.from_claim_id, link.to_claim_id):
        abort(404, description=f"Claim #{claim_id} has no link #{link_id}.")
    check_may_change(link)
    form = EditLinkForm(obj=link)
    values = {name: getattr(link, name) for name in service.LINK_FIELDS}

    def save(base, keep):
        return service.update_link(
            get_session(), link, form.version.data, base=base, keep=keep,
            **{name: form[name].data for name in service.LINK_FIELDS},
        )  # fmt: skip

    return edits.merged_edit(
        form, values, save, template="links/edit.html",
        context={"link": link, "claim_id": claim_id}, what="Link",
        done_url=url_for("claims.detail", claim_id=claim_id), refused_field="relation",
    )  # fmt: skip
