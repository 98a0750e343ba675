"""The history area: who changed what, a record's revisions as diffs, and restore."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from counterclaim.services.accounts import history as service
from counterclaim.services.errors import DomainError, StaleEdit

from ..access import requires
from ..database import get_session
from ..fields import VersionField
from .forms import HistoryFilterForm

bp = Blueprint("audit", __name__, url_prefix="/history")

ENTITY = "<any(" + ", ".join(service.ENTITIES) + "):entity>"
ADMIN_ONLY = {"users"}  # who has which account and role is the admins' business


def _readable() -> tuple[str, ...]:
    if current_user.has_role("admin"):
        return service.ENTITIES
    return tuple(e for e in service.ENTITIES if e not in ADMIN_ONLY)


@bp.get("/")
@requires("viewer")
def recent():
    """Recent changes, newest first, paged and filtered by kind, action, person and day."""
    session = get_session()
    readable = _readable()
    form = HistoryFilterForm(request.args).fill(session, readable)
    if not form.validate():
        page = service.RevisionPage()
        return render_template(
            "audit/recent.html", form=form, page=page, tag_names={}, names={}
        ), 400
    entity = form.entity.data or None
    page = service.recent_page(
        session, entities=(entity,) if entity else readable, action=form.action.data or None,
        user_id=form.user.data, since=form.since.data, until=form.until.data,
        older_than=form.older.data, newer_than=form.newer.data,
    )  # fmt: skip
    return render_template(
        "audit/recent.html", form=form, page=page,
        tag_names=service.tag_names(session, page.items),
        names=service.names_of(session, page.items),
    )  # fmt: skip


@bp.get(f"/{ENTITY}/<int:entity_id>")
@requires("viewer")
def record(entity: str, entity_id: int):
    if entity not in _readable():
        abort(403, description="The history of accounts is for administrators.")
    session = get_session()
    revisions = service.history(session, entity, entity_id)
    if not revisions:
        abort(404, description=f"No history of {entity} #{entity_id}.")
    # A claim's History tab also shows its links, appearances, assessments and notes.
    parts = service.claim_history(session, entity_id) if entity == "claims" else []
    parts = [r for r in parts if r.entity != "claims"]
    current = session.get(service.MODELS[entity], entity_id)
    return render_template(
        "audit/record.html", entity=entity, entity_id=entity_id, revisions=revisions,
        current=current, restorable=entity in service.RESTORABLE and current is not None,
        state=service.replay(revisions) or service.replay(revisions[:-1]),
        tag_names=service.tag_names(session, revisions), parts=parts,
        names=service.names_of(session, revisions + parts),
    )  # fmt: skip


@bp.route(f"/{ENTITY}/<int:entity_id>/restore/<int:revision_id>", methods=["GET", "POST"])
@requires("editor")
def restore(entity: str, entity_id: int, revision_id: int):
    """Show what restoring a version would change (GET), and restore it when confirmed."""
    session = get_session()
    if revision_id not in {r.id for r in service.history(session, entity, entity_id)}:
        abort(404, description=f"There is no revision #{revision_id} of {entity} #{entity_id}.")
    back = url_for("audit.record", entity=entity, entity_id=entity_id)
    try:
        plan = service.restore_plan(session, entity, entity_id, revision_id)
    except DomainError as refusal:
        flash(str(refusal), "error")
        return redirect(back)
    form = RestoreForm(version=plan.record.version)
    stale = False
    if form.validate_on_submit():
        try:
            service.restore(
                session, entity, entity_id, revision_id, expected_version=form.version.data
            )
        except StaleEdit:
            session.rollback()
            stale = True
            form.version.errors.append(
                "Someone saved this record since you opened this page: "
                "here is what the restore would change now."
            )
            plan = service.restore_plan(session, entity, entity_id, revision_id)
            form.version.data = plan.record.version
        except DomainError as refusal:
            session.rollback()
            flash(str(refusal), "error")
            return redirect(back)
        else:
            session.commit()
            flash(f"Restored the version of revision #{revision_id}.", "success")
            return redirect(back)
    status = 409 if stale else (400 if form.is_submitted() else 200)
    return render_template(
        "audit/restore.html", entity=entity, entity_id=entity_id, revision_id=revision_id,
        plan=plan, form=form, back=back,
    ), status  # fmt: skip


class RestoreForm(FlaskForm):
    """Confirm a restore of the version the editor previewed."""

    version = VersionField()
