"""The read-only SQL console: a researcher's one statement, run safely on either engine.

Safety is the database's own, in layers; no layer is string matching. Every statement
runs in a worker process (research/sql_worker.py, driven by research/sql_pool.py) whose
address space is capped and which the server kills when its time is up, so no statement
can hold the server's memory or a core past its limit, whatever one function call costs.

SQLite (in the worker; sql_guard_sqlite.py and sql_worker.py)
  - a connection of its own, opened `mode=ro`, with `PRAGMA query_only`, temporary
    b-trees in memory under `PRAGMA hard_heap_limit`;
  - an authorizer that allows reading only: SELECT, reads of columns (never a hidden
    one), functions (never load_extension and its kind), recursive CTEs and a few
    introspection PRAGMAs. Writes, DDL, ATTACH/DETACH, transactions and every other
    PRAGMA are denied when the statement is prepared, before anything runs;
  - the statement's own bytecode (EXPLAIN) checked before it runs: no cursor on an index
    holding a hidden column, no `Column` read of a hidden column, no whole-row copy of a
    table that has one -- whatever the query's shape (the authorizer is not called for the
    column a FULL JOIN ... USING builds; the bytecode has no such gap);
  - SQLITE_LIMIT_ATTACHED 0 (`mode=ro` alone still lets ATTACH create a new file),
    SQLITE_LIMIT_LENGTH at the value cap, a progress handler at the time limit.
PostgreSQL (sql_guard_postgres.py)
  - a login role that may only CONNECT, USE the schema and SELECT (never a hidden
    column), made by `counterclaim db create-readonly-role`; the console checks the role
    before its first query and refuses one that could write or read a hidden column;
  - each query runs in a READ ONLY transaction with SET LOCAL statement_timeout, as a
    server-side cursor (DECLARE ... CURSOR FOR takes a SELECT or VALUES only, and no
    data-modifying WITH) sent over the extended protocol (one statement only), fetched a
    few rows at a time.
Both
  - the SQL's length is capped; a page holds at most `row_limit` rows and
    `page_max_bytes` of values (checked cell by cell, before a cell is read), a download
    `download_max_bytes`; no one value may exceed `value_max_bytes`;
  - at most `concurrency` console queries run at once: more are told the console is busy,
    so research cannot starve the workbench.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from . import sql_pool
from .sql_common import (
    ConsoleAnswer,
    ConsoleBusy,
    ConsoleSettings,
    ConsoleUnavailable,
    QueryRejected,
    QueryTooLarge,
    Result,
    hidden_columns,
)
from .sql_guard_postgres import PostgresBackend
from .sql_guard_sqlite import SQLiteBackend


def console_from_config(config: Mapping[str, Any]) -> Console:
    """Return the console the settings describe (DATABASE_URL, READONLY_DATABASE_URL, SQL_*)."""
    return Console(
        config["DATABASE_URL"],
        readonly_url=config.get("READONLY_DATABASE_URL") or None,
        settings=ConsoleSettings.from_config(config),
    )


# --- The console ---------------------------------------------------------------------------


class ResultStream:
    """Every row of a query, read as it is iterated; close it (or use `with`) when done.

    Iterating raises QueryTooLarge when the rows would pass the download's byte budget,
    QueryTimedOut at the time limit: the download is then broken off, never cut silently.
    """

    def __init__(self, answer: ConsoleAnswer, budget: int, row_max: int, stack: ExitStack) -> None:
        self.columns = answer.columns
        self._answer = answer
        self._budget = budget
        self._row_max = row_max
        self._left = budget
        self._stack = stack

    def __iter__(self) -> Iterator[tuple]:
        while True:
            try:
                read = self._answer.next_row(min(self._left, self._row_max))
            except sql_pool.OverBudget:
                if self._left > self._row_max:
                    raise QueryTooLarge(
                        f"A row is larger than the {self._row_max:,} bytes a row may hold"
                        " (four times COUNTERCLAIM_SQL_VALUE_MAX_BYTES): the download was"
                        " broken off. Select fewer or shorter columns."
                    ) from None
                raise QueryTooLarge(
                    f"The result is larger than the {self._budget:,} bytes a download may hold"
                    " (COUNTERCLAIM_SQL_DOWNLOAD_MAX_BYTES): the download was broken off."
                    " Narrow the query or select fewer columns."
                ) from None
            if read is None:
                return
            row, size = read
            self._left -= size
            yield row

    def close(self) -> None:
        """Release the worker and the console slot (safe to call twice)."""
        self._stack.close()

    def __enter__(self) -> ResultStream:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class Console:
    """Runs researchers' read-only SQL against one database."""

    def __init__(
        self,
        database_url: str,
        *,
        readonly_url: str | None = None,
        settings: ConsoleSettings | None = None,
        hidden: frozenset[tuple[str, str]] | None = None,
    ) -> None:
        self.settings = settings or ConsoleSettings()
        self.hidden = hidden_columns() if hidden is None else hidden
        self._slots = threading.BoundedSemaphore(self.settings.concurrency)
        self._backend = _backend_for(database_url, readonly_url, self.settings, self.hidden)

    @property
    def engine_name(self) -> str:
        return "sqlite" if isinstance(self._backend, SQLiteBackend) else "postgresql"

    def run(self, sql: str, values: Mapping[str, Any] | None = None) -> Result:
        """Run `sql` and return its first rows within the row limit and the page's bytes."""
        sql = self._check(sql)
        started = time.monotonic()
        limit, left = self.settings.row_limit, self.settings.page_max_bytes
        rows: list[tuple] = []
        cut_by = None
        with self._slot(), self._backend.open(sql, values or {}, page_rows=limit + 1) as answer:
            while True:
                try:
                    read = answer.next_row(left)
                except sql_pool.OverBudget:
                    cut_by = "bytes"
                    break
                if read is None:
                    break
                if len(rows) == limit:
                    cut_by = "rows"
                    break
                rows.append(read[0])
                left -= read[1]
            columns = answer.columns
        elapsed_ms = (time.monotonic() - started) * 1000
        return Result(columns, rows, cut_by is not None, elapsed_ms, cut_by)

    def stream(self, sql: str, values: Mapping[str, Any] | None = None) -> ResultStream:
        """Start `sql` and return a stream of all its rows.

        The statement is prepared and started here, so that most errors are raised before
        a caller starts answering; a later one (time, size) is raised while iterating.
        """
        sql = self._check(sql)
        stack = ExitStack()
        try:
            stack.enter_context(self._slot())
            answer = stack.enter_context(self._backend.open(sql, values or {}, page_rows=None))
        except BaseException:
            stack.close()
            raise
        settings = self.settings
        return ResultStream(answer, settings.download_max_bytes, settings.row_max_bytes, stack)

    def dispose(self) -> None:
        """Stop the idle workers."""
        self._backend.dispose()

    def _check(self, sql: str) -> str:
        if not sql or not sql.strip():
            raise QueryRejected("Write a query first.")
        if len(sql) > self.settings.max_sql_length:
            raise QueryRejected(
                f"The query is {len(sql):,} characters long; the console takes at most "
                f"{self.settings.max_sql_length:,}."
            )
        return sql

    @contextmanager
    def _slot(self) -> Iterator[None]:
        if not self._slots.acquire(blocking=False):
            raise ConsoleBusy(
                f"The SQL console is busy: {self.settings.concurrency} queries are running. "
                "Try again in a few seconds."
            )
        try:
            yield
        finally:
            self._slots.release()


