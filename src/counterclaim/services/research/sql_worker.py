"""The SQL console's worker: one process that runs researchers' statements, killable.

The console never runs a researcher's SQL in the server's own process. It starts this
module as a child (`python -I sql_worker.py`), bounds its address space
(RLIMIT_AS), writes it one request per query as a JSON line, and reads the result back as
frames, checking each value's size before it reads it. A statement that spends its time
inside one C function (SQLite's printf or instr, which no progress handler interrupts) is
stopped by killing the process; one that builds a huge value fails inside the child, whose
memory is capped, not inside the server.

Only the standard library is imported here (psycopg when the engine is PostgreSQL), so the
child starts in tens of milliseconds; it serves queries one after another until its
standard input closes.

Frames (child to parent), each a one-byte tag then its body:
  C  u32 length, JSON list of column names
  R  u16 cell count, then cells: N (NULL) · I i64 · F f64 · Y/Z (true/false)
     T/B/D/S u32 length + bytes (text, blob, decimal, other as text)
     b u32 size + u8 n + n bytes (a blob summarised: its size and first bytes)
  E  the result ended
  X  u32 length, JSON error {"kind", "message", ...}

Over 400 lines for a reason: it is started as a script (`python -I sql_worker.py`) that
imports only the standard library (and psycopg), so it cannot lean on sibling modules.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import struct
import sys
import time
from decimal import Decimal

#: Bytes of a blob shown on a page (the rest is summarised by its size).
BLOB_PREFIX = 16

_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")
_I64 = struct.Struct(">q")
_F64 = struct.Struct(">d")


class Refusal(Exception):
    """A query the worker did not run to its end, with the kind the console reports."""

    def __init__(self, kind: str, message: str, **details) -> None:
        super().__init__(message)
        self.kind = kind
        self.details = details


# --- Frames ------------------------------------------------------------------------------


def encode_cell(value, *, summarise_blobs: bool, value_max: int) -> bytes:
    """Return one cell's frame bytes; refuse a text or blob longer than `value_max`."""
    if value is None:
        return b"N"
    if value is True or value is False:
        return b"Y" if value else b"Z"
    if isinstance(value, int):
        if -(2**63) <= value < 2**63:
            return b"I" + _I64.pack(value)
        return _sized(b"D", str(value).encode(), value_max)
    if isinstance(value, float):
        return b"F" + _F64.pack(value)
    if isinstance(value, str):
        return _sized(b"T", value.encode("utf-8", "surrogatepass"), value_max)
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        if summarise_blobs:
            prefix = data[:BLOB_PREFIX]
            return b"b" + _U32.pack(len(data)) + bytes([len(prefix)]) + prefix
        return _sized(b"B", data, value_max)
    if isinstance(value, Decimal):
        return _sized(b"D", str(value).encode(), value_max)
    shown = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return _sized(b"S", shown.encode("utf-8", "surrogatepass"), value_max)


def _sized(tag: bytes, data: bytes, value_max: int) -> bytes:
    if len(data) > value_max:
        raise Refusal("too_large", too_large_message(len(data), value_max))
    return tag + _U32.pack(len(data)) + data


def too_large_message(size: int, value_max: int) -> str:
    """Return the message for a value over the cap."""
    return (
        f"A value of {size:,} bytes is larger than the console's limit of {value_max:,} "
        "(COUNTERCLAIM_SQL_VALUE_MAX_BYTES): select less of it, e.g. substr() or length()."
    )


def encode_row(row, *, summarise_blobs: bool, value_max: int) -> bytes:
    """Return a row's frame."""
    cells = [encode_cell(v, summarise_blobs=summarise_blobs, value_max=value_max) for v in row]
    return b"R" + _U16.pack(len(cells)) + b"".join(cells)


def encode_json(tag: bytes, payload) -> bytes:
    """Return a C (columns) or X (error) frame."""
    data = json.dumps(payload).encode()
    return tag + _U32.pack(len(data)) + data


# --- SQLite ---------------------------------------------------------------------------------

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

#: Tables that hold copies of other tables' values (index samples, raw pages).
DENIED_TABLES = frozenset({"sqlite_stat3", "sqlite_stat4", "sqlite_dbpage"})

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


