"""The sources area: where claims appear, and how reliable each source is."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from counterclaim.models import Annotation, Source
from counterclaim.services.catalogue import sources as service
from counterclaim.services.claims import evidence
from counterclaim.services.claims.editing import EditConflict

from .. import edits
from ..access import check_may_change, requires
from ..confirm import delete_after_confirmation
from ..database import get_or_404, get_session
from ..evidence.forms import NoteForm
from ..identity import current_analyst
from ..pagination import page_before, page_request
from .forms import EditSourceForm, SourceFilterForm, SourceForm

bp = Blueprint("sources", __name__, url_prefix="/sources")


@bp.get("/")
@requires("viewer")
def index():
    form = SourceFilterForm(request.args)
    if not form.validate():
        return render_template("sources/list.html", form=form, page=None), 400
    after, size = page_request()
    filters = service.SourceFilters(
        text=form.q.data or None, reliability=form.reliability.data or None,
        kind=form.kind.data or None,
    )  # fmt: skip
    page = service.list_sources(
        get_session(),
        filters,
        sort=form.sort.data or service.DEFAULT_SORT,
        after=after,
        size=size,
        before=page_before(),
    )
    return render_template("sources/list.html", form=form, page=page)


@bp.get("/<int:source_id>")
@requires("viewer")
def detail(source_id: int):
    session = get_session()
    source = service.source_with_publisher(session, source_id)
    if source is None:
        abort(404, description=f"There is no source #{source_id}.")
    notes = session.scalars(
        select(Annotation).where(Annotation.source_id == source_id)
        .options(joinedload(Annotation.author)).order_by(Annotation.id)
    )  # fmt: skip
    return render_template(
        "sources/detail.html", source=source,
        appearances=service.source_appearances(session, source_id),
        notes=list(notes), note_form=NoteForm(),
    )  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@requires("analyst")
def create():
    session = get_session()
    form = SourceForm().fill(session)
    if not form.validate_on_submit():
        status = form.http_status
        return render_template("sources/form.html", form=form, source=None), status
    source = service.create_source(session, **form.data)
    session.commit()
    flash("Source recorded.", "success")
    return redirect(url_for("sources.detail", source_id=source.id))


@bp.route("/<int:source_id>/edit", methods=["GET", "POST"])
@requires("analyst")
def edit(source_id: int):
    session = get_session()
    source = get_or_404(Source, source_id)
    check_may_change(source)
    form = EditSourceForm(obj=source).fill(session)
    edits.start(form, service.source_values(source))
    if not form.validate_on_submit():
        status = form.http_status
        return render_template("sources/form.html", form=form, source=source), status
    values = {k: v for k, v in form.data.items() if k in service.SOURCE_FIELDS}
    try:
        merged = service.update_source(
            session, source, form.version.data, base=edits.base_of(form), keep=edits.kept(form),
            **values,
        )  # fmt: skip
    except EditConflict as conflict:
        session.rollback()
        edits.show_conflict(form, conflict)
        return render_template(
            "sources/form.html", form=form, source=source, conflict=conflict
        ), 409
    except StaleDataError:
        session.rollback()
        flash(edits.SAVED_AT_THE_SAME_MOMENT, "error")
        return render_template("sources/form.html", form=form, source=source), 409
    session.commit()
    flash(edits.saved_message("Source", merged, form), "success")
    return redirect(url_for("sources.detail", source_id=source.id))


@bp.route("/<int:source_id>/delete", methods=["GET", "POST"])
@requires("editor")
def delete(source_id: int):
    source = get_or_404(Source, source_id)
    return delete_after_confirmation(
        source, service.delete_source, template="sources/delete.html",
        context={"source": source}, deleted="Source deleted.", done_url=url_for("sources.index"),
        refused_url=url_for("sources.detail", source_id=source_id),
    )  # fmt: skip


@bp.post("/<int:source_id>/notes")
@requires("analyst")
def annotate(source_id: int):
    session = get_session()
    source = get_or_404(Source, source_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return render_template("sources/note.html", source=source, form=form), 400
    evidence.add_note(session, current_analyst(), form.body.data, source=source)
    session.commit()
    flash("Note added.", "success")
    return redirect(url_for("sources.detail", source_id=source.id, _anchor="notes"))
