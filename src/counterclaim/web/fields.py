"""Field pieces shared by the workbench's forms."""

from markupsafe import Markup, escape
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import Select, html_params

from .params import MAX_ID

#: The longest text a list filter takes (a name, a title fragment): longer is no filter
#: anyone types, and SQLite refuses a LIKE pattern over 50,000 bytes.
MAX_FILTER_CHARS = 200


def strip(value):
    """Trim surrounding white space from text input."""
    return value.strip() if isinstance(value, str) else value


def optional_int(value):
    """Coerce a select's value to int, an empty choice to None."""
    if value in (None, "", "None"):
        return None
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError("not an id")
    return number


def options(pairs, *, blank: str | None = None) -> dict:
    """Return (value, label) pairs as select choices, optionally led by a blank choice."""
    result = {"": blank} if blank is not None else {}
    result.update((value, label) for value, label in pairs)
    return result


def choices(vocabulary: dict, *, blank: str | None = None) -> dict:
    """Return a vocabulary as select choices `code — meaning`, optionally led by a blank."""
    return options(((c, f"{c} — {meaning}") for c, meaning in vocabulary.items()), blank=blank)


class FastSelect(Select):
    """WTForms' select widget, rendered in one pass over plain (value, label) choices.

    WTForms builds every option through `html_params` and `Markup.format`, about 0.1 ms
    each: a select of the 5,000 claimants of a million-claim database took most of a
    second of every claims-list page. The HTML is the same.
    """

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for name in self.validation_attrs:
            if name not in kwargs and getattr(flags, name, False):
                kwargs[name] = getattr(flags, name)
        choices = field.choices.items() if isinstance(field.choices, dict) else field.choices
        coerce, data = field.coerce, field.data
        chosen = (lambda v: coerce(v) in (data or ())) if self.multiple else (
            lambda v: coerce(v) == data)  # fmt: skip
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for value, label in choices or ():
            mark = "selected " if chosen(value) else ""
            html.append(f'<option {mark}value="{escape(value)}">{escape(label)}</option>')
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704 - each value and label escaped above


class ActorSelect(SelectField):
    """A select of actors by name, filled by the form's `fill` from the database."""

    widget = FastSelect()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=optional_int, **kwargs)


class ChoiceSelect(SelectField):
    """A select of rows from the database (tags, sources), which may be many."""

    widget = FastSelect()


class MultipleChoiceSelect(SelectMultipleField):
    """A multiple select of rows from the database (a claim's tags)."""

    widget = FastSelect(multiple=True)


class IdField(IntegerField):
    """The number (#) of a row: a positive integer the databases can hold, or a form error."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not 0 < self.data <= MAX_ID:
            self.data = None
            raise ValueError("Give the number (#) of a record: a whole number from 1.")


class VersionField(HiddenField):
    """The version of the record the editor loaded, for optimistic locking."""

    def __init__(self, label="version", **kwargs):
        super().__init__(label, validators=[InputRequired()], **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        try:
            self.data = int(self.data)
            if not 0 <= self.data <= MAX_ID:
                raise ValueError("out of range")
        except (TypeError, ValueError):
            self.data = None
            raise ValueError(
                "The form lost track of the record's version; reload the page."
            ) from None


def http_url(form, field):
    """Accept only http and https addresses (or nothing)."""
    value = (field.data or "").strip()
    if value and not value.lower().startswith(("http://", "https://")):
        raise ValidationError("Give an http:// or https:// address.")
