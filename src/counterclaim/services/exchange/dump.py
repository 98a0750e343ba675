"""A whole database as one JSON file, and back: every row of every table.

The dump is generic over `Base.metadata.sorted_tables` (parents before children), so a
table added by a later feature is included without a change here. It is written from
one consistent snapshot (a read transaction on SQLite, REPEATABLE READ on PostgreSQL),
one row per line, values in a form both engines read alike: dates ISO, times in UTC
with their offset, JSON columns as JSON. No timestamp of the export is written, so the
same data dumps byte for byte the same from SQLite and from PostgreSQL.

Importing a dump keeps every id. A row whose id is already there is compared: the same
row is left alone (so importing a dump twice creates nothing), a different one is a
problem. Self-references (an actor's affiliation) are filled in after every row of the
table is in. The id counters are then moved past the largest id ever used, the dump's
and the database's deleted rows' included, never back (services/ids.py).

A dump writes any table, `users` and `revisions` included, under the ids and authors it
names: loading one is an administrator's operation (the CLI, or the web for admins
after a dry run). Every value is checked against its column's type before anything is
written, and a row the database still refuses is named by table, index and id. Each
row written to an audited table gets its "create" revision in the same transaction,
written in bulk (the rows are Core inserts, which the session's audit listener never
sees), so history and "what changed since" show the import.

Over 400 lines for a reason: export and import of one format, side by side, so that what
is written and what is read stay the same.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    Numeric,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError

from counterclaim.db import reader
from counterclaim.models import Base, Revision
from counterclaim.models.audit import AUDITED, HIDDEN, SECRET, UNRECORDED, as_json
from counterclaim.models.base import MAX_INT, utcnow
from counterclaim.services import ids, migrations

from .apply import ImportRefused, ImportReport
from .reading import parse_json
from .records import ImportFileError, Problem

FORMAT = "counterclaim-dump"
VERSION = 1
CHUNK = 2_000


# --- export --------------------------------------------------------------------------


def export(engine: Engine, out: IO[str], progress: Callable[[str, int], None] = None) -> Counter:
    """Write every row of every table to `out`; return the rows written per table."""
    written: Counter = Counter()
    with _snapshot(engine) as connection:
        revision = migrations.current_revision(engine)
        out.write('{"format": "counterclaim-dump", "version": 1,\n')
        out.write(f' "revision": {json.dumps(revision)},\n "tables": {{\n')
        tables = Base.metadata.sorted_tables
        for t, table in enumerate(tables):
            columns = [column.name for column in table.columns]
            out.write(f'  {json.dumps(table.name)}: {{"columns": {json.dumps(columns)},')
            out.write(' "rows": [')
            separator = "\n"
            for row in _rows(connection, table):
                out.write(separator + json.dumps([_encode(v) for v in row], ensure_ascii=False))
                separator = ",\n"
                written[table.name] += 1
                if progress and written[table.name] % CHUNK == 0:
                    progress(table.name, CHUNK)
            if progress:
                progress(table.name, written[table.name] % CHUNK)
            out.write("\n  ]}" + ("," if t < len(tables) - 1 else "") + "\n")
        out.write(" }\n}\n")
    return written


class _snapshot:
    """A connection whose reads all see one state of the database."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def __enter__(self) -> Connection:
        if self.engine.dialect.name == "postgresql":
            options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
            self.connection = self.engine.connect().execution_options(**options)
        else:
            self.connection = reader(self.engine).connect()
        self.transaction = self.connection.begin()
        return self.connection

    def __exit__(self, *exc):
        self.transaction.rollback()
        self.connection.close()


