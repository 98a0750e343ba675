"""Keyset pagination: page 5,000 costs what page 1 costs.

A page is asked for by an opaque cursor naming the last row seen, never by an offset.
Sorting on a nullable column runs in two phases: first the rows that have a value, in
order, then the rows without one, by id, each phase walking an index.
"""

import base64
import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, tuple_

from counterclaim.models.base import MAX_INT


class BadCursor(ValueError):
    """The page cursor in the URL is not one we made."""


@dataclass(frozen=True)
class Sort:
    """One way a list can be ordered."""

    key: str
    label: str
    column: Any
    descending: bool = False


@dataclass
class Page:
    """The rows of one page and the cursors of the next and previous, if there are."""

    items: list
    next_cursor: str | None
    prev_cursor: str | None = None


def encode_cursor(value: Any, row_id: int) -> str:
    if isinstance(value, datetime | date):
        value = {"t": type(value).__name__, "v": value.isoformat()}
    raw = json.dumps([value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_CURSOR_CHARS = 1_000  # a cursor we make holds one sort value (≤ 300 chars) and an id
DAMAGED = "The page link is damaged; start again from the first page."


def decode_cursor(cursor: str) -> tuple[Any, int]:
    """Return the (sort value, id) a cursor names; BadCursor for anything we did not make.

    A cursor is hostile input: only the shapes `encode_cursor` writes pass, every number
    within the databases' integer range, no string with a NUL.
    """
    try:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, row_id = json.loads(raw)
        if isinstance(value, dict):
            parse = datetime if value["t"] == "datetime" else date
            value = parse.fromisoformat(value["v"])
        elif not _plain(value):
            raise TypeError("value")
        if not isinstance(row_id, int) or isinstance(row_id, bool) or not 0 <= row_id <= MAX_INT:
            raise TypeError("id")
    except (ValueError, TypeError, KeyError, RecursionError) as error:
        raise BadCursor(DAMAGED) from error
    return value, row_id


def _plain(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_INT <= value <= MAX_INT
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and "\x00" not in value


def _check_fits(column, value: Any) -> None:
    """Refuse a cursor whose value is not of the sort column's type."""
    if value is None:
        return
    try:
        wanted = column.type.python_type
    except (AttributeError, NotImplementedError):
        return
    if wanted is float:
        wanted = (int, float)
    if wanted is int and isinstance(value, bool):
        raise BadCursor(DAMAGED)
    if wanted is date and isinstance(value, datetime):
        raise BadCursor(DAMAGED)
    if not isinstance(value, wanted):
        raise BadCursor(DAMAGED)


def paginate(
    session, stmt: Select, sort: Sort, id_column, *, after: str | None, size: int,
    before: str | None = None,
) -> Page:  # fmt: skip
    """Return the page of `stmt` (selecting entities) after cursor `after` or before `before`."""
    if before:
        return _paginate_back(session, stmt, sort, id_column, before, size)
    value, last_id = decode_cursor(after) if after else (None, None)
    _check_fits(sort.column, value)
    in_null_phase = after is not None and value is None
    items: list = []
    if not in_null_phase:
        items = _fetch_values(session, stmt, sort, id_column, value, last_id, size + 1)
    nullable = getattr(sort.column.expression, "nullable", False)
    if nullable and len(items) <= size:
        null_after = last_id if in_null_phase else None
        items += _fetch_nulls(session, stmt, sort, id_column, null_after, size + 1 - len(items))
    has_more = len(items) > size
    items = items[:size]
    next_cursor = _cursor_of(items[-1], sort) if has_more else None
    prev_cursor = _cursor_of(items[0], sort) if after and items else None
    return Page(items=items, next_cursor=next_cursor, prev_cursor=prev_cursor)


def _cursor_of(row, sort: Sort) -> str:
    return encode_cursor(getattr(row, sort.column.key), row.id)


def _paginate_back(session, stmt, sort, id_column, before: str, size: int) -> Page:
    """Walk the order backwards from the first row of a page: the page before it."""
    value, first_id = decode_cursor(before)
    _check_fits(sort.column, value)
    if value is None:  # the page began among the rows without a value (the second phase)
        items = _fetch_nulls(session, stmt, sort, id_column, first_id, size + 1, back=True)
        if len(items) <= size:
            items += _fetch_values(
                session, stmt, sort, id_column, None, None, size + 1 - len(items), back=True
            )
    else:
        items = _fetch_values(session, stmt, sort, id_column, value, first_id, size + 1, back=True)
    has_more = len(items) > size
    items = items[:size][::-1]
    if not items:
        return Page(items=[], next_cursor=None)
    return Page(
        items=items,
        next_cursor=_cursor_of(items[-1], sort),
        prev_cursor=_cursor_of(items[0], sort) if has_more else None,
    )


def _fetch_values(session, stmt, sort, id_column, value, last_id, limit, *, back=False):
    """Rows with a value after (value, last_id) in the sort's order, or before it if `back`."""
    column = sort.column
    stmt = stmt.where(column.is_not(None))
    descending = sort.descending != back  # walking backwards reverses the order
    if last_id is not None:
        ahead = tuple_(column, id_column) < tuple_(value, last_id)
        if not descending:
            ahead = tuple_(column, id_column) > tuple_(value, last_id)
        stmt = stmt.where(ahead)
    order = (column.desc(), id_column.desc()) if descending else (column, id_column)
    return list(session.scalars(stmt.order_by(*order).limit(limit)))


def _fetch_nulls(session, stmt, sort, id_column, last_id, limit, *, back=False):
    """Rows without a value after `last_id` by id, or before it if `back`."""
    descending = sort.descending != back
    stmt = stmt.where(sort.column.is_(None))
    if last_id is not None:
        stmt = stmt.where(and_(id_column < last_id) if descending else id_column > last_id)
    order = id_column.desc() if descending else id_column
    return list(session.scalars(stmt.order_by(order).limit(limit)))
