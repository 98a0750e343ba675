"""The form that links a claim to another, chosen by searching its text."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from counterclaim.models.vocabulary import RELATIONS, STRENGTH
from counterclaim.services.claims.links import LINK_FIELDS

from ..edits import BaseField
from ..fields import IdField, VersionField, choices, strip


class LinkForm(FlaskForm):
    q = StringField("Find the other claim", filters=[strip])
    target_id = IdField(
        "Other claim", validators=[InputRequired("Search for the other claim and choose it.")]
    )
    relation = RadioField(
        "This claim…",
        choices={
            "contradicts": "contradicts it",
            "supports": "supports it",
            "qualifies": "qualifies it",
            "duplicates": "duplicates it",
            "responds_to": "responds to it",
        },
        validators=[DataRequired("Choose how the claims relate.")],
        description=" · ".join(f"{k}: {v}" for k, v in RELATIONS.items()),
    )
    strength = SelectField("Strength", choices=choices(STRENGTH), default="moderate")
    rationale = TextAreaField(
        "Rationale", filters=[strip],
        validators=[DataRequired("Say why the claims are linked."), Length(max=10_000)],
    )  # fmt: skip


class EditLinkForm(FlaskForm):
    """Change a link's relation, strength and rationale; the two claims stay."""

    MERGED = LINK_FIELDS

    relation = RadioField(
        "Relation",
        choices={
            "contradicts": "contradicts",
            "supports": "supports",
            "qualifies": "qualifies",
            "duplicates": "duplicates",
            "responds_to": "responds to",
        },
        validators=[DataRequired("Choose how the claims relate.")],
        description=LinkForm.relation.kwargs["description"],
    )
    strength = LinkForm.strength
    rationale = LinkForm.rationale
    version = VersionField()
    base = BaseField()
