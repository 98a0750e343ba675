"""The search page's query, read from the query string."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from counterclaim.models.search import INDEXED
from counterclaim.services.search.search_query import MAX_QUERY_CHARS

from ..fields import options, strip

MAX_PAGE = 50


class SearchForm(FlaskForm):
    """Words, "phrases" and prefix* words; optionally one kind of result and its page."""

    class Meta:
        csrf = False

    q = StringField("Search", filters=[strip], validators=[Length(max=MAX_QUERY_CHARS)])
    kind = SelectField(
        "In", choices=options(((i.kind, i.label) for i in INDEXED.values()), blank="Everything"),
        default="",
    )  # fmt: skip
    page = IntegerField(
        "Page",
        validators=[Optional(), NumberRange(min=1, max=MAX_PAGE, message="Pages go from 1 to 50.")],
    )