def _backend_for(
    database_url: str,
    readonly_url: str | None,
    settings: ConsoleSettings,
    hidden: frozenset[tuple[str, str]],
) -> _Backend:
    try:
        url = make_url(database_url)
    except ArgumentError as error:
        raise ConsoleUnavailable(f"The database URL is not valid: {error}") from error
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            return _Unavailable("The SQL console needs a SQLite database file.")
        return SQLiteBackend(Path(url.database).resolve(), settings, hidden)
    if backend == "postgresql":
        if not readonly_url:
            return _Unavailable(
                "On PostgreSQL the SQL console runs as a read-only role: create it with "
                "`counterclaim db create-readonly-role` and set "
                "COUNTERCLAIM_READONLY_DATABASE_URL to the URL it prints."
            )
        return PostgresBackend(readonly_url, settings, hidden)
    return _Unavailable(f"The SQL console does not support {backend} databases.")


class _Backend(Protocol):
    def open(self, sql: str, values: Mapping[str, Any], *, page_rows: int | None) -> Any: ...

    def dispose(self) -> None: ...


class _Unavailable:
    def __init__(self, reason: str) -> None:
        self.reason = reason

    def open(self, sql: str, values: Mapping[str, Any], *, page_rows: int | None):
        raise ConsoleUnavailable(self.reason)

    def dispose(self) -> None:
        pass
