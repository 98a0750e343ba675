"""Error pages: a clear message, the right status, never a traceback."""

import logging

from flask import Flask, render_template, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from counterclaim.services.exchange.reading import human_size
from counterclaim.services.pagination import BadCursor

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(BadCursor, _bad_cursor)
    app.register_error_handler(DataError, _out_of_range)
    app.register_error_handler(OverflowError, _out_of_range)
    app.register_error_handler(Exception, _unexpected)


def _http_error(error: HTTPException):
    return render_template("errors/error.html", error=error), error.code


def _too_large(_error: RequestEntityTooLarge):
    limit = request.max_content_length or 0  # this route's limit (params.body_limit)
    shown = _Shown(
        413,
        "Too large",
        f"What you sent is larger than the workbench accepts ({human_size(limit)})."
        " Nothing was saved: go back, shorten the text (quote the passage that carries the"
        " claim, not the whole source) and send it again.",
    )
    return render_template("errors/error.html", error=shown), 413


def _bad_cursor(error: BadCursor):
    return render_template("errors/error.html", error=_Shown(400, "Bad Request", str(error))), 400


def _out_of_range(error: Exception):
    """A value the database cannot hold reached it: the request's fault, but a gap in the
    checks before it (web/params.py, the forms), so it is logged as an error to fix."""
    log.error("Unchecked input reached the database: %s", error)
    _rollback()
    shown = _Shown(400, "Bad Request", "A value in the request is out of range or holds a "
                   "character the database cannot store. Nothing was saved.")  # fmt: skip
    return render_template("errors/error.html", error=shown), 400


def _rollback() -> None:
    from .database import get_session

    try:
        get_session().rollback()
    except Exception:  # noqa: BLE001 - the page must still be answered
        log.exception("Rollback after a refused value failed")


def _unexpected(error: Exception):
    log.exception("Unhandled error", exc_info=error)
    return _http_error(InternalServerError())


class _Shown:
    def __init__(self, code: int, name: str, description: str):
        self.code, self.name, self.description = code, name, description
