"""The read-only SQL console: a researcher's one statement, run safely on either engine.

Safety is the database's own, in layers; no layer is string matching:

SQLite
  - a connection of its own, opened `mode=ro` and with `PRAGMA query_only`;
  - an authorizer that allows reading only: SELECT, reads of columns (never a secret
    one), functions (never load_extension and its kind), recursive CTEs and a few
    introspection PRAGMAs. Writes, DDL, ATTACH/DETACH, transactions and every other
    PRAGMA are denied when the statement is prepared, before anything runs;
  - SQLITE_LIMIT_ATTACHED 0 (`mode=ro` alone still lets ATTACH create a new file), and
    limits on the SQL's length and on any one value's length;
  - a progress handler that stops the statement when its time is up; Python's sqlite3
    runs one statement per call.
PostgreSQL
  - a login role that may only CONNECT, USE the schema and SELECT (never a secret
    column), made by `counterclaim db create-readonly-role`; the console checks the role
    before its first query and refuses one that could write or read a secret;
  - each query runs in a READ ONLY transaction with SET LOCAL statement_timeout, as a
    server-side cursor (DECLARE ... CURSOR FOR takes a SELECT or VALUES only, and no
    data-modifying WITH) sent over the extended protocol (one statement only).
Both
  - the SQL's length is capped; a page fetches at most `row_limit + 1` rows, so a cut
    result is known to be cut; downloads stream every row within the same time limit
    (time spent in the database, so a slow reader is not cut off);
  - at most `concurrency` console queries run at once: more are told the console is busy,
    so research cannot starve the workbench.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
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

from .errors import DomainError

#: Rows fetched from the database at a time.
BATCH = 500
#: The longest value (text or blob, in bytes) a SQLite query may make or return.
MAX_VALUE_BYTES = 10_000_000

# --- Settings and outcomes ---------------------------------------------------------------


@dataclass(frozen=True)
class ConsoleSettings:
    """How long a query may run, how many rows a page shows, how many run at once."""

    time_limit: float = 5.0
    row_limit: int = 1000
    concurrency: int = 2
    max_sql_length: int = 20_000
    #: Characters of values one page of results may hold before it is cut.
    max_page_chars: int = 20_000_000

    _SETTINGS = (
        ("SQL_TIME_LIMIT", "time_limit", float, "a number of seconds above 0"),
        ("SQL_ROW_LIMIT", "row_limit", int, "a whole number of rows above 0"),
        ("SQL_CONCURRENCY", "concurrency", int, "a whole number of queries above 0"),
    )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ConsoleSettings:
        """Read SQL_TIME_LIMIT, SQL_ROW_LIMIT and SQL_CONCURRENCY; refuse bad values."""
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


class _Cursor(Protocol):
    columns: list[str]

    def fetch(self, size: int) -> list[tuple]: ...


class _Backend(Protocol):
    def open(self, sql: str, values: Mapping[str, Any]) -> Any: ...

    def dispose(self) -> None: ...


class ResultStream:
    """Every row of a query, fetched as it is read; close it (or use `with`) when done."""

    def __init__(self, columns: list[str], first: list[tuple], cursor: _Cursor, stack: ExitStack):
        self.columns = columns
        self._first = first
        self._cursor = cursor
        self._stack = stack

    def __iter__(self) -> Iterator[tuple]:
        batch = self._first
        while batch:
            yield from batch
            batch = self._cursor.fetch(BATCH)

    def close(self) -> None:
        """Release the connection and the console slot (safe to call twice)."""
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
        secrets: frozenset[tuple[str, str]] | None = None,
    ) -> None:
        self.settings = settings or ConsoleSettings()
        self.secrets = secret_columns(Base.metadata) if secrets is None else secrets
        self._slots = threading.BoundedSemaphore(self.settings.concurrency)
        self._backend = _backend_for(database_url, readonly_url, self.settings, self.secrets)

    @property
    def engine_name(self) -> str:
        return "sqlite" if isinstance(self._backend, _SQLiteBackend) else "postgresql"

    def run(self, sql: str, values: Mapping[str, Any] | None = None) -> Result:
        """Run `sql` and return its first `row_limit` rows, saying whether it was cut."""
        sql = self._check(sql)
        started = time.monotonic()
        limit, budget = self.settings.row_limit, self.settings.max_page_chars
        with self._slot(), self._backend.open(sql, values or {}) as cursor:
            rows: list[tuple] = []
            truncated = False
            while len(rows) <= limit:
                batch = cursor.fetch(min(BATCH, limit + 1 - len(rows)))
                if not batch:
                    break
                rows.extend(batch)
                budget -= sum(_size(value) for row in batch for value in row)
                if budget < 0:
                    truncated = True
                    break
            if len(rows) > limit:
                truncated, rows = True, rows[:limit]
            columns = cursor.columns
        elapsed_ms = (time.monotonic() - started) * 1000
        return Result(columns=columns, rows=rows, truncated=truncated, elapsed_ms=elapsed_ms)

    def stream(self, sql: str, values: Mapping[str, Any] | None = None) -> ResultStream:
        """Start `sql` and return a stream of all its rows.

        The first rows are fetched here, so that most errors are raised before a caller
        starts answering; a later one (the time limit) is raised while iterating.
        """
        sql = self._check(sql)
        stack = ExitStack()
        try:
            stack.enter_context(self._slot())
            cursor = stack.enter_context(self._backend.open(sql, values or {}))
            first = cursor.fetch(BATCH)
        except BaseException:
            stack.close()
            raise
        return ResultStream(cursor.columns, first, cursor, stack)

    def dispose(self) -> None:
        """Release what the console holds."""
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


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes) else 8


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
    secrets: frozenset[tuple[str, str]],
) -> _Backend:
    try:
        url = make_url(database_url)
    except ArgumentError as error:
        raise ConsoleUnavailable(f"The database URL is not valid: {error}") from error
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            return _Unavailable("The SQL console needs a SQLite database file.")
        return _SQLiteBackend(Path(url.database).resolve(), settings, secrets)
    if backend == "postgresql":
        if not readonly_url:
            return _Unavailable(
                "On PostgreSQL the SQL console runs as a read-only role: create it with "
                "`counterclaim db create-readonly-role` and set "
                "COUNTERCLAIM_READONLY_DATABASE_URL to the URL it prints."
            )
        return _PostgresBackend(readonly_url, settings, secrets)
    return _Unavailable(f"The SQL console does not support {backend} databases.")


class _Unavailable:
    def __init__(self, reason: str) -> None:
        self.reason = reason

    def open(self, sql: str, values: Mapping[str, Any]):
        raise ConsoleUnavailable(self.reason)

    def dispose(self) -> None:
        pass


class _Budget:
    """Time left for a query, spent only while the database works on it."""

    def __init__(self, seconds: float) -> None:
        self.limit = seconds
        self.left = seconds

    @contextmanager
    def spend(self) -> Iterator[float]:
        started = time.monotonic()
        try:
            yield self.left
        finally:
            self.left -= time.monotonic() - started

    def exhausted(self) -> QueryTimedOut:
        return QueryTimedOut(
            f"The query ran for longer than the {self.limit:g} s limit and was stopped. "
            "Narrow it (a WHERE, a LIMIT) or ask for a longer limit."
        )


# --- SQLite ----------------------------------------------------------------------------------

#: PRAGMAs that only describe the schema (their argument names a table or an index).
READ_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "collation_list",
        "function_list",
        "pragma_list",
    }
)

#: Functions the console never calls: they load code, touch files or the tokenizer table.
DENIED_FUNCTIONS = frozenset(
    {"load_extension", "fts3_tokenizer", "readfile", "writefile", "edit", "sqlite_dbpage"}
)

_ACTION_NAMES = {
    getattr(sqlite3, f"SQLITE_{name}"): name.replace("_", " ")
    for name in (
        "ALTER_TABLE", "ANALYZE", "ATTACH", "CREATE_INDEX", "CREATE_TABLE",
        "CREATE_TEMP_INDEX", "CREATE_TEMP_TABLE", "CREATE_TEMP_TRIGGER", "CREATE_TEMP_VIEW",
        "CREATE_TRIGGER", "CREATE_VIEW", "CREATE_VTABLE", "DELETE", "DETACH", "DROP_INDEX",
        "DROP_TABLE", "DROP_TEMP_INDEX", "DROP_TEMP_TABLE", "DROP_TEMP_TRIGGER",
        "DROP_TEMP_VIEW", "DROP_TRIGGER", "DROP_VIEW", "DROP_VTABLE", "INSERT", "PRAGMA",
        "REINDEX", "SAVEPOINT", "TRANSACTION", "UPDATE",
    )
    if hasattr(sqlite3, f"SQLITE_{name}")
}  # fmt: skip


class _Authorizer:
    """SQLite's authorizer callback: allow reading, deny everything else, say why."""

    def __init__(self, secrets: frozenset[tuple[str, str]]) -> None:
        self.secrets = secrets
        self.refusal: str | None = None

    def __call__(self, action: int, arg1, arg2, _database, _source) -> int:
        if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_RECURSIVE):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ:
            if (arg1, arg2) in self.secrets:
                return self._deny(f"{arg1}.{arg2} is a secret column: the console never reads it")
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION:
            if str(arg2).lower() in DENIED_FUNCTIONS:
                return self._deny(f"the function {arg2}() is not allowed")
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and str(arg1).lower() in READ_PRAGMAS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master":
            # What SQLite reports while it sets up json_each, pragma_table_info and the like.
            return self._deny(
                "table-valued functions (json_each, pragma_table_info...) are not available:"
                " SQLite sets them up as a schema write"
            )
        what = _ACTION_NAMES.get(action, f"action {action}")
        target = f" {arg1}" if isinstance(arg1, str) and arg1 else ""
        return self._deny(f"the console only reads; {what}{target} is not allowed")

    def _deny(self, reason: str) -> int:
        self.refusal = self.refusal or reason
        return sqlite3.SQLITE_DENY


