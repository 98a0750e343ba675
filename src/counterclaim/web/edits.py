"""Edit forms that never lose work: the version and base they carry, the conflict page.

A form made editable this way declares `version = VersionField()` and `base = BaseField()`
and lists its merged fields in `MERGED`. The view starts it with `start(form, values)` on
GET, saves with `base_of(form)` and `kept(form)`, and on EditConflict shows the form again
with `show_conflict(form, conflict)`: the stored values, the editor's own changes on top,
and a choice for each field both changed.
"""

from flask import flash, redirect, render_template, request
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from counterclaim.services.claims.editing import EditConflict, Merged, decode_base, encode_base
from counterclaim.services.errors import DomainError

from .database import get_session


class BaseField(HiddenField):
    """The values the editor started from (JSON), for the three-way merge on save."""

    def __init__(self, label="base", **kwargs):
        super().__init__(label, **kwargs)


def start(form, values: dict) -> None:
    """Give a fresh (GET) form the record's version and its values as the base."""
    if not form.is_submitted():
        form.base.data = encode_base(values)


def base_of(form) -> dict | None:
    """Return the base the form carried (None: missing or tampered with: no merge)."""
    return decode_base(form.base.data, form.MERGED)


def kept(form) -> set[str]:
    """Return the fields where the editor chose the stored value over their own."""
    return {name for name in form.MERGED if request.form.get(f"keep-{name}") == "theirs"}


def show_conflict(form, conflict: EditConflict) -> None:
    """Set the form to the merge: stored values, the editor's changes, the new base."""
    form.version.data = conflict.current_version
    form.base.data = encode_base(conflict.stored)
    for name, value in conflict.merged.items():
        form[name].data = value


def shown(field, value) -> str:
    """Return a value of `field` as the user reads it (a choice's label, Yes/No, —)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    choices = getattr(field, "choices", None)
    if choices:
        labels = dict(choices.items() if isinstance(choices, dict) else choices)
        labels = {str(k): v for k, v in labels.items()}
        if isinstance(value, list):
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    return str(value)


def saved_message(what: str, merged: Merged, form) -> str:
    """Return the flash after a save, naming the colleagues' changes that were kept."""
    if not merged.kept_theirs:
        return f"{what} saved."
    names = ", ".join(str(form[name].label.text).lower() for name in merged.kept_theirs)
    who = ", ".join(dict.fromkeys(save.who for save in merged.saves)) or "a colleague"
    return f"{what} saved, merged with {who}'s save: their change to {names} is kept."


#: Two saves in the same instant: the version check in the UPDATE caught the second.
SAVED_AT_THE_SAME_MOMENT = (
    "Someone saved this at the same moment, so nothing of yours was saved yet. Your "
    "changes are in the form: save again to merge them with theirs."
)


def merged_edit(form, values: dict, save, *, template: str, context: dict, what: str,
                done_url: str, refused_field: str):  # fmt: skip
    """Run an edit view: start the form, save merged, show a conflict or a refusal.

    `save(base=..., keep=...)` makes the change (a service call); a DomainError it raises
    is shown beside `refused_field`, an EditConflict as the conflict page.
    """
    session = get_session()
    start(form, values)
    if form.validate_on_submit():
        try:
            merged = save(base=base_of(form), keep=kept(form))
        except EditConflict as conflict:
            session.rollback()
            show_conflict(form, conflict)
            return render_template(template, form=form, conflict=conflict, **context), 409
        except StaleDataError:
            session.rollback()
            flash(SAVED_AT_THE_SAME_MOMENT, "error")
            return render_template(template, form=form, conflict=None, **context), 409
        except DomainError as refusal:
            session.rollback()
            form[refused_field].errors.append(str(refusal))
        else:
            session.commit()
            flash(saved_message(what, merged, form), "success")
            return redirect(done_url)
    status = 400 if form.is_submitted() else 200
    return render_template(template, form=form, conflict=None, **context), status
