"""The SQLite guard: a console query on SQLite, in its worker (the layers are listed in
services/research/sql_console.py; services/research/sql_worker.py applies them)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.dialects import sqlite as sqlite_dialect

from . import sql_pool
from .sql_common import (
    ConsoleAnswer,
    ConsoleError,
    ConsoleSettings,
    ConsoleUnavailable,
    QueryDenied,
    QueryFailed,
    QueryRejected,
    bind_parameters,
    worker_request,
)

# --- SQLite ----------------------------------------------------------------------------------


class SQLiteBackend:
    def __init__(
        self, path: Path, settings: ConsoleSettings, hidden: frozenset[tuple[str, str]]
    ) -> None:
        self.path = path
        self.settings = settings
        self.hidden = hidden
        self._dialect = sqlite_dialect.dialect(paramstyle="named")
        self._pool = sql_pool.WorkerPool(
            "sqlite", settings.worker_memory_bytes, settings.concurrency
        )

    @contextmanager
    def open(
        self, sql: str, values: Mapping[str, Any], *, page_rows: int | None
    ) -> Iterator[ConsoleAnswer]:
        statement, params = bind_parameters(sql, self._dialect, values)
        params = {name: _number_or_text(value) for name, value in params.items()}
        if not self.path.is_file():
            raise ConsoleUnavailable(f"The database file {self.path.name} does not exist yet.")
        request = worker_request(statement, params, self.settings, self.hidden, page_rows)
        request.update(
            engine="sqlite",
            uri=f"{self.path.as_uri()}?mode=ro",
            max_sql_bytes=4 * self.settings.max_sql_length,
            heap_max=self.settings.worker_memory_bytes // 2,
        )
        answer = ConsoleAnswer(self._pool, request, self.settings, self._translate(statement))
        try:
            yield answer
        finally:
            answer.close()

    def dispose(self) -> None:
        self._pool.close()

    @staticmethod
    def _translate(sql: str):
        def translate(details: dict) -> ConsoleError:
            kind, message = details.get("kind"), details.get("message", "")
            if kind == "denied":
                return QueryDenied(message)
            if kind == "rejected":
                return QueryRejected(message)
            if kind == "unavailable":
                return ConsoleUnavailable(message)
            return QueryFailed(message, position=_near_position(message, sql))

        return translate


_INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,17})")


def _number_or_text(value: Any) -> Any:
    """Pass a plain whole number as a number: SQLite compares a number with text as unequal
    where no column affinity converts it (a view's COUNT, a LIMIT), while PostgreSQL infers
    the type of a text parameter from where it is used."""
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    return value


def _near_position(message: str, sql: str) -> int | None:
    """Return where SQLite's `near "...": syntax error` points, when that is unambiguous."""
    match = re.search(r'near "(.+?)": syntax error', message)
    if match and sql.count(match.group(1)) == 1:
        return sql.index(match.group(1)) + 1
    return None
