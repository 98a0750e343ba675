"""Forms for a claim's evidence: appearances in sources, assessments, notes."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from counterclaim.models.vocabulary import CONFIDENCE, CREDIBILITY, STANCE
from counterclaim.services.claims.evidence import APPEARANCE_FIELDS, NOTE_FIELDS

from ..edits import BaseField
from ..fields import PickerForm, RecordPicker, VersionField, choices, optional_int, strip


class AttachSourceForm(PickerForm):
    source_id = RecordPicker(
        "Source", validators=[DataRequired("Choose the source.")], kind="source",
        blank="Choose the source…",
    )  # fmt: skip
    excerpt = TextAreaField(
        "Exact excerpt", filters=[strip],
        validators=[DataRequired("Quote the passage exactly."), Length(max=20_000)],
    )  # fmt: skip
    locator = StringField(
        "Locator", filters=[strip], validators=[Length(max=100)],
        description="Page, paragraph or timestamp: p. 4, para 3, 02:15.",
    )  # fmt: skip
    stance = SelectField(
        "The source's stance toward the claim", choices=choices(STANCE), default="neutral"
    )


class AssessmentForm(FlaskForm):
    credibility = SelectField(
        "Credibility", coerce=optional_int, choices=choices(CREDIBILITY, blank="Rate…"),
        validators=[DataRequired("Rate the claim's credibility.")],
    )  # fmt: skip
    confidence = SelectField(
        "Confidence", choices=choices(CONFIDENCE, blank="How sure are you?"),
        validators=[DataRequired("Say how confident you are.")],
    )  # fmt: skip
    rationale = TextAreaField(
        "Rationale", filters=[strip],
        validators=[DataRequired("Give the evidence and reasoning."), Length(max=20_000)],
    )  # fmt: skip


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Note", filters=[strip],
        validators=[DataRequired("Write the note."), Length(max=50_000)],
        description="Markdown: *emphasis*, **bold**, lists, [links](https://…).",
    )  # fmt: skip


class AppearanceForm(FlaskForm):
    """Correct an appearance: the excerpt, where it is, the source's stance."""

    MERGED = APPEARANCE_FIELDS

    excerpt = AttachSourceForm.excerpt
    locator = AttachSourceForm.locator
    stance = AttachSourceForm.stance
    version = VersionField()
    base = BaseField()


class EditNoteForm(NoteForm):
    MERGED = NOTE_FIELDS

    version = VersionField()
    base = BaseField()


class WithdrawForm(FlaskForm):
    """Withdraw an assessment: the version it was at, so a changed one is not withdrawn."""

    version = VersionField()
