"""Derivations on a source's page, settling a claim with its outcome, report snapshots and
"changes since"; and the helpers the claim, source, actor and assessment pages include."""

import json

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from counterclaim import report_formats
from counterclaim.models import Actor, Claim, Source, SourceDerivation
from counterclaim.report_formats.origins import origins_svg, years_svg
from counterclaim.services.catalogue import derivations
from counterclaim.services.claims import outcomes
from counterclaim.services.errors import DomainError
from counterclaim.services.reports import changes
from counterclaim.services.reports.reports import ReportScope, ScopeError, build_report
from counterclaim.services.rigour import corroboration, track_records

from ..access import check_may_change, requires
from ..confirm import delete_after_confirmation
from ..database import get_or_404, get_session
from ..fields import MAX_FILTER_CHARS
from ..identity import current_analyst
from .forms import DerivationForm, OutcomeForm

bp = Blueprint("corroboration", __name__)

PICKER_SIZE = 20


@bp.app_context_processor
def helpers():
    """Give the claim, source, actor and assessment pages their sections' data."""
    return {
        "corroboration_of": _corroboration_of,
        "track_record_of": _track_record_of,
        "derivations_of": lambda source: derivations.derivations_of(get_session(), source.id),
        "one_warning": corroboration.one_warning,
    }


def _corroboration_of(claim: Claim, dossier=None) -> dict:
    """The claim's corroboration; with the claim page's dossier, its judgments are reused."""
    session = get_session()
    found = corroboration.corroboration(session, claim)
    judged = None
    if dossier is not None:
        median = dossier.consensus["credibility_median"] if dossier.consensus else None
        judged = (median, [a.credibility for a in dossier.current_assessments])
    warning = corroboration.credibility_one_warning(
        session, claim, found.independent_origins, judged
    )
    return {"found": found, "svg": origins_svg(found), "warning": warning,
            "outcomes": outcomes.outcome_history(session, claim.id)}  # fmt: skip


def _track_record_of(actor: Actor) -> dict:
    """The actor's record and chart, read once per request (its claim count heads the page)."""
    kept = g.setdefault("track_records", {})
    if actor.id not in kept:
        record = track_records.track_record(get_session(), actor.id)
        kept[actor.id] = {"record": record, "svg": years_svg(record.by_year)}
    return kept[actor.id]


# --- derivations ---------------------------------------------------------------------------


@bp.route("/sources/<int:source_id>/derivations/new", methods=["GET", "POST"])
@requires("analyst")
def derive(source_id: int):
    session = get_session()
    source = get_or_404(Source, source_id)
    form = DerivationForm(request.form if request.method == "POST" else request.args)
    query = select(Source.id, Source.title).where(Source.id != source_id)
    for word in (form.q.data or "")[:MAX_FILTER_CHARS].split()[:8]:
        query = query.where(Source.title.icontains(word, autoescape=True))
    found = list(session.execute(query.order_by(Source.id.desc()).limit(PICKER_SIZE)))
    chosen = form.derived_from_id.data if request.method == "POST" else None
    if chosen and all(row[0] != chosen for row in found) and session.get(Source, chosen):
        found.insert(0, (chosen, session.get(Source, chosen).title))
    form.derived_from_id.choices = [(row[0], f"#{row[0]} {row[1]}") for row in found]
    if request.method == "POST" and form.validate():
        try:
            derivations.add_derivation(
                session, source, session.get(Source, form.derived_from_id.data), form.kind.data
            )
        except DomainError as refusal:
            session.rollback()
            form.derived_from_id.errors = [str(refusal)]
        else:
            session.commit()
            flash("Derivation recorded.", "success")
            return redirect(url_for("sources.detail", source_id=source.id) + "#derivations")
    status = 400 if request.method == "POST" else 200
    return render_template("sources/derive.html", source=source, form=form), status


@bp.route("/sources/<int:source_id>/derivations/<int:derivation_id>/delete",
          methods=["GET", "POST"])  # fmt: skip
@requires("analyst")
def underive(source_id: int, derivation_id: int):
    derivation = get_or_404(SourceDerivation, derivation_id)
    if source_id not in (derivation.source_id, derivation.derived_from_id):
        abort(404, description=f"Source #{source_id} has no such derivation.")
    check_may_change(derivation)
    back = url_for("sources.detail", source_id=source_id) + "#derivations"
    return delete_after_confirmation(
        derivation, derivations.remove_derivation, template="sources/underive.html",
        context={"derivation": derivation, "source_id": source_id}, deleted="Derivation removed.",
        done_url=back, refused_url=back,
    )  # fmt: skip


# --- settling a claim ----------------------------------------------------------------------


@bp.route("/claims/<int:claim_id>/settle", methods=["GET", "POST"])
@requires("editor")
def settle(claim_id: int):
    session = get_session()
    claim = get_or_404(Claim, claim_id)
    median = outcomes.consensus_median(session, claim.id)
    proposed = outcomes.outcome_for(median)
    form = OutcomeForm(outcome=proposed)
    if form.validate_on_submit():
        try:
            outcomes.settle_claim(session, claim, form.outcome.data, form.rationale.data,
                                  by=current_analyst().id)  # fmt: skip
        except DomainError as refusal:
            session.rollback()
            form.outcome.errors = [str(refusal)]
        else:
            session.commit()
            flash("Claim settled; its outcome is recorded.", "success")
            return redirect(url_for("claims.detail", claim_id=claim.id) + "#corroboration")
    status = 400 if form.is_submitted() else 200
    return render_template("claims/settle.html", claim=claim, form=form, median=median,
                           proposed=proposed), status  # fmt: skip


# --- snapshots and changes since -----------------------------------------------------------


@bp.post("/reports/snapshots")
@requires("editor")
def snapshot():
    session = get_session()
    try:
        scope = ReportScope.from_params(request.args)
        built = build_report(session, scope)
    except ScopeError as error:
        abort(400, description=str(error))
    content = json.loads("".join(report_formats.render(built, "json")))
    saved = changes.save_snapshot(session, scope, content, by=current_analyst().id)
    session.commit()
    flash(f"Snapshot #{saved.id} saved: come back to see what changed since.", "success")
    return redirect(url_for("corroboration.changes_page", since=saved.id))


@bp.get("/reports/changes")
@requires("viewer")
def changes_page():
    session = get_session()
    since = request.args.get("since", "").strip()
    recent = changes.recent_snapshots(session)
    if not since:
        return render_template("reports/changes.html", error=None, found=None, snapshot=None,
                               since="", recent=recent)  # fmt: skip
    try:
        moment, snap = changes.parse_since(session, since)
        scope = changes.scope_of(snap) if snap else ReportScope.from_params(request.args)
        found = changes.changes_since(session, moment, scope)
    except (DomainError, ScopeError) as error:
        return render_template("reports/changes.html", error=str(error), found=None,
                               snapshot=None, since=since, recent=recent), 400  # fmt: skip
    return render_template("reports/changes.html", error=None, found=found, snapshot=snap,
                           since=since, recent=recent)  # fmt: skip