class _SQLiteBackend:
    def __init__(
        self, path: Path, settings: ConsoleSettings, secrets: frozenset[tuple[str, str]]
    ) -> None:
        self.path = path
        self.settings = settings
        self.secrets = secrets
        self._dialect = sqlite_dialect.dialect(paramstyle="named")

    @contextmanager
    def open(self, sql: str, values: Mapping[str, Any]) -> Iterator[_Cursor]:
        statement, params = _bind(sql, self._dialect, values)
        params = {name: _number_or_text(value) for name, value in params.items()}
        authorizer = _Authorizer(self.secrets)
        connection = self._connect(authorizer)
        try:
            yield _SQLiteCursor(
                connection, statement, params, _Budget(self.settings.time_limit), authorizer
            )
        finally:
            connection.close()

    def dispose(self) -> None:
        pass

    def _connect(self, authorizer: _Authorizer) -> sqlite3.Connection:
        if not self.path.is_file():
            raise ConsoleUnavailable(f"The database file {self.path.name} does not exist yet.")
        try:
            connection = sqlite3.connect(
                f"{self.path.as_uri()}?mode=ro",
                uri=True,
                timeout=1.0,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as error:
            raise ConsoleUnavailable(f"Cannot open the database read-only: {error}") from error
        try:
            connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
            connection.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 4 * self.settings.max_sql_length)
            connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
            connection.execute("PRAGMA query_only = ON")
            connection.execute("PRAGMA trusted_schema = OFF")
            connection.set_authorizer(authorizer)
        except BaseException:
            connection.close()
            raise
        return connection


