"""Forms for tags."""

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from counterclaim.models import Tag
from counterclaim.models.vocabulary import TAG_KIND

from ..fields import ChoiceSelect, optional_int, strip


class TagForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=100)])
    kind = SelectField("Kind", choices=TAG_KIND, default="topic")
    description = TextAreaField("Description", filters=[strip], validators=[Length(max=5_000)])

    def bind(self, session, tag: Tag | None = None) -> "TagForm":
        self._session, self._tag = session, tag
        return self

    def validate_name(self, field):
        stmt = select(Tag.id).where(Tag.name == field.data)
        if self._tag is not None:
            stmt = stmt.where(Tag.id != self._tag.id)
        if self._session.scalar(stmt) is not None:
            raise ValidationError("A tag with this name exists already.")


class MergeTagForm(FlaskForm):
    into_id = ChoiceSelect(
        "Merge into", coerce=optional_int,
        validators=[DataRequired("Choose the tag to keep.")],
        description="The tag that stays: its claims keep it, this tag's claims gain it.",
    )  # fmt: skip
