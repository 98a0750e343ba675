"""Field pieces shared by the workbench's forms."""

from flask import request
from flask_wtf import FlaskForm
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


class _Picker:
    """A select that offers the chosen records plus those matching what was typed.

    The words typed arrive as `<name>_q` (the picker's search box): without script the
    form's Search button posts them and the page comes back with the matches; with
    script picker.js asks /pick/<kind> as the analyst types.
    """

    widget = FastSelect()

    def __init__(self, label=None, validators=None, *, kind, blank=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.kind, self.blank, self.query, self.more = kind, blank, "", False

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            self.query = (formdata.get(f"{self.name}_q") or "").strip()[:200]

    def chosen_ids(self) -> list[int]:
        data = self.data if isinstance(self.data, list | tuple) else [self.data]
        return [i for i in data if isinstance(i, int)]

    def fill(self, session, *, exclude: int | None = None) -> None:
        """Offer the chosen records and the first matches of the search box."""
        from counterclaim.services.catalogue import pickers

        found = pickers.find(
            session, self.kind, self.query, include=self.chosen_ids(), exclude=exclude
        )
        self.more = found.more
        self.choices = options(found.choices, blank=self.blank)


class RecordPicker(_Picker, SelectField):
    """Choose one actor, source or tag by searching for it."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=optional_int, **kwargs)


class MultipleRecordPicker(_Picker, SelectMultipleField):
    """Choose several records (a claim's tags) by searching for them."""

    widget = FastSelect(multiple=True)

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=optional_int, **kwargs)


class PickerForm(FlaskForm):
    """A form with record pickers, whose Search buttons post the form without saving."""

    @property
    def searching(self) -> bool:
        """Whether a picker's Search button (not Save) submitted the form."""
        return self.is_submitted() and bool(request.form.get("find"))

    @property
    def http_status(self) -> int:
        """The HTTP status of showing the form again: 400 after a refused save."""
        return 400 if self.is_submitted() and not self.searching else 200

    def validate_on_submit(self, extra_validators=None) -> bool:
        return not self.searching and super().validate_on_submit(extra_validators)

    def fill_pickers(self, session, *, exclude: int | None = None):
        """Load each picker's choices from the database."""
        for f in self:
            if isinstance(f, _Picker):
                f.fill(session, exclude=exclude)
        return self


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