def _rows(connection: Connection, table: Table) -> Iterator[tuple]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(yield_per=CHUNK).execute(select(table).order_by(*order))
    for row in result:
        yield tuple(row)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # SQLite keeps UTC times without their offset
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decoder(column) -> Callable[[Any], Any]:
    """Return a function that reads a dumped value of `column`, or raises ValueError."""
    kind = column.type
    if isinstance(kind, DateTime):
        read = lambda v: datetime.fromisoformat(_text(v, 40))  # noqa: E731
    elif isinstance(kind, Date):
        read = lambda v: date.fromisoformat(_text(v, 10))  # noqa: E731
    elif isinstance(kind, Boolean):
        read = _boolean
    elif isinstance(kind, Integer):
        read = _integer
    elif isinstance(kind, Float | Numeric):
        read = _number
    elif isinstance(kind, String):  # Text too
        read = lambda v: _text(v, kind.length)  # noqa: E731
    elif isinstance(kind, JSON):
        read = lambda v: v  # noqa: E731
    else:
        read = lambda v: v  # noqa: E731
    name, nullable = column.name, column.nullable or column.default is not None

    def decode(value):
        if value is None:
            if not nullable:
                raise ValueError(f"{name} may not be null")
            return None
        try:
            return read(value)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{name}: {error}") from None

    return decode


def _text(value, length: int | None) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{type(value).__name__} where text was expected")
    if "\x00" in value:
        raise ValueError("text holds a NUL character")
    if length is not None and len(value) > length:
        raise ValueError(f"{len(value):,} characters, over the column's {length}")
    return value


