"""The read-only SQL console: a researcher's one statement, run safely on either engine.

Safety is the database's own, in layers; no layer is string matching. Every statement
runs in a worker process (research/sql_worker.py, driven by research/sql_pool.py) whose
address space is capped and which the server kills when its time is up, so no statement
can hold the server's memory or a core past its limit, whatever one function call costs.

SQLite (in the worker)
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
PostgreSQL
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

import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import create_engine, text
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.sql.compiler import BIND_PARAMS, BIND_PARAMS_ESC

from counterclaim.models import Base
from counterclaim.models.base import secret_columns

from ..errors import DomainError
from . import sql_pool, sql_worker
from .sql_pool import Blob

__all__ = ["Blob", "Console", "ConsoleSettings", "console_from_config", "hidden_columns"]

#: The columns of `users` the console shows: who someone is, as every page shows it beside
#: their work. Roles, activity and the rest are the admins' business (/users/), and the
#: secrets (password hash, session token) are nobody's.
ACCOUNT_COLUMNS = frozenset({"id", "username", "display_name"})


def hidden_columns(metadata=Base.metadata) -> frozenset[tuple[str, str]]:
    """Return the (table, column) pairs the console never reads: secrets and account details."""
    hidden = set(secret_columns(metadata))
    users = metadata.tables.get("users")
    if users is not None:
        hidden |= {("users", c.name) for c in users.columns if c.name not in ACCOUNT_COLUMNS}
    return frozenset(hidden)


# --- Settings and outcomes ---------------------------------------------------------------


@dataclass(frozen=True)
class ConsoleSettings:
    """How long a query may run, how many rows a page shows, how many run at once."""

    time_limit: float = 5.0
    row_limit: int = 1000
    concurrency: int = 2
    max_sql_length: int = 20_000
    #: Bytes of any one value (text or blob) a query may build or return.
    value_max_bytes: int = 4_000_000
    #: Bytes of values one page of results may hold before it is cut.
    page_max_bytes: int = 4_000_000
    #: Bytes of values a download (CSV, JSON) may hold; past it the download is broken off.
    download_max_bytes: int = 100_000_000

    _SETTINGS = (
        ("SQL_TIME_LIMIT", "time_limit", float, "a number of seconds above 0"),
        ("SQL_ROW_LIMIT", "row_limit", int, "a whole number of rows above 0"),
        ("SQL_CONCURRENCY", "concurrency", int, "a whole number of queries above 0"),
        ("SQL_VALUE_MAX_BYTES", "value_max_bytes", int, "a whole number of bytes above 0"),
        ("SQL_PAGE_MAX_BYTES", "page_max_bytes", int, "a whole number of bytes above 0"),
        ("SQL_DOWNLOAD_MAX_BYTES", "download_max_bytes", int, "a whole number of bytes above 0"),
    )

    @property
    def row_max_bytes(self) -> int:
        """The largest row a download holds in the server's memory at once."""
        return 4 * self.value_max_bytes

    @property
    def worker_memory_bytes(self) -> int:
        """The address-space cap of a worker process: its interpreter, and a few values."""
        return 400_000_000 + 8 * self.value_max_bytes

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ConsoleSettings:
        """Read the SQL_* settings; refuse bad values with the setting's name."""
        values = {}
        for key, attribute, kind, expected in cls._SETTINGS:
            raw = config.get(key)
            if raw is None or raw == "":
                continue
            try:
                value = kind(raw)
            except (TypeError, ValueError):
                value = None
            if value is None or not value > 0 or value != value:  # NaN
                raise ConsoleUnavailable(f"COUNTERCLAIM_{key} must be {expected}, not {raw!r}.")
            values[attribute] = value
        return cls(**values)


class ConsoleError(DomainError):
    """A query the console did not run to its end; `str()` is the message to show."""

    title = "The query failed"

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        #: Where in the SQL the database found the problem (1-based character), if known.
        self.position = position


class QueryRejected(ConsoleError):
    """The console did not send the query: empty, too long, or a parameter missing."""

    title = "The query was not run"


class QueryDenied(ConsoleError):
    """The database refused the statement: it would write, or read a secret."""

    title = "Refused: the console only reads"


class QueryFailed(ConsoleError):
    """The database reported an error: syntax, an unknown column, a bad value."""

    title = "The database reported an error"


class QueryTimedOut(ConsoleError):
    """The query reached the time limit and was stopped."""

    title = "Stopped at the time limit"