class Authorizer:
    """SQLite's authorizer callback: allow reading, deny everything else, say why.

    It is the first layer and names what it refuses; it is not the one the secrets rest
    on (SQLite does not call it for every column a query reads: the column a FULL JOIN ...
    USING builds is one), the bytecode check below is.
    """

    def __init__(self, hidden: frozenset[tuple[str, str]]) -> None:
        self.hidden = hidden
        self.refusal: str | None = None

    def __call__(self, action: int, arg1, arg2, _database, _source) -> int:
        if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_RECURSIVE):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ:
            if (arg1, arg2) in self.hidden:
                return self._deny(f"{arg1}.{arg2} is hidden from the console: it never reads it")
            if str(arg1).lower() in DENIED_TABLES:
                return self._deny(f"{arg1} holds copies of other tables' values")
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


class HiddenReads:
    """Where the hidden columns live in the file: b-tree root pages and column numbers.

    A table's hidden columns are read by an `OP_Column` on a cursor opened on the table's
    root page, whose P2 is the column's number in the record; any index holding a hidden
    column gives its values away to a seek or a scan without any `Column`, so a cursor on
    such an index is refused outright. Copies of rows (`RowData`, `RowCell`) of a table with
    hidden columns are refused too.
    """

    def __init__(self, connection: sqlite3.Connection, hidden: frozenset[tuple[str, str]]):
        #: root page -> column numbers that may not be read from it (None: no cursor at all)
        self.roots: dict[int, frozenset[int] | None] = {}
        self.names: dict[int, str] = {}
        self.columns: dict[tuple[int, int], str] = {}
        by_table: dict[str, set[str]] = {}
        for table, column in hidden:
            by_table.setdefault(table, set()).add(column)
        master = connection.execute(
            "SELECT type, name, tbl_name, rootpage FROM sqlite_master"
            " WHERE type IN ('table', 'index') AND rootpage > 0"
        ).fetchall()
        for kind, name, table, root in master:
            if kind == "table" and name.lower() in DENIED_TABLES:
                self.roots[root], self.names[root] = None, name
            columns = by_table.get(table)
            if not columns:
                continue
            if kind == "table":
                info = connection.execute(f'PRAGMA table_xinfo("{_quoted(table)}")').fetchall()
                numbers = frozenset(cid for cid, cname, *_ in info if cname in columns)
                self.roots[root], self.names[root] = numbers, table
                self.columns.update({(root, cid): f"{table}.{cname}" for cid, cname, *_ in info})
            else:
                info = connection.execute(f'PRAGMA index_xinfo("{_quoted(name)}")').fetchall()
                if any(cname in columns for _seq, _cid, cname, *_ in info):
                    self.roots[root], self.names[root] = None, f"{table} (index {name})"

    def check(self, program: list[tuple]) -> str | None:
        """Return why `program` (EXPLAIN's rows) reads a hidden value, or None."""
        cursors: dict[int, set[int]] = {}
        for _addr, opcode, p1, p2, _p3, *_ in program:
            if opcode in ("OpenRead", "ReopenIdx", "OpenWrite") and p2 in self.roots:
                if self.roots[p2] is None:
                    return f"it would read {self.names[p2]}, which holds hidden values"
                cursors.setdefault(p1, set()).add(p2)
            elif opcode == "OpenDup" and p2 in cursors:
                cursors.setdefault(p1, set()).update(cursors[p2])
        for _addr, opcode, p1, p2, _p3, *_ in program:
            for root in cursors.get(p1, ()):
                if opcode == "Column" and p2 in self.roots[root]:
                    return f"it would read {self.columns[root, p2]}, which is hidden"
                if opcode in ("RowData", "RowCell"):
                    return f"it would copy whole rows of {self.names[root]}"
        return None


def _quoted(name: str) -> str:
    return name.replace('"', '""')


_EXPLAIN_FIRST = re.compile(r"(\s+|--[^\n]*(\n|$)|/\*.*?\*/)*explain\b", re.DOTALL | re.I)


