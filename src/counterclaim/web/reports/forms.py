"""The report scope form: read from the query string, so that a report URL can be shared.

The form only shows the fields; the report service parses and checks the values (the
CLI shares those rules), and its errors are put back next to the field they name.
"""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField

from counterclaim.models.vocabulary import CLAIM_STATUS, RELIABILITY
from counterclaim.services.catalogue import tags
from counterclaim.services.reports.reports import MAX_DEPTH, ScopeError

from ..fields import RecordPicker, choices, options


class ScopeForm(FlaskForm):
    class Meta:
        csrf = False

    tag = SelectMultipleField(
        "Tags", description="Claims filed under every tag chosen (topics, places, events)."
    )
    # A picker: the chosen claimant and the first matches of `actor_q`, never every actor.
    actor = RecordPicker("Claimant", kind="actor", blank="Anyone")
    claim = StringField(
        "Claim number", description="One claim and the claims linked to it (any relation)."
    )
    depth = SelectField(
        "Neighbourhood", default="1",
        choices={str(n): f"{n} link{'s' if n > 1 else ''} away" for n in range(1, MAX_DEPTH + 1)},
    )  # fmt: skip
    stated_from = DateField("Stated from")
    stated_to = DateField("Stated to")
    status = SelectField("Status", choices=choices(CLAIM_STATUS, blank="Any status"), default="")
    reliability = SelectField(
        "Carried by a source rated at least",
        choices=options(((c, f"{c} or better") for c in RELIABILITY), blank="Any reliability"),
        default="",
    )

    # the page of pairs: named in errors, never carried into a new scope
    page = HiddenField("Page of contradictions")

    def fill(self, session) -> "ScopeForm":
        """Load the choices that come from the database."""
        self.page.data = ""
        self.tag.choices = options((name, name) for _, name in tags.tag_choices(session))
        self.actor.fill(session)
        return self

    def show(self, error: ScopeError) -> None:
        """Put a scope error next to the field it names."""
        getattr(self, error.parameter).errors = [error.message]
