"""Forms for entering, editing and filtering claims."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from counterclaim.models.vocabulary import CLAIM_STATUS, CREDIBILITY, RELIABILITY, STANCE
from counterclaim.services.claims.claims import CLAIM_FIELDS, DEFAULT_SORT, SORTS
from counterclaim.services.search.search_query import MAX_QUERY_CHARS

from ..edits import BaseField
from ..fields import (
    MAX_FILTER_CHARS,
    FastSelect,
    IdField,
    MultipleRecordPicker,
    PickerForm,
    RecordPicker,
    VersionField,
    choices,
    options,
    strip,
)


class ClaimForm(PickerForm):
    text = TextAreaField(
        "Claim", validators=[DataRequired(), Length(max=10_000)], filters=[strip],
        description="One assertion, verbatim where you can quote it.",
    )  # fmt: skip
    is_verbatim = BooleanField("The text quotes the claimant's exact words")
    claimant_id = RecordPicker(
        "Claimant", validators=[DataRequired("Choose who made the claim.")],
        kind="actor", blank="Choose the claimant…",
    )  # fmt: skip
    stated_on = DateField("Stated on", validators=[Optional()])
    status = SelectField("Status", choices=choices(CLAIM_STATUS), default="open")
    tag_ids = MultipleRecordPicker("Tags", kind="tag")

    def fill(self, session) -> "ClaimForm":
        """Load the choices that come from the database."""
        return self.fill_pickers(session)


class NewClaimForm(ClaimForm):
    """A new claim, optionally with its first appearance in a source."""

    source_id = RecordPicker(
        "Appears in source", validators=[Optional()], kind="source", blank="No source yet"
    )
    excerpt = TextAreaField("Exact excerpt", filters=[strip], validators=[Length(max=20_000)])
    locator = StringField("Locator", filters=[strip], validators=[Length(max=100)])
    stance = SelectField("Source's stance", choices=choices(STANCE), default="origin")

    def validate_excerpt(self, field):
        if self.source_id.data and not field.data:
            raise ValidationError("Quote the passage of the source that carries the claim.")


class EditClaimForm(ClaimForm):
    MERGED = (*CLAIM_FIELDS, "tag_ids")

    version = VersionField()
    base = BaseField()


class MergeForm(FlaskForm):
    duplicate_id = IdField(
        "The duplicate's number",
        validators=[
            InputRequired("Give the number (#) of the duplicate claim."),
        ],
        description="Its links, sources, assessments, notes and tags move to this claim; "
        "it stays, retracted, as a duplicate of this one.",
    )


class ClaimFilterForm(FlaskForm):
    """The claims list's filters, read from the query string."""

    class Meta:
        csrf = False

    q = StringField(
        "Words", filters=[strip], validators=[Length(max=MAX_QUERY_CHARS)],
        description="Each word, or the start of it, must appear.",
    )  # fmt: skip
    # Its selects render in one pass (FastSelect): WTForms' own renders each option
    # through html_params, a tenth of the page's time.
    # A select of every actor cost two thirds of the page at a million claims (5,000
    # options, 290 kB): the list is narrowed by name here, or to one claimant by id
    # (the actor's page links to it), shown as a chip.
    claimant_name = StringField(
        "Claimant's name contains", filters=[strip], validators=[Length(max=MAX_FILTER_CHARS)]
    )
    claimant = IdField("Claimant", validators=[Optional()])
    # A picker (type-ahead, or its Search button), not a select of every tag: 500 tags
    # at a million claims made a sixth of the page's time.
    tag = RecordPicker("Tag", kind="tag", blank="Any tag", validators=[Optional()])
    status = SelectField(
        "Status", choices=choices(CLAIM_STATUS, blank="Any status"), default="", widget=FastSelect()
    )
    stated_from = DateField("Stated from", validators=[Optional()])
    stated_to = DateField("Stated to", validators=[Optional()])
    source = IdField("Source", validators=[Optional()])
    reliability = SelectField(
        "Carried by a source rated at least",
        choices=options(((c, f"{c} or better") for c in RELIABILITY), blank="Any reliability"),
        default="",
        widget=FastSelect(),
    )
    disagreement = BooleanField("Analysts disagree (spread of 2 or more)")
    claimant_false_min = IntegerField(
        "Claimant has at least N false claims",
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
    )
    credibility = SelectField(
        "Consensus credibility",
        choices=choices({str(c): m for c, m in CREDIBILITY.items()}, blank="Any credibility")
        | {"none": "Not assessed"},
        default="",
        widget=FastSelect(),
    )
    year = StringField(
        "Stated in",
        filters=[strip],
        validators=[
            Optional(),
            Regexp(
                r"^(000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-9]\d{3}|none)$",
                message="Give a year such as 2016, or none for undated.",
            ),
        ],
    )
    sort = SelectField(
        "Sort",
        choices=options((s.key, s.label) for s in SORTS.values()),
        default=DEFAULT_SORT,
        widget=FastSelect(),
    )

    def fill(self, session) -> "ClaimFilterForm":
        self.tag.fill(session)
        return self

    def validate_stated_to(self, field):
        if field.data and self.stated_from.data and field.data < self.stated_from.data:
            raise ValidationError("The end date is before the start date.")