class _SQLiteCursor:
    def __init__(
        self,
        connection: sqlite3.Connection,
        sql: str,
        params: dict[str, Any],
        budget: _Budget,
        authorizer: _Authorizer,
    ) -> None:
        self._sql = sql
        self._budget = budget
        self._authorizer = authorizer
        self._deadline = float("inf")
        connection.set_progress_handler(self._past_deadline, 1000)
        self._cursor = self._timed(connection.execute, sql, params)
        self.columns = [column[0] for column in self._cursor.description or ()]

    def fetch(self, size: int) -> list[tuple]:
        if not self.columns:
            return []
        return self._timed(self._cursor.fetchmany, size)

    def _past_deadline(self) -> int:
        return 1 if time.monotonic() > self._deadline else 0

    def _timed(self, step: Callable, *args):
        with self._budget.spend() as left:
            self._deadline = time.monotonic() + left
            try:
                return step(*args)
            except (sqlite3.Error, sqlite3.Warning) as error:
                raise self._translate(error) from None

    def _translate(self, error: Exception) -> ConsoleError:
        message = str(error)
        code = getattr(error, "sqlite_errorcode", None)
        if self._authorizer.refusal:
            return QueryDenied(f"{message}: {self._authorizer.refusal}.")
        if code == sqlite3.SQLITE_INTERRUPT:
            return self._budget.exhausted()
        if code == sqlite3.SQLITE_READONLY or "too many attached databases" in message:
            return QueryDenied(f"{message}: the console only reads.")
        if isinstance(error, sqlite3.ProgrammingError | sqlite3.Warning):
            return QueryRejected(message)
        return QueryFailed(message, position=_near_position(message, self._sql))


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

_CURSOR_NAME = "counterclaim_console"


