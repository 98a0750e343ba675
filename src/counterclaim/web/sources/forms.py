"""Forms for sources."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from counterclaim.models.vocabulary import RELIABILITY, SOURCE_KIND
from counterclaim.services.catalogue.sources import DEFAULT_SORT, SORTS, SOURCE_FIELDS

from ..edits import BaseField
from ..fields import (
    MAX_FILTER_CHARS,
    PickerForm,
    RecordPicker,
    VersionField,
    choices,
    http_url,
    options,
    strip,
)


class SourceForm(PickerForm):
    title = StringField("Title", filters=[strip], validators=[DataRequired(), Length(max=300)])
    kind = SelectField("Kind", choices=SOURCE_KIND, default="article")
    publisher_id = RecordPicker(
        "Publisher", validators=[Optional()], kind="actor", blank="Unknown or none"
    )
    author = StringField("Author", filters=[strip], validators=[Length(max=200)])
    url = StringField("URL", filters=[strip], validators=[Length(max=2000), http_url])
    archived_url = StringField(
        "Archived copy", filters=[strip], validators=[Length(max=2000), http_url]
    )
    published_on = DateField("Published on", validators=[Optional()])
    reliability = SelectField("Reliability (Admiralty)", choices=choices(RELIABILITY), default="F")
    notes = TextAreaField("Why this letter", filters=[strip], validators=[Length(max=10_000)])

    def fill(self, session) -> "SourceForm":
        return self.fill_pickers(session)


class EditSourceForm(SourceForm):
    MERGED = SOURCE_FIELDS

    version = VersionField()
    base = BaseField()


class SourceFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Title contains", filters=[strip], validators=[Length(max=MAX_FILTER_CHARS)])
    reliability = SelectField("Reliability", choices=choices(RELIABILITY, blank="Any"), default="")
    kind = SelectField("Kind", choices=options(SOURCE_KIND.items(), blank="Any kind"), default="")
    sort = SelectField(
        "Sort", choices=options((s.key, s.label) for s in SORTS.values()), default=DEFAULT_SORT
    )
