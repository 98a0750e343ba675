"""One layer that reads what a request carries before any view does.

- No text the workbench keeps or searches may hold a NUL: PostgreSQL refuses it in any
  text value and SQLite cuts strings at it. A query parameter or form field with one is
  answered 400 naming the field, before any view, for every route (new ones included).
- Ids: a row id is a positive 64-bit integer. `<int:...>` in a URL never matches more
  (404), and `id_arg` reads an id from the query string or answers 400.
- Body size: a view may raise its own limit (`@body_limit("IMPORT_UPLOAD_MAX_BYTES")`);
  it is set before anything reads the body (CSRF reads the form first).
"""

from collections.abc import Callable

from flask import Flask, abort, current_app, request
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from counterclaim.models.base import MAX_INT

MAX_ID = MAX_INT


class IdConverter(IntegerConverter):
    """Werkzeug's `int` converter, bounded to ids the databases can hold."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Install the id converter and the request checks; call before CSRF is set up."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_set_body_limit)
    app.before_request(_refuse_nul)


def body_limit(setting: str) -> Callable:
    """Let a view accept bodies up to the app setting `setting` (bytes) instead of the default."""

    def decorate(view: Callable) -> Callable:
        view.body_limit_setting = setting
        return view

    return decorate


def id_arg(name: str, what: str = "record") -> int | None:
    """Return the id in query parameter `name` (None when absent), or answer 400."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_ID:
        abort(400, description=f"“{name}” must be the number of a {what}.")
    return int(value)


def _set_body_limit():
    view = current_app.view_functions.get(request.endpoint)
    setting = getattr(view, "body_limit_setting", None)
    if setting:
        request.max_content_length = current_app.config[setting]


def _refuse_nul():
    for where, values in (("query parameter", request.args), ("form field", _form())):
        for name, value in values.items(multi=True):
            if "\x00" in name or "\x00" in value:
                shown = name.replace("\x00", "\\0")[:40]
                abort(400, description=f"The {where} “{shown}” contains a NUL character "
                      "(\\0), which no text here may hold. Remove it and send again.")  # fmt: skip


def _form() -> MultiDict:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return MultiDict()
    return request.form
