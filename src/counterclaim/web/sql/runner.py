"""Running console queries for a request: the app's one console, pages and downloads.

Running a query is a GET: it only reads (the database refuses anything else), so it
needs no CSRF token, and its URL, parameters included, can be bookmarked and shared.
"""

import logging
import threading
from collections.abc import Iterator

from flask import Response, current_app, render_template, request, stream_with_context

from counterclaim.services.research import result_formats
from counterclaim.services.research.sql_common import (
    ConsoleBusy,
    ConsoleError,
    ConsoleSettings,
    ConsoleUnavailable,
    line_and_column,
    parameter_names,
)
from counterclaim.services.research.sql_console import Console, console_from_config

log = logging.getLogger(__name__)
_lock = threading.Lock()
_EXTENSION = "counterclaim.sql_console"
PARAMETER_PREFIX = "p-"
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def get_console() -> Console:
    """Return the app's SQL console, made on first use from the settings."""
    console = current_app.extensions.get(_EXTENSION)
    if console is None:
        with _lock:
            console = current_app.extensions.get(_EXTENSION)
            if console is None:
                console = console_from_config(current_app.config)
                current_app.extensions[_EXTENSION] = console
    return console


def status_of(error: ConsoleError) -> int:
    """Return the HTTP status that answers `error`."""
    return 503 if isinstance(error, ConsoleBusy | ConsoleUnavailable) else 400


def render_run(template: str, sql: str, *, run: bool, filename: str = "query", **context):
    """Render `template` with `sql`'s parameters and, when asked to run, its result.

    With `format=csv` or `format=json` in the URL the whole result is downloaded instead.
    """
    names = _names(sql)
    values = {name: request.args.get(PARAMETER_PREFIX + name) for name in names}
    missing = [name for name in names if values[name] is None]
    result = error = None
    if run and sql.strip() and not missing:
        download = request.args.get("format")
        if download in FORMATS:
            return download_result(sql, values, download, filename)
        try:
            result = get_console().run(sql, values)
        except ConsoleError as refused:
            error = refused
    status = status_of(error) if error else 200
    response = render_template(
        template,
        sql=sql,
        names=names,
        values=values,
        asked=run and bool(missing) and bool(sql.strip()),
        result=result,
        error=error,
        where=line_and_column(sql, error.position) if error and error.position else None,
        prefix=PARAMETER_PREFIX,
        time_limit=_time_limit(),
        **context,
    )
    headers = {"Retry-After": "5"} if isinstance(error, ConsoleBusy) else {}
    return response, status, headers


def download_result(sql: str, values: dict, fmt: str, filename: str):
    """Stream the whole result as CSV or JSON; an error before the first row is a page."""
    try:
        stream = get_console().stream(sql, values)
    except ConsoleError as error:
        body = render_template("sql/failed.html", error=error, sql=sql)
        return body, status_of(error), {}
    chunks = (result_formats.csv_chunks if fmt == "csv" else result_formats.json_chunks)(
        stream.columns, stream
    )
    response = Response(stream_with_context(_closing(chunks, stream)), content_type=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response.call_on_close(stream.close)
    return response


def _closing(chunks: Iterator[str], stream) -> Iterator[str]:
    try:
        yield from chunks
    except ConsoleError as error:
        # The status line is sent: end the transfer unfinished, so that the client sees
        # a broken download rather than a file that looks complete.
        log.warning("SQL download stopped: %s", error)
        raise
    finally:
        stream.close()


def _names(sql: str) -> list[str]:
    try:
        return parameter_names(sql) if len(sql) <= _max_length() else []
    except Exception:  # noqa: BLE001 - any text that text() cannot read has no parameters
        return []


def _max_length() -> int:
    try:
        return get_console().settings.max_sql_length
    except ConsoleError:
        return ConsoleSettings().max_sql_length


def _time_limit() -> float | None:
    try:
        return get_console().settings.time_limit
    except ConsoleError:
        return None