class SQLiteRunner:
    def __init__(self, request: dict) -> None:
        self.request = request
        self.hidden = frozenset(tuple(pair) for pair in request["hidden"])
        self.authorizer = Authorizer(self.hidden)
        self.left = float(request["time_limit"])
        self.deadline = float("inf")
        self.connection = self._connect()

    def _connect(self) -> sqlite3.Connection:
        request = self.request
        try:
            connection = sqlite3.connect(
                request["uri"], uri=True, timeout=1.0, isolation_level=None
            )
        except sqlite3.Error as error:
            raise Refusal("unavailable", f"Cannot open the database read-only: {error}") from None
        try:
            # The schema is read (and kept) before the value cap, which it may exceed.
            self.reads = HiddenReads(connection, self.hidden)
            connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
            connection.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, request["max_sql_bytes"])
            connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, request["value_max"])
            connection.execute("PRAGMA query_only = ON")
            connection.execute("PRAGMA trusted_schema = OFF")
            # Sorts and temporary b-trees in memory, under the heap limit, never on disk.
            connection.execute("PRAGMA temp_store = MEMORY")
            connection.execute(f"PRAGMA hard_heap_limit = {int(request['heap_max'])}")
            connection.set_authorizer(self.authorizer)
            connection.set_progress_handler(self._past_deadline, 1000)
        except sqlite3.Error as error:
            connection.close()
            raise Refusal("unavailable", f"Cannot prepare the console: {error}") from None
        return connection

    def _past_deadline(self) -> int:
        return 1 if time.monotonic() > self.deadline else 0

    def _timed(self, step, *args):
        started = time.monotonic()
        self.deadline = started + self.left
        try:
            return step(*args)
        except (sqlite3.Error, sqlite3.Warning) as error:
            raise self._translate(error) from None
        finally:
            self.left -= time.monotonic() - started

    def execute(self, sql: str, params: dict):
        if not _EXPLAIN_FIRST.match(sql):
            # EXPLAIN shows the very program the statement compiles to; an EXPLAIN of the
            # researcher's own runs nothing and returns no table's values.
            program = self._timed(
                lambda: self.connection.execute("EXPLAIN " + sql, params).fetchall()
            )
            reason = self.reads.check(program)
            if reason:
                raise Refusal("denied", f"{reason}: the console never shows it.")
        cursor = self._timed(self.connection.execute, sql, params)
        columns = [column[0] for column in cursor.description or ()]
        return columns, lambda size: self._timed(cursor.fetchmany, size) if columns else []

    def close(self) -> None:
        self.connection.close()

    def _translate(self, error: Exception) -> Refusal:
        message = str(error)
        code = getattr(error, "sqlite_errorcode", None)
        if self.authorizer.refusal:
            return Refusal("denied", f"{message}: {self.authorizer.refusal}.")
        if code == sqlite3.SQLITE_INTERRUPT:
            return Refusal("timeout", message)
        if code == sqlite3.SQLITE_TOOBIG:
            return Refusal(
                "too_large",
                too_large_message(self.request["value_max"] + 1, self.request["value_max"]),
            )
        if code == sqlite3.SQLITE_NOMEM:
            return Refusal("memory", message)
        if code == sqlite3.SQLITE_READONLY or "too many attached databases" in message:
            return Refusal("denied", f"{message}: the console only reads.")
        if isinstance(error, sqlite3.ProgrammingError | sqlite3.Warning):
            return Refusal("rejected", message)
        return Refusal("failed", message)


# --- PostgreSQL --------------------------------------------------------------------------

CURSOR_NAME = "counterclaim_console"


