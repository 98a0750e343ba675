"""Forms: a derivation between sources, a claim's outcome."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from counterclaim.models.vocabulary import DERIVATION_KIND, OUTCOME

from ..fields import choices, optional_int, strip


class DerivationForm(FlaskForm):
    q = StringField("Find the source it derives from", filters=[strip],
                    validators=[Length(max=200)])  # fmt: skip
    derived_from_id = RadioField(
        "Derives from", coerce=optional_int,
        validators=[DataRequired("Choose the source it derives from (search for it above).")],
    )  # fmt: skip
    kind = SelectField(
        "How", choices=choices(DERIVATION_KIND, blank="Choose how it derives…"),
        validators=[DataRequired("Say how it derives.")],
    )  # fmt: skip


class OutcomeForm(FlaskForm):
    outcome = SelectField("Outcome", choices=choices(OUTCOME),
                          validators=[DataRequired("Choose the outcome.")])  # fmt: skip
    rationale = TextAreaField(
        "Rationale", filters=[strip],
        validators=[DataRequired("Say why: the judgment or evidence."), Length(max=20_000)],
    )  # fmt: skip
