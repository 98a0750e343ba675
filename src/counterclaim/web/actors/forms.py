"""Forms for actors."""

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from counterclaim.models import Actor
from counterclaim.models.vocabulary import ACTOR_KIND

from ..fields import MAX_FILTER_CHARS, PickerForm, RecordPicker, options, strip


class ActorForm(PickerForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=ACTOR_KIND, default="person")
    description = TextAreaField("Description", filters=[strip], validators=[Length(max=10_000)])
    affiliation_id = RecordPicker(
        "Affiliated with", validators=[Optional()], kind="actor", blank="None"
    )

    def fill(self, session, actor: Actor | None = None) -> "ActorForm":
        self._session, self._actor = session, actor
        return self.fill_pickers(session, exclude=actor.id if actor else None)

    def validate_name(self, field):
        stmt = select(Actor.id).where(Actor.name == field.data)
        if self._actor is not None:
            stmt = stmt.where(Actor.id != self._actor.id)
        if self._session.scalar(stmt) is not None:
            raise ValidationError("An actor with this name exists already.")


class ActorFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Name contains", filters=[strip], validators=[Length(max=MAX_FILTER_CHARS)])
    kind = SelectField("Kind", choices=options(ACTOR_KIND.items(), blank="Any kind"), default="")
