"""The evidence area: attach a claim to sources, assess it, and annotate it."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from counterclaim.models import Assessment, Claim, ClaimSource, Source
from counterclaim.services.claims import evidence as service
from counterclaim.services.errors import DomainError, StaleEdit

from .. import edits
from ..access import check_may_change, requires
from ..confirm import delete_after_confirmation
from ..database import get_or_404, get_session
from ..identity import current_analyst
from ..params import id_arg
from .forms import AppearanceForm, AssessmentForm, AttachSourceForm, NoteForm, WithdrawForm

bp = Blueprint("evidence", __name__, url_prefix="/claims")


@bp.route("/<int:claim_id>/sources/new", methods=["GET", "POST"])
@requires("analyst")
def attach(claim_id: int):
    session = get_session()
    claim = get_or_404(Claim, claim_id)
    form = AttachSourceForm(source_id=id_arg("source", "source"))
    form.fill_pickers(session)
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
    return render_template("evidence/attach.html", claim=claim, form=form), form.http_status


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
    # A new judgment starts from the analyst's standing one: correct what changed.
    last = service.last_assessment(session, claim, current_analyst())
    form = AssessmentForm(obj=last)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("evidence/assess.html", claim=claim, form=form, last=last), status
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
    if request.form.get("preview"):  # show the Markdown as it will read; save nothing
        return render_template("evidence/note.html", claim=claim, form=form, preview=True)
    service.add_note(session, current_analyst(), form.body.data, claim=claim)
    session.commit()
    flash("Note added.", "success")
    return redirect(url_for("claims.detail", claim_id=claim.id, _anchor="notes"))


@bp.route("/<int:claim_id>/sources/<int:appearance_id>/edit", methods=["GET", "POST"])
@requires("analyst")
def edit_appearance(claim_id: int, appearance_id: int):
    appearance = get_or_404(ClaimSource, appearance_id)
    if appearance.claim_id != claim_id:
        abort(404, description=f"Claim #{claim_id} has no such appearance.")
    check_may_change(appearance)
    form = AppearanceForm(obj=appearance)
    values = {name: getattr(appearance, name) for name in service.APPEARANCE_FIELDS}

    def save(base, keep):
        return service.update_appearance(
            get_session(), appearance, form.version.data, base=base, keep=keep,
            **{name: form[name].data for name in service.APPEARANCE_FIELDS},
        )  # fmt: skip

    return edits.merged_edit(
        form, values, save, template="evidence/appearance.html",
        context={"appearance": appearance}, what="Appearance",
        done_url=url_for("claims.detail", claim_id=claim_id), refused_field="locator",
    )  # fmt: skip


@bp.route("/<int:claim_id>/assessments/<int:assessment_id>/withdraw", methods=["GET", "POST"])
@requires("analyst")
def withdraw(claim_id: int, assessment_id: int):
    """Ask, then withdraw an assessment: it stays, marked, and leaves the consensus."""
    session = get_session()
    assessment = get_or_404(Assessment, assessment_id)
    if assessment.claim_id != claim_id:
        abort(404, description=f"Claim #{claim_id} has no assessment #{assessment_id}.")
    check_may_change(assessment)
    form = WithdrawForm(version=assessment.version)
    back = url_for("claims.detail", claim_id=claim_id, _anchor="assessments")
    if form.validate_on_submit():
        try:
            service.withdraw_assessment(session, assessment, current_analyst(), form.version.data)
        except (StaleEdit, DomainError) as refusal:
            session.rollback()
            flash(str(refusal), "error")
            return redirect(back)
        session.commit()
        flash("Assessment withdrawn. It stays in the record and counts in no consensus.", "success")
        return redirect(back)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "evidence/withdraw.html", assessment=assessment, form=form, back=back
    ), status
