"""Error pages: a clear message, the right status, never a traceback."""

import logging

from flask import Flask, current_app, render_template
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from counterclaim.services.pagination import BadCursor

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(BadCursor, _bad_cursor)
    app.register_error_handler(Exception, _unexpected)


def _http_error(error: HTTPException):
    return render_template("errors/error.html", error=error), error.code


def _too_large(_error: RequestEntityTooLarge):
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    shown = _Shown(
        413,
        "Too large",
        f"What you sent is larger than the workbench accepts ({limit // (1024 * 1024)} MB)."
        " Nothing was saved: go back, shorten the text (quote the passage that carries the"
        " claim, not the whole source) and send it again.",
    )
    return render_template("errors/error.html", error=shown), 413


def _bad_cursor(error: BadCursor):
    return render_template("errors/error.html", error=_Shown(400, "Bad Request", str(error))), 400


def _unexpected(error: Exception):
    log.exception("Unhandled error", exc_info=error)
    return _http_error(InternalServerError())


class _Shown:
    def __init__(self, code: int, name: str, description: str):
        self.code, self.name, self.description = code, name, description
