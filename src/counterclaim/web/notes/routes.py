"""Notes: their authors (and editors) correct or delete them, on a claim or a source."""

from flask import Blueprint, url_for

from counterclaim.models import Annotation
from counterclaim.services.claims import evidence as service

from .. import edits
from ..access import check_may_change, requires
from ..confirm import delete_after_confirmation
from ..database import get_or_404, get_session
from ..evidence.forms import EditNoteForm

bp = Blueprint("notes", __name__, url_prefix="/notes")


def _subject_url(note: Annotation) -> str:
    if note.claim_id is not None:
        return url_for("claims.detail", claim_id=note.claim_id, _anchor="notes")
    return url_for("sources.detail", source_id=note.source_id)


@bp.route("/<int:note_id>/edit", methods=["GET", "POST"])
@requires("analyst")
def edit(note_id: int):
    note = get_or_404(Annotation, note_id)
    check_may_change(note)
    form = EditNoteForm(obj=note)

    def save(base, keep):
        return service.update_note(
            get_session(), note, form.version.data, base=base, keep=keep, body=form.body.data
        )

    return edits.merged_edit(
        form, {"body": note.body}, save, template="notes/edit.html",
        context={"note": note, "back": _subject_url(note)}, what="Note",
        done_url=_subject_url(note), refused_field="body",
    )  # fmt: skip


@bp.route("/<int:note_id>/delete", methods=["GET", "POST"])
@requires("analyst")
def delete(note_id: int):
    note = get_or_404(Annotation, note_id)
    check_may_change(note)
    back = _subject_url(note)
    return delete_after_confirmation(
        note, service.delete_note, template="notes/delete.html",
        context={"note": note, "back": back}, deleted="Note deleted.",
        done_url=back, refused_url=back,
    )  # fmt: skip
