"""Field pieces shared by the workbench's forms."""

from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired, ValidationError


def strip(value):
    """Trim surrounding white space from text input."""
    return value.strip() if isinstance(value, str) else value


def optional_int(value):
    """Coerce a select's value to int, an empty choice to None."""
    if value in (None, "", "None"):
        return None
    return int(value)


def options(pairs, *, blank: str | None = None) -> dict:
    """Return (value, label) pairs as select choices, optionally led by a blank choice."""
    result = {"": blank} if blank is not None else {}
    result.update((value, label) for value, label in pairs)
    return result


def choices(vocabulary: dict, *, blank: str | None = None) -> dict:
    """Return a vocabulary as select choices `code — meaning`, optionally led by a blank."""
    return options(((c, f"{c} — {meaning}") for c, meaning in vocabulary.items()), blank=blank)


class ActorSelect(SelectField):
    """A select of actors by name, filled by the form's `fill` from the database."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=optional_int, **kwargs)


class VersionField(HiddenField):
    """The version of the record the editor loaded, for optimistic locking."""

    def __init__(self, label="version", **kwargs):
        super().__init__(label, validators=[InputRequired()], **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        try:
            self.data = int(self.data)
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
