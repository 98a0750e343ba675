"""Forms for actors."""

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from counterclaim.models import Actor
from counterclaim.models.vocabulary import ACTOR_KIND
from counterclaim.services import actors

from ..fields import MAX_FILTER_CHARS, ActorSelect, options, strip


class ActorForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=ACTOR_KIND, default="person")
    description = TextAreaField("Description", filters=[strip], validators=[Length(max=10_000)])
    affiliation_id = ActorSelect("Affiliated with", validators=[Optional()])

    def fill(self, session, actor: Actor | None = None) -> "ActorForm":
        self._session, self._actor = session, actor
        others = [c for c in actors.actor_choices(session) if not actor or c[0] != actor.id]
        self.affiliation_id.choices = options(others, blank="None")
        return self

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
