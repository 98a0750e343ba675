"""The history page's filters, read from the query string."""

from flask_wtf import FlaskForm
from sqlalchemy import exists, select
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional, ValidationError

from counterclaim.models import Revision, User
from counterclaim.models.base import MAX_INT
from counterclaim.models.vocabulary import REVISION_ACTIONS

from ..fields import optional_int, options


class HistoryFilterForm(FlaskForm):
    class Meta:
        csrf = False

    entity = SelectField("Kind of record", default="")
    action = SelectField(
        "Change", choices=options(REVISION_ACTIONS.items(), blank="Any"), default=""
    )
    user = SelectField("Person", coerce=optional_int, validators=[Optional()])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
    older = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_INT)])
    newer = IntegerField(validators=[Optional(), NumberRange(min=0, max=MAX_INT)])

    def fill(self, session, entities) -> "HistoryFilterForm":
        self.entity.choices = options(((e, e.replace("_", " ")) for e in entities), blank="Any")
        # Only people who changed something: an index seek per account, never a scan.
        made_changes = exists().where(Revision.user_id == User.id)
        people = session.execute(
            select(User.id, User.display_name, User.username).where(made_changes)
        )
        named = sorted(((i, shown or login) for i, shown, login in people), key=_by_name)
        self.user.choices = options(named, blank="Anyone")
        return self

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date is before the start date.")


def _by_name(person: tuple[int, str]) -> str:
    return person[1].casefold()
