"""Query results as CSV and JSON, written row by row so that any size streams.

A chunk is handed on every few rows or every CHUNK_CHARS characters, whichever comes
first, so that memory holds about one chunk whatever the rows' sizes.

CSV cells that a spreadsheet would run as a formula (text starting with = + - @, a tab
or a carriage return) are prefixed with a single quote, as OWASP advises; numbers are
left alone. JSON is one object: {"columns": [...], "rows": [[...], ...]}.
"""

import csv
import io
import json
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


def csv_chunks(
    columns: list[str], rows: Iterable[tuple], rows_per_chunk: int = 200
) -> Iterator[str]:
    """Yield the CSV of `columns` (the header) and `rows`, a few rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(name) for name in columns])
    yield _drain(buffer)  # the header at once: the answer has begun before any row is read
    pending = 0
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        pending += 1
        if pending >= rows_per_chunk or buffer.tell() >= CHUNK_CHARS:
            yield _drain(buffer)
            pending = 0
    yield _drain(buffer)


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


def json_chunks(
    columns: list[str], rows: Iterable[tuple], rows_per_chunk: int = 200
) -> Iterator[str]:
    """Yield {"columns": [...], "rows": [...]} as JSON text, a few rows at a time."""
    yield '{"columns": ' + json.dumps(columns, ensure_ascii=False) + ', "rows": ['
    parts: list[str] = []
    first, size = True, 0
    for row in rows:
        encoded = json.dumps([json_value(value) for value in row], ensure_ascii=False)
        parts.append(encoded if first else ", " + encoded)
        first, size = False, size + len(encoded)
        if len(parts) >= rows_per_chunk or size >= CHUNK_CHARS:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("]}\n")
    yield "".join(parts)


def _drain(buffer: io.StringIO) -> str:
    value = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return value
