"""Forms of the SQL area: a saved query's name, description and SQL."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from counterclaim.services.research.saved_queries import MAX_NAME
from counterclaim.services.research.sql_common import ConsoleSettings

from ..fields import strip


class SavedQueryForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=MAX_NAME)])
    description = TextAreaField("What it answers", filters=[strip], validators=[Length(max=5_000)])
    sql = TextAreaField(
        "SQL",
        filters=[strip],
        validators=[DataRequired(), Length(max=ConsoleSettings().max_sql_length)],
        description="One SELECT (or WITH … SELECT); :name marks a parameter filled in when run.",
    )
