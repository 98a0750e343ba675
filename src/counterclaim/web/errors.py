"""Error pages: a clear message, the right status, never a traceback."""

import logging

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from counterclaim.services.pagination import BadCursor

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(BadCursor, _bad_cursor)
    app.register_error_handler(Exception, _unexpected)


def _http_error(error: HTTPException):
    return render_template("errors/error.html", error=error), error.code


def _bad_cursor(error: BadCursor):
    return render_template("errors/error.html", error=_Shown(400, "Bad Request", str(error))), 400


def _unexpected(error: Exception):
    log.exception("Unhandled error", exc_info=error)
    return _http_error(InternalServerError())


class _Shown:
    def __init__(self, code: int, name: str, description: str):
        self.code, self.name, self.description = code, name, description
