"""Query results as CSV and JSON, written row by row so that any size streams.

Chunks of about CHUNK_CHARS characters are handed on (a larger cell alone), so that
memory holds about one chunk and one row whatever the rows' sizes.

CSV cells that a spreadsheet would run as a formula (text starting with = + - @, a tab
or a carriage return) are prefixed with a single quote, as OWASP advises; numbers are
left alone. JSON is one object: {"columns": [...], "rows": [[...], ...]}.
"""

import json
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Characters held before a chunk is handed on, whatever the number of rows.
CHUNK_CHARS = 256 * 1024


def csv_cell(value: Any) -> Any:
    """Return `value` as a CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(columns: list[str], rows: Iterable[tuple]) -> Iterator[str]:
    """Yield the CSV of `columns` (the header) and `rows`, a chunk at a time.

    Written here rather than by the csv module, whose row buffer takes four bytes a
    character: a row of 30 one-megabyte cells would take 120 MB before its first byte.
    The output is the csv module's (QUOTE_MINIMAL, CRLF).
    """
    yield "".join(_csv_row(columns))  # at once: the answer has begun before any row is read
    yield from _handed_on(part for row in rows for part in _csv_row(row))


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _csv_row(row) -> Iterator[str]:
    fields = [_csv_field(value) for value in row]
    if fields == [""]:
        fields = ['""']  # the csv module's way to tell one empty field from no field
    for number, field in enumerate(fields):
        if number:
            yield ","
        yield field
    yield "\r\n"


def _csv_field(value: Any) -> str:
    value = csv_cell(value)
    text = value if isinstance(value, str) else str(value)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def json_value(value: Any) -> Any:
    """Return `value` as JSON holds it: numbers stay numbers, dates and the rest are text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def json_chunks(columns: list[str], rows: Iterable[tuple]) -> Iterator[str]:
    """Yield {"columns": [...], "rows": [...]} as JSON text, a chunk at a time."""
    yield '{"columns": ' + json.dumps(columns, ensure_ascii=False) + ', "rows": ['
    yield from _handed_on(_json_rows(rows))
    yield "]}\n"


def _json_rows(rows: Iterable[tuple]) -> Iterator[str]:
    for number, row in enumerate(rows):
        yield "[" if number == 0 else ", ["
        for index, value in enumerate(row):
            if index:
                yield ", "
            yield json.dumps(json_value(value), ensure_ascii=False)
        yield "]"


def _handed_on(parts: Iterable[str]) -> Iterator[str]:
    """Join small parts into chunks of about CHUNK_CHARS; hand a large part on alone."""
    pending: list[str] = []
    size = 0
    for part in parts:
        if len(part) >= CHUNK_CHARS:
            if pending:
                yield "".join(pending)
                pending, size = [], 0
            yield part
            continue
        pending.append(part)
        size += len(part)
        if size >= CHUNK_CHARS:
            yield "".join(pending)
            pending, size = [], 0
    if pending:
        yield "".join(pending)