class _PostgresBackend:
    def __init__(
        self, url: str, settings: ConsoleSettings, secrets: frozenset[tuple[str, str]]
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
        self.secrets = secrets
        self._role_checked = False
        self._lock = threading.Lock()

    @contextmanager
    def open(self, sql: str, values: Mapping[str, Any]) -> Iterator[_Cursor]:
        import psycopg

        statement, params = _bind(sql, self._dialect, values)
        try:
            connection = psycopg.connect(
                **self._connect_args,
                application_name="counterclaim-sql-console",
                options="-c default_transaction_read_only=on",
                connect_timeout=5,
            )
        except psycopg.Error as error:
            raise ConsoleUnavailable(
                f"Cannot connect as the read-only role: {_primary(error)}"
            ) from error
        cursor = None
        try:
            self._check_role(connection)
            cursor = _PostgresCursor(connection, sql, self.settings, self.secrets)
            cursor.start(statement, params)
            yield cursor
        finally:
            if cursor is not None:
                cursor.close()
            connection.close()

    def dispose(self) -> None:
        pass

    def _check_role(self, connection) -> None:
        """Refuse a role that could write, read a secret, or reach outside the database."""
        if self._role_checked:
            return
        with self._lock:
            if not self._role_checked:
                problems = _role_problems(connection, self.secrets)
                connection.rollback()
                if problems:
                    raise ConsoleUnavailable(
                        f"The read-only role {problems[0]}; the console will not use it. "
                        "Create the role with `counterclaim db create-readonly-role`."
                    )
                self._role_checked = True


def _role_problems(connection, secrets: frozenset[tuple[str, str]]) -> list[str]:
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
    for table, column in sorted(secrets):
        readable = cursor.execute(
            "SELECT to_regclass(%s) IS NOT NULL AND has_column_privilege(%s, %s, 'SELECT')",
            [table, table, column],
        ).fetchone()[0]
        if readable:
            problems.append(f"{name} may read the secret column {table}.{column}")
    return problems


class _PostgresCursor:
    def __init__(
        self,
        connection,
        user_sql: str,
        settings: ConsoleSettings,
        secrets: frozenset[tuple[str, str]],
    ) -> None:
        self._user_sql = user_sql
        self._secrets = secrets
        self._settings = settings
        self._budget = _Budget(settings.time_limit)
        connection.read_only = True  # psycopg begins with BEGIN READ ONLY
        self._control = connection.cursor()
        self._cursor = connection.cursor(name=_CURSOR_NAME)
        self.columns: list[str] = []

    def start(self, statement: str, params: dict[str, Any]) -> None:
        """Begin the read-only transaction with its timeouts and DECLARE the cursor."""
        self._timed(lambda: self._control.execute("SET TRANSACTION READ ONLY"))
        self._control.execute(
            "SELECT set_config('lock_timeout', %s, true),"
            " set_config('idle_in_transaction_session_timeout', %s, true)",
            [f"{int(self._settings.time_limit * 1000)}ms", "60s"],
        )
        self._timed(lambda: self._cursor.execute(statement, params))
        self.columns = [column.name for column in self._cursor.description or ()]

    def close(self) -> None:
        import psycopg

        for cursor in (self._cursor, self._control):
            with suppress(psycopg.Error):
                cursor.close()

    def fetch(self, size: int) -> list[tuple]:
        if not self.columns:
            return []
        return self._timed(lambda: self._cursor.fetchmany(size))

    def _timed(self, step: Callable):
        import psycopg

        with self._budget.spend() as left:
            try:
                if left <= 0:
                    raise self._budget.exhausted()
                # SET LOCAL statement_timeout, in its function form (it takes a parameter).
                self._control.execute(
                    "SELECT set_config('statement_timeout', %s, true)",
                    [f"{max(1, int(left * 1000))}ms"],
                )
                return step()
            except psycopg.Error as error:
                raise self._translate(error) from None

    def _translate(self, error) -> ConsoleError:
        from psycopg import errors

        message = _primary(error)
        if isinstance(error, errors.QueryCanceled):
            return self._budget.exhausted()
        if isinstance(error, errors.InsufficientPrivilege | errors.ReadOnlySqlTransaction):
            return QueryDenied(f"{message}: the console only reads{self._secrets_in(message)}.")
        if isinstance(error, errors.FeatureNotSupported):
            return QueryDenied(message)
        if isinstance(error, errors.OperationalError) and not getattr(error, "sqlstate", None):
            return QueryFailed(f"The database closed the connection: {message}")
        position = _user_position(self._user_sql, getattr(error.diag, "statement_position", None))
        if isinstance(error, errors.SyntaxError) and _is_first_word(self._user_sql, position):
            # DECLARE ... CURSOR FOR takes a query only: any other statement fails here.
            return QueryDenied(
                f"{message}: the console runs one query (SELECT, WITH … SELECT, VALUES).",
                position=position,
            )
        return QueryFailed(message, position=position)

    def _secrets_in(self, message: str) -> str:
        """Name the secret columns of the table a permission error names, if any."""
        match = re.search(r"permission denied for table (\w+)", message)
        secret = sorted(f"{t}.{c}" for t, c in self._secrets if match and t == match.group(1))
        if not secret:
            return ""
        return f"; {', '.join(secret)} is secret: name the columns you need instead of *"


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
