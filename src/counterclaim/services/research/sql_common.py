"""What the SQL console and its two guards share: the settings, the errors, a page of
result, the request a worker is sent and its answer told in the console's words
(services/research/sql_console.py describes the whole)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from counterclaim.models import Base
from counterclaim.models.base import secret_columns

from ..errors import DomainError
from . import sql_pool

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


def bind_parameters(sql: str, dialect, values: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Compile `sql`'s :named parameters for `dialect`; every one needs a value."""
    compiled = text(sql).compile(dialect=dialect)
    missing = [name for name in compiled.params if name not in values]
    if missing:
        names = ", ".join(f":{name}" for name in missing)
        raise QueryRejected(f"Give a value for {names}.")
    return compiled.string, {name: values[name] for name in compiled.params}


class ConsoleAnswer:
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
            return timed_out(self._settings.time_limit)
        if isinstance(error, sql_pool.WorkerDied):
            return QueryTooLarge(
                "The query needed more memory than a console query may use and was stopped."
                " Narrow it (a WHERE, a LIMIT) or select fewer or shorter values."
            )
        if isinstance(error, sql_pool.WorkerError):
            details = error.details
            kind, message = details.get("kind"), details.get("message", "")
            if kind == "timeout" or details.get("sqlstate") == "57014":  # query_canceled
                return timed_out(self._settings.time_limit)
            if kind in ("too_large", "memory"):
                if kind == "memory":
                    message = (
                        "The query needed more memory than a console query may use"
                        f" ({message}). Narrow it or select fewer or shorter values."
                    )
                return QueryTooLarge(message)
            return self._translate(details)
        return error


def timed_out(limit: float) -> QueryTimedOut:
    return QueryTimedOut(
        f"The query ran for longer than the {limit:g} s limit and was stopped. "
        "Narrow it (a WHERE, a LIMIT) or ask for a longer limit."
    )


def worker_request(sql: str, params: dict, settings: ConsoleSettings, hidden, page_rows) -> dict:
    return {
        "sql": sql,
        "params": params,
        "time_limit": settings.time_limit,
        "value_max": settings.value_max_bytes,
        "max_rows": page_rows,
        "summarise_blobs": page_rows is not None,
        "hidden": sorted(hidden),
    }
