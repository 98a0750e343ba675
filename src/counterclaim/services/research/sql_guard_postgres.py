"""The PostgreSQL guard: a console query as the read-only role, its role checked first, its
errors told without a hidden value (the layers are listed in services/research/sql_console.py)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.exc import ArgumentError
from sqlalchemy.sql.compiler import BIND_PARAMS, BIND_PARAMS_ESC

from . import sql_pool, sql_worker
from .sql_common import (
    ConsoleAnswer,
    ConsoleError,
    ConsoleSettings,
    ConsoleUnavailable,
    QueryDenied,
    QueryFailed,
    QueryTimedOut,
    bind_parameters,
    worker_request,
)

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


class PostgresBackend:
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
    ) -> Iterator[ConsoleAnswer]:
        statement, params = bind_parameters(sql, self._dialect, values)
        self._check_role()
        request = worker_request(statement, params, self.settings, self.hidden, page_rows)
        request.update(engine="postgresql", connect=self._connect_args)
        answer = ConsoleAnswer(
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
