"""ids never reused; notes, links, appearances and assessments versioned; withdrawals

- Every audited table hands out an id once only. SQLite: the tables are rebuilt with
  AUTOINCREMENT (every row keeps its id; indexes, triggers and views are put back, and
  the external-content FTS5 indexes, which name rows by id, stay valid), and each
  table's counter starts past the largest id ever used: the larger of the table's
  largest id and the largest id its revisions name (a deleted row's). PostgreSQL: the
  identity sequences never go back; they are moved past the same largest id.
- `version` (optimistic locking) on annotations, claim_links, claim_sources and
  assessments, which become editable: a stale edit is merged, never lost.
- assessments.withdrawn_at / withdrawn_by: an analyst withdraws a judgment; nothing is
  deleted, and consensus leaves withdrawn judgments out.

On SQLite the rebuild follows SQLite's own procedure (foreign keys are off meanwhile, see
services/migrations.py): each table's CREATE statement is the stored one with AUTOINCREMENT
added to its id, so every CHECK, UNIQUE and foreign key stays exactly as it was. SQLite
refuses to rename a table under a view that names it and drops a table's triggers with
it, so every view and trigger is saved first and created again afterwards.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 04:10:00
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The audited tables (models/audit.py AUDITED) as of this revision.
AUDITED = (
    "users",
    "actors",
    "sources",
    "claims",
    "claim_sources",
    "claim_links",
    "assessments",
    "annotations",
    "tags",
    "saved_queries",
)
VERSIONED = ("annotations", "claim_links", "claim_sources", "assessments")
VERSION_COMMENT = "Optimistic-locking counter, raised on every save."
WITHDRAWN_AT_COMMENT = (
    "When the analyst withdrew the judgment (null: it stands). Withdrawn "
    "judgments stay, for the record, and count in no consensus."
)
WITHDRAWN_BY_COMMENT = "Who withdrew the judgment."
# SQLite: added as a plain column, its foreign key written into the rebuilt table as a
# named table constraint (reflection reads the names of those only); the downgrade
# removes exactly this text.
WITHDRAWN_BY_SQLITE = ", \n\twithdrawn_by INTEGER"
WITHDRAWN_BY_KEY = (
    ", \n\tCONSTRAINT fk_assessments_withdrawn_by_users FOREIGN KEY(withdrawn_by)"
    " REFERENCES users (id) ON DELETE SET NULL"
)

_PLAIN_ID = re.compile(r"\bid INTEGER NOT NULL( PRIMARY KEY)?,")
_PK_CONSTRAINT = re.compile(r",\s*(CONSTRAINT \w+ )?PRIMARY KEY \(id\)")
_AUTOINCREMENT_ID = re.compile(r"\bid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _largest_id_ever(table: str, greatest: str = "MAX") -> str:
    """SQL for the largest id `table` ever used: in the table, or named by its revisions."""
    return (
        f"(SELECT {greatest}(COALESCE((SELECT MAX(id) FROM {table}), 0),"  # noqa: S608
        f" COALESCE((SELECT MAX(entity_id) FROM revisions WHERE entity = '{table}'), 0)))"
    )


def _save_views_and_triggers() -> list[tuple[str, str, str]]:
    """Drop every view and trigger; return them to create again, in their order."""
    rows = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master"
            " WHERE type IN ('view', 'trigger') ORDER BY rowid"
        )
        .all()
    )
    for kind, name, _sql in reversed(rows):
        op.execute(f'DROP {kind.upper()} "{name}"')
    return [tuple(row) for row in rows]


def _rebuild(table: str, rewrite) -> None:
    """Rebuild `table` from its stored CREATE statement passed through `rewrite`."""
    bind = op.get_bind()
    create = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    indexes = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
        " ORDER BY rowid",
        (table,),
    ).scalars()
    indexes = list(indexes)
    new_create = rewrite(table, create)
    if new_create == create:
        return
    temporary = f"_rebuild_{table}"
    head = re.compile(r'^CREATE TABLE\s+("?)' + table + r"\1\s*\(")
    assert head.match(new_create), new_create[:60]
    op.execute(head.sub(f"CREATE TABLE {temporary} (", new_create, count=1))
    columns = [row[1] for row in bind.exec_driver_sql(f"PRAGMA table_info({temporary})")]
    names = ", ".join(columns)
    op.execute(f"INSERT INTO {temporary} ({names}) SELECT {names} FROM {table}")  # noqa: S608
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {temporary} RENAME TO {table}")
    for sql in indexes:
        op.execute(sql)


def _with_autoincrement(table: str, create: str) -> str:
    if table == "assessments":
        create = create.replace(", withdrawn_by INTEGER", WITHDRAWN_BY_SQLITE, 1)
        create = create.rstrip()[:-1].rstrip() + WITHDRAWN_BY_KEY + "\n)"
    if _AUTOINCREMENT_ID.search(create):
        return create
    create = _PK_CONSTRAINT.sub("", create, count=1)
    return _PLAIN_ID.sub("id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", create, count=1)


def _without_autoincrement(table: str, create: str) -> str:
    if table == "assessments":
        create = create.replace(WITHDRAWN_BY_KEY, "", 1).replace(WITHDRAWN_BY_SQLITE, "", 1)
    return _AUTOINCREMENT_ID.sub("id INTEGER NOT NULL PRIMARY KEY,", create, count=1)


def _sqlite_upgrade() -> None:
    for table in VERSIONED:
        op.execute(f"ALTER TABLE {table} ADD COLUMN version INTEGER DEFAULT '1' NOT NULL")
    op.execute("ALTER TABLE assessments ADD COLUMN withdrawn_at DATETIME")
    op.execute("ALTER TABLE assessments ADD COLUMN withdrawn_by INTEGER")
    op.execute("CREATE INDEX ix_assessments_withdrawn_by ON assessments (withdrawn_by)")
    saved = _save_views_and_triggers()
    for table in AUDITED:
        _rebuild(table, _with_autoincrement)
    for _kind, _name, sql in saved:
        op.execute(sql)
    for table in AUDITED:
        op.execute(f"DELETE FROM sqlite_sequence WHERE name = '{table}'")  # noqa: S608
        op.execute(
            f"INSERT INTO sqlite_sequence (name, seq) VALUES ('{table}', {_largest_id_ever(table)})"  # noqa: S608
        )


def _sqlite_downgrade() -> None:
    op.execute("DROP INDEX ix_assessments_withdrawn_by")
    saved = _save_views_and_triggers()
    for table in AUDITED:
        _rebuild(table, _without_autoincrement)
    for table in VERSIONED:
        op.execute(f"ALTER TABLE {table} DROP COLUMN version")
    op.execute("ALTER TABLE assessments DROP COLUMN withdrawn_at")
    for _kind, _name, sql in saved:
        op.execute(sql)


def _postgresql_upgrade() -> None:
    for table in VERSIONED:
        op.add_column(
            table,
            sa.Column(
                "version", sa.Integer(), server_default="1", nullable=False, comment=VERSION_COMMENT
            ),
        )
    op.add_column(
        "assessments",
        sa.Column(
            "withdrawn_at", sa.DateTime(timezone=True), nullable=True, comment=WITHDRAWN_AT_COMMENT
        ),
    )
    op.add_column(
        "assessments",
        sa.Column("withdrawn_by", sa.Integer(), nullable=True, comment=WITHDRAWN_BY_COMMENT),
    )
    op.create_foreign_key(
        "fk_assessments_withdrawn_by_users",
        "assessments",
        "users",
        ["withdrawn_by"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index("ix_assessments_withdrawn_by", "assessments", ["withdrawn_by"])
    for table in AUDITED:
        # is_called true: the next id is the one after; a sequence is never moved back.
        sequence = f"pg_get_serial_sequence('{table}', 'id')"
        op.execute(
            f"SELECT setval({sequence}, GREATEST(n, 1), n > 0) FROM (SELECT GREATEST("  # noqa: S608
            f"{_largest_id_ever(table, 'GREATEST')}, (SELECT last_value FROM pg_sequences"
            f" WHERE schemaname || '.' || sequencename = {sequence})) AS n) AS largest"
        )


def _postgresql_downgrade() -> None:
    op.drop_index("ix_assessments_withdrawn_by", table_name="assessments")
    op.drop_constraint("fk_assessments_withdrawn_by_users", "assessments", type_="foreignkey")
    op.drop_column("assessments", "withdrawn_by")
    op.drop_column("assessments", "withdrawn_at")
    for table in VERSIONED:
        op.drop_column(table, "version")


def upgrade() -> None:
    if _sqlite():
        _sqlite_upgrade()
    else:
        _postgresql_upgrade()


def downgrade() -> None:
    if _sqlite():
        _sqlite_downgrade()
    else:
        _postgresql_downgrade()
