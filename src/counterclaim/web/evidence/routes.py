"""The evidence area: attach a claim to sources, assess it, and annotate it."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from counterclaim.models import Claim, ClaimSource, Source
from counterclaim.services import evidence as service
from counterclaim.services import sources
from counterclaim.services.errors import DomainError

from ..access import check_may_change, requires
from ..confirm import delete_after_confirmation
from ..database import get_or_404, get_session
from ..fields import options
from ..identity import current_analyst
from ..params import id_arg
from .forms import AssessmentForm, AttachSourceForm, NoteForm

bp = Blueprint("evidence", __name__, url_prefix="/claims")


@bp.route("/<int:claim_id>/sources/new", methods=["GET", "POST"])
@requires("analyst")
def attach(claim_id: int):
    session = get_session()
    claim = get_or_404(Claim, claim_id)
    form = AttachSourceForm(source_id=id_arg("source", "source"))
    form.source_id.choices = options(
        sources.source_choices(session, include_id=form.source_id.data),
        blank="Choose the source…",
    )
    if form.validate_on_submit():
        source = session.get(Source, form.source_id.data)
        try:
            service.attach_source(
                session, claim, source, excerpt=form.excerpt.data,
                locator=form.locator.data, stance=form.stance.data,
            )  # fmt: skip
        except DomainError as refusal:
            session.rollback()
            form.locator.errors.append(str(refusal))
        else:
            session.commit()
            flash("Source attached.", "success")
            return redirect(url_for("claims.detail", claim_id=claim.id))
    status = 400 if form.is_submitted() else 200
    return render_template("evidence/attach.html", claim=claim, form=form), status


@bp.route("/<int:claim_id>/sources/<int:appearance_id>/delete", methods=["GET", "POST"])
@requires("analyst")
def detach(claim_id: int, appearance_id: int):
    appearance = get_or_404(ClaimSource, appearance_id)
    if appearance.claim_id != claim_id:
        abort(404, description=f"Claim #{claim_id} has no such appearance.")
    check_may_change(appearance)
    back = url_for("claims.detail", claim_id=claim_id)
    return delete_after_confirmation(
        appearance, service.detach_source, template="evidence/detach.html",
        context={"appearance": appearance}, deleted="Source detached.",
        done_url=back, refused_url=back,
    )  # fmt: skip


@bp.route("/<int:claim_id>/assessments/new", methods=["GET", "POST"])
@requires("analyst")
def assess(claim_id: int):
    session = get_session()
    claim = get_or_404(Claim, claim_id)
    form = AssessmentForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("evidence/assess.html", claim=claim, form=form), status
    service.record_assessment(
        session, claim, current_analyst(), credibility=form.credibility.data,
        confidence=form.confidence.data, rationale=form.rationale.data,
    )  # fmt: skip
    session.commit()
    flash("Assessment recorded.", "success")
    return redirect(url_for("claims.detail", claim_id=claim.id, _anchor="assessments"))


@bp.route("/<int:claim_id>/notes/new", methods=["GET", "POST"])
@requires("analyst")
def annotate(claim_id: int):
    session = get_session()
    claim = get_or_404(Claim, claim_id)
    form = NoteForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("evidence/note.html", claim=claim, form=form), status
    service.add_note(session, current_analyst(), form.body.data, claim=claim)
    session.commit()
    flash("Note added.", "success")
    return redirect(url_for("claims.detail", claim_id=claim.id, _anchor="notes"))