class QueryTooLarge(ConsoleError):
    """A value, or the whole download, was larger than the console allows."""

    title = "Stopped at the size limit"


class ConsoleBusy(ConsoleError):
    """Every console slot is taken; try again shortly."""

    title = "The console is busy"


class ConsoleUnavailable(ConsoleError):
    """The console cannot run queries here until it is set up (see the message)."""

    title = "The SQL console is not available"


@dataclass
class Result:
    """One page of a query's result."""

    columns: list[str]
    rows: list[tuple]
    truncated: bool
    elapsed_ms: float
    #: Why the page was cut: "rows" (the row limit) or "bytes" (the page's byte budget).
    cut_by: str | None = None

    @property
    def row_count(self) -> int:
        return len(self.rows)


def console_from_config(config: Mapping[str, Any]) -> Console:
    """Return the console the settings describe (DATABASE_URL, READONLY_DATABASE_URL, SQL_*)."""
    return Console(
        config["DATABASE_URL"],
        readonly_url=config.get("READONLY_DATABASE_URL") or None,
        settings=ConsoleSettings.from_config(config),
    )


def line_and_column(sql: str, position: int) -> tuple[int, int]:
    """Return the 1-based (line, column) of the 1-based character `position` in `sql`."""
    before = sql[: max(position - 1, 0)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def parameter_names(sql: str) -> list[str]:
    """Return the names of the query's :named parameters, in the order they first appear.

    SQLAlchemy's text() finds them (`::` casts are not parameters; write `\\:name` for a
    literal colon-word).
    """
    return list(text(sql).compile().params)


# --- The console ---------------------------------------------------------------------------


class ResultStream:
    """Every row of a query, read as it is iterated; close it (or use `with`) when done.

    Iterating raises QueryTooLarge when the rows would pass the download's byte budget,
    QueryTimedOut at the time limit: the download is then broken off, never cut silently.
    """

    def __init__(self, answer: _Answer, budget: int, row_max: int, stack: ExitStack) -> None:
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
        return "sqlite" if isinstance(self._backend, _SQLiteBackend) else "postgresql"

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


def _bind(sql: str, dialect, values: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Compile `sql`'s :named parameters for `dialect`; every one needs a value."""
    compiled = text(sql).compile(dialect=dialect)
    missing = [name for name in compiled.params if name not in values]
    if missing:
        names = ", ".join(f":{name}" for name in missing)
        raise QueryRejected(f"Give a value for {names}.")
    return compiled.string, {name: values[name] for name in compiled.params}


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
        return _SQLiteBackend(Path(url.database).resolve(), settings, hidden)
    if backend == "postgresql":
        if not readonly_url:
            return _Unavailable(
                "On PostgreSQL the SQL console runs as a read-only role: create it with "
                "`counterclaim db create-readonly-role` and set "
                "COUNTERCLAIM_READONLY_DATABASE_URL to the URL it prints."
            )
        return _PostgresBackend(readonly_url, settings, hidden)
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


class _Answer:
    """A query's answer from its worker, its errors told in the console's words."""

    def __init__(self, pool, request: dict, settings: ConsoleSettings, translate) -> None:
        self._translate = translate
        self._settings = settings
        try:
            self._answer = sql_pool.Answer(pool, request, settings.time_limit + sql_pool.GRACE)
        except BaseException as error:
            raise self._console_error(error) from None
        self.columns = self._answer.columns

    def next_row(self, allowance: int) -> tuple[tuple, int] | None:
        try:
            return self._answer.next_row(allowance)
        except sql_pool.OverBudget:
            raise
        except BaseException as error:
            raise self._console_error(error) from None

    def close(self) -> None:
        self._answer.close()

    def _console_error(self, error: BaseException) -> BaseException:
        if isinstance(error, sql_pool.WorkerTimedOut):
            return _timed_out(self._settings.time_limit)
        if isinstance(error, sql_pool.WorkerDied):
            return QueryTooLarge(
                "The query needed more memory than a console query may use and was stopped."
                " Narrow it (a WHERE, a LIMIT) or select fewer or shorter values."
            )
        if isinstance(error, sql_pool.WorkerError):
            details = error.details
            kind, message = details.get("kind"), details.get("message", "")
            if kind == "timeout" or details.get("sqlstate") == "57014":  # query_canceled
                return _timed_out(self._settings.time_limit)
            if kind in ("too_large", "memory"):
                if kind == "memory":
                    message = (
                        "The query needed more memory than a console query may use"
                        f" ({message}). Narrow it or select fewer or shorter values."
                    )
                return QueryTooLarge(message)
            return self._translate(details)
        return error


def _timed_out(limit: float) -> QueryTimedOut:
    return QueryTimedOut(
        f"The query ran for longer than the {limit:g} s limit and was stopped. "
        "Narrow it (a WHERE, a LIMIT) or ask for a longer limit."
    )


def _request(sql: str, params: dict, settings: ConsoleSettings, hidden, page_rows) -> dict:
    return {
        "sql": sql,
        "params": params,
        "time_limit": settings.time_limit,
        "value_max": settings.value_max_bytes,
        "max_rows": page_rows,
        "summarise_blobs": page_rows is not None,
        "hidden": sorted(hidden),
    }


# --- SQLite ----------------------------------------------------------------------------------


class _SQLiteBackend:
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
    ) -> Iterator[_Answer]:
        statement, params = _bind(sql, self._dialect, values)
        params = {name: _number_or_text(value) for name, value in params.items()}
        if not self.path.is_file():
            raise ConsoleUnavailable(f"The database file {self.path.name} does not exist yet.")
        request = _request(statement, params, self.settings, self.hidden, page_rows)
        request.update(
            engine="sqlite",
            uri=f"{self.path.as_uri()}?mode=ro",
            max_sql_bytes=4 * self.settings.max_sql_length,
            heap_max=self.settings.worker_memory_bytes // 2,
        )
        answer = _Answer(self._pool, request, self.settings, self._translate(statement))
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


# --- PostgreSQL --------------------------------------------------------------------------

#: Predefined roles whose members could read files, run programs, signal other sessions or
#: read and write everything: the console's role must be in none of them.
_POWERFUL_ROLES = [
    "pg_read_server_files",
    "pg_write_server_files",
    "pg_execute_server_program",
    "pg_signal_backend",
    "pg_read_all_data",
    "pg_write_all_data",
]

_CURSOR_NAME = sql_worker.CURSOR_NAME


class _PostgresBackend:
    def __init__(
        self, url: str, settings: ConsoleSettings, hidden: frozenset[tuple[str, str]]
    ) -> None:
        try:
            engine = create_engine(url)
        except (ArgumentError, ImportError) as error:
            raise ConsoleUnavailable(f"COUNTERCLAIM_READONLY_DATABASE_URL: {error}") from error
        if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
            raise ConsoleUnavailable(
                "COUNTERCLAIM_READONLY_DATABASE_URL must be a postgresql+psycopg:// URL."
            )
        self._dialect = engine.dialect
        _args, self._connect_args = engine.dialect.create_connect_args(engine.url)
        self._connect_args.pop("context", None)
        engine.dispose()
        self.settings = settings
        self.hidden = hidden
        self._role_checked = False
        self._lock = threading.Lock()
        self._pool = sql_pool.WorkerPool(
            "postgresql", settings.worker_memory_bytes, settings.concurrency
        )

    @contextmanager
    def open(
        self, sql: str, values: Mapping[str, Any], *, page_rows: int | None
    ) -> Iterator[_Answer]:
        statement, params = _bind(sql, self._dialect, values)
        self._check_role()
        request = _request(statement, params, self.settings, self.hidden, page_rows)
        request.update(engine="postgresql", connect=self._connect_args)
        answer = _Answer(
            self._pool, request, self.settings, lambda d: _pg_error(d, sql, self.hidden)
        )
        try:
            yield answer
        finally:
            answer.close()

    def dispose(self) -> None:
        self._pool.close()

    def _check_role(self) -> None:
        """Refuse a role that could write, read a hidden column, or reach outside."""
        if self._role_checked:
            return
        import psycopg

        with self._lock:
            if self._role_checked:
                return
            try:
                with psycopg.connect(**self._connect_args, connect_timeout=5) as connection:
                    problems = _role_problems(connection, self.hidden)
                    connection.rollback()
            except psycopg.Error as error:
                raise ConsoleUnavailable(
                    f"Cannot connect as the read-only role: {_primary(error)}"
                ) from error
            if problems:
                raise ConsoleUnavailable(
                    f"The read-only role {problems[0]}; the console will not use it. "
                    "Create the role with `counterclaim db create-readonly-role`."
                )
            self._role_checked = True


def _role_problems(connection, hidden: frozenset[tuple[str, str]]) -> list[str]:
    cursor = connection.cursor()
    name, powerful = cursor.execute(
        "SELECT current_user, rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls"
        " OR rolreplication FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    problems = []
    if powerful:
        problems.append(f"{name} is a superuser or may create roles or databases")
    members = cursor.execute(
        "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)"
        " AND pg_has_role(current_user, oid, 'USAGE')",
        [_POWERFUL_ROLES],
    ).fetchall()
    problems += [f"{name} has the powers of {member}" for (member,) in members]
    writable = cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
        " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
        " AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER')"
        " ORDER BY c.relname"
    ).fetchall()
    problems += [f"{name} may write to {table}" for (table,) in writable]
    for table, column in sorted(hidden):
        readable = cursor.execute(
            "SELECT to_regclass(%s) IS NOT NULL AND has_column_privilege(%s, %s, 'SELECT')",
            [table, table, column],
        ).fetchone()[0]
        if readable:
            problems.append(f"{name} may read the hidden column {table}.{column}")
    return problems


def _pg_error(details: dict, user_sql: str, hidden) -> ConsoleError:
    """Translate a PostgreSQL error the worker reported into the console's words."""
    from psycopg import errors

    message = details.get("message", "")
    sqlstate = details.get("sqlstate")
    kind = errors.lookup(sqlstate) if sqlstate else errors.OperationalError
    if issubclass(kind, errors.QueryCanceled):
        return QueryTimedOut(message)
    if issubclass(kind, errors.InsufficientPrivilege | errors.ReadOnlySqlTransaction):
        return QueryDenied(f"{message}: the console only reads{_hidden_in(message, hidden)}.")
    if issubclass(kind, errors.FeatureNotSupported):
        return QueryDenied(message)
    if not sqlstate:
        return QueryFailed(f"The database closed the connection: {message}")
    position = _user_position(user_sql, details.get("statement_position"))
    if issubclass(kind, errors.SyntaxError) and _is_first_word(user_sql, position):
        # DECLARE ... CURSOR FOR takes a query only: any other statement fails here.
        return QueryDenied(
            f"{message}: the console runs one query (SELECT, WITH … SELECT, VALUES).",
            position=position,
        )
    return QueryFailed(message, position=position)


def _hidden_in(message: str, hidden) -> str:
    """Name the hidden columns of the table a permission error names, if any."""
    match = re.search(r"permission denied for table (\w+)", message)
    names = sorted(f"{t}.{c}" for t, c in hidden if match and t == match.group(1))
    if not names:
        return ""
    return f"; {', '.join(names)} are hidden from the console: name the columns you need"


def _primary(error) -> str:
    diag = getattr(error, "diag", None)
    message = (diag and diag.message_primary) or str(error).strip() or type(error).__name__
    hint = diag and diag.message_hint
    return f"{message} (hint: {hint})" if hint else message


_LEADING_COMMENTS = re.compile(r"(\s+|--[^\n]*(\n|$)|/\*.*?\*/)*", re.DOTALL)


def _is_first_word(sql: str, position: int | None) -> bool:
    """Tell whether `position` is where the statement's first word is."""
    return position is not None and _LEADING_COMMENTS.match(sql).end() == position - 1


def _user_position(sql: str, sent_position: str | None) -> int | None:
    """Map PostgreSQL's position in the statement it ran back to the researcher's SQL.

    What PostgreSQL ran is psycopg's `DECLARE "<cursor>" CURSOR FOR ` followed by the SQL
    with each :name replaced by $1, $2... (one number per name) and each `\\:` by `:`.
    """
    if not sent_position or not str(sent_position).isdigit():
        return None
    offset = int(sent_position) - 1 - len(f'DECLARE "{_CURSOR_NAME}" CURSOR FOR ')
    if offset < 0:
        return None
    numbers: dict[str, int] = {}
    edits = []  # (start in sql, length in sql, length sent)
    for match in BIND_PARAMS.finditer(sql):
        number = numbers.setdefault(match.group(1), len(numbers) + 1)
        edits.append((match.start(), match.end() - match.start(), len(f"${number}")))
    edits += [(match.start(), 1, 0) for match in BIND_PARAMS_ESC.finditer(sql)]
    shift = 0
    for start, length, sent in sorted(edits):
        if offset < start + shift:
            break
        if offset < start + shift + sent:
            return start + 1
        shift += sent - length
    position = offset - shift
    return position + 1 if 0 <= position < len(sql) else None