class PostgresRunner:
    def __init__(self, request: dict) -> None:
        import psycopg

        self.request = request
        self.left = float(request["time_limit"])
        try:
            self.connection = psycopg.connect(
                **request["connect"],
                application_name="counterclaim-sql-console",
                options="-c default_transaction_read_only=on -c jit=off",  # as db.py
                connect_timeout=5,
            )
        except psycopg.Error as error:
            raise Refusal(
                "unavailable", f"Cannot connect as the read-only role: {_primary(error)}"
            ) from None
        self.connection.read_only = True
        self.control = self.connection.cursor()
        self.cursor = self.connection.cursor(name=CURSOR_NAME)

    def _timed(self, step):
        import psycopg

        started = time.monotonic()
        try:
            if self.left <= 0:
                raise Refusal("timeout", "time limit")
            # SET LOCAL statement_timeout, in its function form (it takes a parameter).
            self.control.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                [f"{max(1, int(self.left * 1000))}ms"],
            )
            return step()
        except psycopg.Error as error:
            diag = error.diag
            raise Refusal(
                "postgresql",
                _primary(error),
                sqlstate=getattr(error, "sqlstate", None),
                statement_position=getattr(diag, "statement_position", None),
            ) from None
        finally:
            self.left -= time.monotonic() - started

    def execute(self, sql: str, params: dict):
        self._timed(lambda: self.control.execute("SET TRANSACTION READ ONLY"))
        self.control.execute(
            "SELECT set_config('lock_timeout', %s, true),"
            " set_config('idle_in_transaction_session_timeout', %s, true)",
            [f"{int(float(self.request['time_limit']) * 1000)}ms", "60s"],
        )
        self._timed(lambda: self.cursor.execute(sql, params))
        columns = [column.name for column in self.cursor.description or ()]
        return (
            columns,
            lambda size: self._timed(lambda: self.cursor.fetchmany(size)) if columns else [],
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing is best effort
            self.connection.close()


def _primary(error) -> str:
    diag = getattr(error, "diag", None)
    message = (diag and diag.message_primary) or str(error).strip() or type(error).__name__
    hint = diag and diag.message_hint
    return f"{message} (hint: {hint})" if hint else message


# --- The loop ------------------------------------------------------------------------------


def serve(stdin, stdout) -> None:
    """Answer requests (one JSON line each) until standard input closes."""
    for line in stdin:
        try:
            request = json.loads(line)
        except ValueError:
            return
        try:
            answer(request, stdout)
        except MemoryError:
            _write(stdout, encode_json(b"X", {"kind": "memory", "message": "out of memory"}))


def answer(request: dict, stdout) -> None:
    """Run one request and write its frames."""
    runner = None
    try:
        runner = (SQLiteRunner if request["engine"] == "sqlite" else PostgresRunner)(request)
        columns, fetch = runner.execute(request["sql"], request["params"])
        _write(stdout, encode_json(b"C", columns))
        sent, max_rows = 0, request.get("max_rows")
        summarise, value_max = request["summarise_blobs"], request["value_max"]
        batch, chunk_bytes = 1, request.get("chunk_bytes", 1 << 20)
        while max_rows is None or sent < max_rows:
            wanted = batch if max_rows is None else min(batch, max_rows - sent)
            rows = fetch(wanted)
            if not rows:
                break
            started = time.monotonic()
            frames = [encode_row(r, summarise_blobs=summarise, value_max=value_max) for r in rows]
            runner.left -= time.monotonic() - started  # encoding counts, waiting to write not
            size = sum(_held(value) for row in rows for value in row)
            _write(stdout, b"".join(frames))
            sent += len(rows)
            # Fetch as many rows at once as keep about `chunk_bytes` in memory.
            batch = max(1, min(500, batch * 2, chunk_bytes * len(rows) // max(size, 1)))
        _write(stdout, b"E")
    except Refusal as refusal:
        _write(
            stdout,
            encode_json(b"X", {"kind": refusal.kind, "message": str(refusal), **refusal.details}),
        )
    finally:
        if runner is not None:
            runner.close()


def _held(value) -> int:
    """Return about how many bytes `value` holds in the worker's memory."""
    return len(value) if isinstance(value, str | bytes | bytearray | memoryview) else 8


def _write(stdout, data: bytes) -> None:
    stdout.write(data)
    stdout.flush()


def main(argv: list[str]) -> None:
    """Cap this process's address space at argv[1] bytes, say it is ready, then serve."""
    import resource

    memory_max = int(argv[1])
    if argv[2:] == ["postgresql"]:
        import psycopg  # noqa: F401 - imported before the first query's clock starts
    resource.setrlimit(resource.RLIMIT_AS, (memory_max, memory_max))
    stdout = os.fdopen(sys.stdout.fileno(), "wb", buffering=0)
    _write(stdout, b"!")  # ready
    serve(sys.stdin, stdout)


if __name__ == "__main__":
    main(sys.argv)
