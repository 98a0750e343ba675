"""Ids are never reused: each table hands out ids past the largest one it ever used.

Revisions, shared links and other teams' copies name rows by id, so a deleted row's id
must never come back for a new row. SQLite tables are AUTOINCREMENT (models/base.py
NEVER_REUSE_IDS) and PostgreSQL's identity sequences never go back by themselves; what
writes explicit ids (a dump import, `counterclaim generate`) starts past, and leaves the
counters past, the largest id ever used: the larger of the table's largest id, the
largest id its revisions name (a deleted row's) and the counter itself.
"""

from sqlalchemy import Connection, Integer, Table, func, select, text

from counterclaim.models import Base
from counterclaim.models.revision import Revision


def id_tables() -> list[Table]:
    """Return the tables whose key is one integer `id`, parents first."""
    return [
        table
        for table in Base.metadata.sorted_tables
        if [c.name for c in table.primary_key.columns] == ["id"]
        and isinstance(table.c.id.type, Integer)
    ]


def largest_id_ever(connection: Connection, table: Table) -> int:
    """Return the largest id `table` ever handed out, deleted rows' included."""
    in_table = connection.scalar(select(func.max(table.c.id))) or 0
    in_revisions = (
        connection.scalar(select(func.max(Revision.entity_id)).where(Revision.entity == table.name))
        or 0
    )
    return max(in_table, in_revisions, _counter(connection, table))


def next_ids(connection: Connection, tables) -> dict[str, int]:
    """Return, per table name, the first id never used (for writers of explicit ids)."""
    return {table.name: largest_id_ever(connection, table) + 1 for table in tables}


def advance_counters(connection: Connection, tables=None) -> None:
    """Move each table's id counter past the largest id it ever used; never back."""
    for table in tables if tables is not None else id_tables():
        largest = largest_id_ever(connection, table)
        if largest == 0:
            continue
        if connection.dialect.name == "postgresql":
            sequence = func.pg_get_serial_sequence(table.name, "id")
            connection.execute(select(func.setval(sequence, largest, True)))
        elif _autoincrement(table):
            connection.execute(
                text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": table.name}
            )
            connection.execute(
                text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                {"name": table.name, "seq": largest},
            )


def _autoincrement(table: Table) -> bool:
    return bool(table.dialect_options["sqlite"].get("autoincrement"))


def _counter(connection: Connection, table: Table) -> int:
    """Return the id counter's position: the last id it handed out (0: none)."""
    if connection.dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        value = connection.scalar(
            text(
                "SELECT last_value FROM pg_sequences"
                " WHERE schemaname || '.' || sequencename = :sequence"
            ),
            {"sequence": connection.scalar(select(sequence))},
        )
        return value or 0
    if not _autoincrement(table):
        return 0
    value = connection.scalar(
        text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table.name}
    )
    return value or 0


class Numbering:
    """Gives the new rows of a session their ids before a flush, past the largest id ever
    used: for bulk writers on SQLite, inside their write transaction.

    The ORM needs each new row's id back; SQLite's RETURNING does not keep the order of
    the rows, so SQLAlchemy then inserts one row per statement (an import of 20,000 claims
    sent 20,100 INSERTs). With the ids given, a flush inserts each table's rows in one
    executemany. Safe only where no one else can insert beside: SQLite's write
    transactions (BEGIN IMMEDIATE) are exclusive, and SQLite's AUTOINCREMENT counter
    follows explicit ids by itself.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.tables = {table.name: table for table in id_tables()}
        self.next: dict[str, int] = {}

    def number(self, rows) -> None:
        """Give each row of `rows` (ORM objects) that has no id yet the next free id."""
        for row in rows:
            table = getattr(type(row), "__table__", None)
            if table is None or table.name not in self.tables or row.id is not None:
                continue
            if table.name not in self.next:
                self.next[table.name] = largest_id_ever(self.connection, table) + 1
            row.id = self.next[table.name]
            self.next[table.name] += 1