def _integer(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_INT:
        raise ValueError(f"{str(value)[:30]!r} is not a 64-bit integer")
    return value


def _number(value) -> float | int:
    if not isinstance(value, int | float | str) or isinstance(value, bool):
        raise ValueError(f"{type(value).__name__} where a number was expected")
    number = Decimal(value) if isinstance(value, str) else value
    if isinstance(number, Decimal) and not number.is_finite():
        raise ValueError(f"{value[:30]!r} is not a number")
    return value if not isinstance(value, str) else float(number)


def _boolean(value) -> bool:
    if isinstance(value, bool) or value in (0, 1):
        return bool(value)
    raise ValueError(f"{str(value)[:30]!r} is not true or false")


# --- import --------------------------------------------------------------------------


class DumpPlan:
    """A parsed dump: rows per table (decoded), and every problem found."""

    format = "dump"

    def __init__(self):
        self.tables: dict[str, tuple[list[str], list[dict]]] = {}
        self.problems: list[Problem] = []
        self.invalid: list[str] = []

    @property
    def total(self) -> int:
        return sum(len(rows) for _c, rows in self.tables.values()) + len(self.invalid)


def accounts_of(plan: DumpPlan) -> list[tuple[str, str, bool]]:
    """Return the (username, role, active) of every account the dump holds, to show."""
    return [
        (str(row.get("username")), str(row.get("role", "viewer")), bool(row.get("is_active", True)))
        for row in plan.tables.get("users", ((), []))[1]
    ]


def is_dump(document: Any) -> bool:
    return isinstance(document, dict) and document.get("format") == FORMAT


def parse(text: str, name: str) -> DumpPlan:
    """Check a dump against this database's tables and decode its rows."""
    return parse_document(parse_json(text, name), name)


def parse_document(document: Any, name: str) -> DumpPlan:
    """Check a parsed dump against this database's tables and decode its rows."""
    if not is_dump(document):
        raise ImportFileError(f'{name} is not a Counterclaim dump (no "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise ImportFileError(f"{name} is a dump of version {document.get('version')!r}; "
                              f"this Counterclaim reads version {VERSION}")  # fmt: skip
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise ImportFileError(f'{name}: "tables" must be an object of tables')
    known = Base.metadata.tables
    plan = DumpPlan()
    for table_name, content in tables.items():
        where = f"table {table_name}"
        if table_name not in known:
            plan.problems.append(Problem(where, "", "is not a table of this database"))
            plan.invalid.append(where)
            continue
        table = known[table_name]
        columns = content.get("columns") if isinstance(content, dict) else None
        rows = content.get("rows") if isinstance(content, dict) else None
        if not isinstance(columns, list) or not isinstance(rows, list):
            plan.problems.append(Problem(where, "", 'needs "columns" and "rows" lists'))
            plan.invalid.append(where)
            continue
        problems = _check_columns(table, columns, where)
        if problems:
            plan.problems += problems
            plan.invalid.append(where)
            continue
        decoders = [_decoder(table.c[c]) for c in columns]
        decoded = []
        for n, row in enumerate(rows):
            row_where = f"{table_name}[{n}]"
            if not isinstance(row, list) or len(row) != len(columns):
                plan.problems.append(Problem(row_where, "", f"needs {len(columns)} values"))
                plan.invalid.append(row_where)
                continue
            try:
                decoded.append({c: d(v) for c, d, v in zip(columns, decoders, row, strict=True)})
            except (TypeError, ValueError, ArithmeticError) as error:
                plan.problems.append(Problem(row_where, "", f"a value cannot be read: {error}"))
                plan.invalid.append(row_where)
        plan.tables[table_name] = (columns, decoded)
    return plan


def _check_columns(table: Table, columns: list, where: str) -> list[Problem]:
    if not all(isinstance(column, str) for column in columns):
        return [Problem(where, "", '"columns" must be a list of column names')]
    problems = []
    for column in columns:
        if column not in table.c:
            problems.append(Problem(where, str(column), "is not a column of this table"))
    for column in table.columns:
        needed = not column.nullable and column.default is None and not column.primary_key
        if needed and column.name not in columns:
            problems.append(Problem(where, column.name, "is missing and has no default"))
        if column.primary_key and column.name not in columns:
            problems.append(Problem(where, column.name, "is missing: a dump keeps every id"))
    if len(set(map(str, columns))) != len(columns):
        problems.append(Problem(where, "", "names a column twice"))
    return problems


def apply(
    connection: Connection,
    plan: DumpPlan,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] = lambda done, total: None,
    user_id: int | None = None,
) -> ImportReport:
    """Insert the dump's rows that are not there yet, ids kept, each with its revision
    (by `user_id`); the caller commits."""
    report = ImportReport("dump", dry_run, records=plan.total, problems=list(plan.problems))
    if skip_invalid:
        report.skipped = list(plan.invalid)
    fresh: dict[str, list[dict]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name not in plan.tables:
            continue
        _columns, rows = plan.tables[table.name]
        fresh[table.name] = _not_there(connection, table, rows, report)
    if report.problems and not skip_invalid and not dry_run:
        raise ImportRefused(report)
    total, done = sum(len(rows) for rows in fresh.values()), 0
    for table in Base.metadata.sorted_tables:
        rows = fresh.get(table.name, [])
        report.created[table.name] = len(rows)
        if dry_run or not rows:
            continue
        later = _self_references(table)
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            values = [{**row, **dict.fromkeys(later, None)} for row in chunk] if later else chunk
            _insert(connection, table, values, start, report)
            done += len(chunk)
            progress(done, total)
        _fill_self_references(connection, table, later, rows)
    if not dry_run:
        advance_sequences(connection)
        _write_revisions(connection, fresh, plan, user_id)
    return report


def _insert(connection: Connection, table: Table, values: list[dict], start: int, report):
    """Insert one chunk; when the database refuses it, find the row and name it."""
    try:
        with connection.begin_nested():
            connection.execute(insert(table), values)
        return
    except DBAPIError as error:
        refusal = error
    key = next(iter(table.primary_key.columns)).name
    for n, row in enumerate(values):
        try:
            with connection.begin_nested():
                connection.execute(insert(table), [row])
        except DBAPIError as error:
            refusal = error
            where = f"{table.name} row {start + n} (id {row.get(key)})"
            break
    else:  # the chunk failed as a whole but no row alone: name the chunk
        where = f"{table.name} rows {start}–{start + len(values) - 1}"
    reason = str(getattr(refusal, "orig", refusal)).splitlines()[0]
    report.problems.append(Problem(where, "", f"the database refused it: {reason}"))
    raise ImportRefused(report, f"{where}: the database refused it ({reason}); nothing was "
                        "imported")  # fmt: skip


def _rows_of(plan: DumpPlan, table: str) -> list[dict]:
    return plan.tables.get(table, ((), []))[1]


_AUDITED = {model.__tablename__: model for model in AUDITED}


def _write_revisions(connection: Connection, fresh: dict, plan: DumpPlan, user_id) -> None:
    """Write a "create" revision for every row inserted into an audited table, in bulk,
    unless the dump carries that row's history (a whole database restored)."""
    carried = {(r.get("entity"), r.get("entity_id")) for r in _rows_of(plan, "revisions")}
    tags: dict[int, list[int]] = {}
    for row in _rows_of(plan, "claim_tags"):
        tags.setdefault(row.get("claim_id"), []).append(row.get("tag_id"))
    at = utcnow()
    for name, rows in fresh.items():
        if name not in _AUDITED or not rows:
            continue
        fields = [c.name for c in _AUDITED[name].__table__.columns if c.name not in UNRECORDED]
        batch = []
        for row in rows:
            if (name, row["id"]) in carried:  # its history comes with it
                continue
            changes = {f: [None, HIDDEN if f in SECRET else as_json(row.get(f))] for f in fields}
            if name == "claims":
                changes["tags"] = [None, sorted(tags.get(row["id"], []))]
            batch.append({"entity": name, "entity_id": row["id"], "action": "create",
                          "changes": changes, "user_id": user_id, "at": at})  # fmt: skip
            if len(batch) == CHUNK:
                connection.execute(insert(Revision), batch)
                batch = []
        if batch:
            connection.execute(insert(Revision), batch)


def _not_there(connection: Connection, table: Table, rows: list[dict], report) -> list[dict]:
    """The rows whose key is not in the table; a different row under the same key is a problem."""
    keys = list(table.primary_key.columns)
    if not rows or len(keys) != 1:
        return rows
    key = keys[0]
    if connection.scalar(select(func.count()).select_from(table)) == 0:
        return rows
    fresh = []
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        ids = [row[key.name] for row in chunk]
        there = {
            r._mapping[key.name]: r._mapping
            for r in connection.execute(select(table).where(key.in_(ids)))
        }
        for row in chunk:
            existing = there.get(row[key.name])
            if existing is None:
                fresh.append(row)
            elif any(_encode(existing[c]) != _encode(v) for c, v in row.items()):
                report.problems.append(
                    Problem(
                        f"{table.name} id {row[key.name]}",
                        "",
                        "the database holds a different row with this id",
                    )  # fmt: skip
                )
            else:
                report.matched[table.name] += 1
    return fresh


def _self_references(table: Table) -> list[str]:
    return [
        fk.parent.name
        for fk in table.foreign_keys
        if fk.column.table is table and fk.parent.nullable
    ]


def _fill_self_references(connection, table: Table, columns: list[str], rows: list[dict]):
    key = next(iter(table.primary_key.columns)).name
    # Columns with an `onupdate` (updated_at) are set to their dumped values again, or the
    # UPDATE would stamp them with the time of the restore.
    stamped = [c.name for c in table.columns if c.onupdate is not None]
    for column in columns:
        pairs = [
            {"_key": r[key], "_value": r[column], **{f"_{c}": r.get(c) for c in stamped}}
            for r in rows
            if r.get(column) is not None
        ]
        if pairs:
            values = {column: bindparam("_value"), **{c: bindparam(f"_{c}") for c in stamped}}
            statement = update(table).where(table.c[key] == bindparam("_key")).values(values)
            connection.execute(statement, pairs)


def advance_sequences(connection: Connection) -> None:
    """Move each id counter past the largest id ever used (never back): services/ids.py."""
    ids.advance_counters(connection)
