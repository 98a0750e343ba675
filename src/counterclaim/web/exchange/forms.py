"""Forms of the import page."""

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from counterclaim.models.vocabulary import CREDIBILITY
from counterclaim.services.exchange import FORMATS
from counterclaim.services.exchange.tabular import FIELDS

from ..fields import IdField, choices, strip

FORMAT_LABELS = {
    "claimreview": "ClaimReview JSON-LD (or an HTML page holding it)",
    "factcheck-api": "Google Fact Check Tools API JSON",
    "csv": "CSV",
    "tsv": "TSV (tab-separated)",
    "jsonl": "JSON Lines (one record per line)",
    "json": "JSON array of records",
    "dump": "Counterclaim dump (export --all)",
}
TOKEN = re.compile(r"^[0-9a-f]{32}$")


class ImportForm(FlaskForm):
    file = FileField("File", validators=[FileRequired("Choose a file to import.")])
    format = SelectField(
        "Format",
        choices={"": "Tell from the file", **{f: FORMAT_LABELS[f] for f in FORMATS}},
        default="",
    )
    entity = SelectField("Each row is", choices={e: e.title() for e in FIELDS})
    dates = SelectField(
        "CSV/TSV dates",
        choices={
            "iso": "ISO: 2016-11-27",
            "dmy": "Day first: 27/11/2016",
            "mdy": "Month first: 11/27/2016",
        },
    )
    columns = TextAreaField(
        "Column mapping",
        filters=[strip],
        validators=[Optional(), Length(max=4000)],
        description="One field=PATH per line, e.g. text=Claim, reviewer=claimReview.0.publisher"
        ".name, or text=3 without a header. Columns named like the fields (text, claimant, "
        "stated_on…) need none.",
    )
    no_header = BooleanField("CSV/TSV: the first row is data, not a header")
    each = StringField(
        "One row per element of",
        filters=[strip],
        validators=[Optional(), Length(max=400)],
        description="JSON: a list in each record (e.g. evidence); several, comma-separated, "
        "for nested lists. Then @.field is a field of the element.",
    )
    constants = TextAreaField(
        "Values for every record",
        filters=[strip],
        validators=[Optional(), Length(max=4000)],
        description="One field=value per line, e.g. reviewer=PolitiFact.",
    )
    add_tags = StringField(
        "Tag every imported claim",
        filters=[strip],
        validators=[Optional(), Length(max=400)],
        description="Tags, comma-separated.",
    )
    encoding = StringField(
        "Encoding",
        filters=[strip],
        validators=[Optional(), Length(max=40)],
        description="Only if the file is not UTF-8: e.g. cp1252 for Windows Latin-1.",
    )
    skip_invalid = BooleanField("Import the valid records and skip the invalid ones")


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[Regexp(TOKEN, message="This upload has expired.")])


class VerdictMappingForm(FlaskForm):
    verdict = StringField(
        "Verdict",
        filters=[strip],
        validators=[InputRequired(), Length(max=200)],
        description="As fact-checkers write it; case, accents and punctuation do not matter.",
    )
    credibility = SelectField("Maps to", choices=choices(CREDIBILITY), coerce=int, default=6)
    note = StringField("Why", filters=[strip], validators=[Optional(), Length(max=500)])


class RemoveMappingForm(FlaskForm):
    verdict = HiddenField(validators=[InputRequired()])


class ReapplyForm(FlaskForm):
    """Re-map every stored review with the mapping in force (only a CSRF token)."""


class AliasForm(FlaskForm):
    alias = StringField(
        "Another name",
        filters=[strip],
        validators=[InputRequired(), Length(max=200)],
        description="A spelling, a transliteration, a name in another script: imports match it.",
    )


class MergeActorForm(FlaskForm):
    other_id = IdField(
        "Actor number to merge into this one",
        validators=[InputRequired()],
        description="Its claims, sources and reviews move here; its name becomes an alias.",
    )
    confirmed = HiddenField(default="")
