"""accounts and audit: session tokens, who created each record, disagreement in claim_consensus

- users.session_token: the secret a signed-in session carries; replacing it (sign-out,
  password change, disabling) ends every session issued before.
- users.must_change_password: set on the first administrator's one-time password.
- created_by (→ users, SET NULL, indexed) on actors, sources, claims, claim_sources and
  claim_links: analysts may edit what they created.
- claim_consensus gains `disagreement` (spread of the latest ratings >= 2).

On SQLite, adding a foreign key rebuilds the table (Alembic's batch mode; foreign keys
are off meanwhile, see services/migrations.py). A rebuild drops the table's triggers and
SQLite refuses to rename a table under a view that names it, so every view and trigger of
the rebuilt tables is saved first and put back afterwards.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 09:00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNED = ("actors", "sources", "claims", "claim_sources", "claim_links")

CONSENSUS_COLUMNS = """
       CAST(AVG(CASE WHEN credibility < 6
                      AND position IN ((peers + 1) / 2, (peers + 2) / 2)
                     THEN credibility END) AS DOUBLE PRECISION) AS credibility_median,
       MIN(CASE WHEN credibility < 6 THEN credibility END) AS credibility_min,
       MAX(CASE WHEN credibility < 6 THEN credibility END) AS credibility_max,
       COALESCE(MAX(CASE WHEN credibility < 6 THEN credibility END)
                - MIN(CASE WHEN credibility < 6 THEN credibility END), 0) AS credibility_spread"""

# Same as 0002's, plus `disagreement`: the analysts' latest ratings (1-5) lie 2 or more
# apart. Written so both engines return a boolean-like value (PostgreSQL: boolean,
# SQLite: 1/0).
CONSENSUS_TEMPLATE = """
CREATE VIEW claim_consensus AS
WITH ranked AS (
    SELECT claim_id, analyst_id, credibility,
           ROW_NUMBER() OVER (PARTITION BY claim_id, analyst_id ORDER BY id DESC) AS recency
      FROM assessments
),
latest AS (
    SELECT claim_id, credibility,
           ROW_NUMBER() OVER (PARTITION BY claim_id, credibility < 6 ORDER BY credibility)
               AS position,
           COUNT(*) OVER (PARTITION BY claim_id, credibility < 6) AS peers
      FROM ranked
     WHERE recency = 1
),
totals AS (
    SELECT claim_id, COUNT(*) AS assessments FROM assessments GROUP BY claim_id
)
SELECT latest.claim_id AS claim_id,
       totals.assessments AS assessments,
       COUNT(*) AS analysts,
       SUM(CASE WHEN credibility = 6 THEN 1 ELSE 0 END) AS cannot_judge,{columns}{extra}
  FROM latest
  JOIN totals ON totals.claim_id = latest.claim_id
 GROUP BY latest.claim_id, totals.assessments
"""
DISAGREEMENT = """,
       COALESCE(MAX(CASE WHEN credibility < 6 THEN credibility END)
                - MIN(CASE WHEN credibility < 6 THEN credibility END), 0) >= 2 AS disagreement"""

CONSENSUS_WITH_DISAGREEMENT = CONSENSUS_TEMPLATE.format(
    columns=CONSENSUS_COLUMNS, extra=DISAGREEMENT
)
CONSENSUS_0002 = CONSENSUS_TEMPLATE.format(columns=CONSENSUS_COLUMNS, extra="")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _save_views_and_triggers(tables) -> list[tuple[str, str, str]]:
    """Drop every view, and every trigger on `tables`; return them to put back (SQLite)."""
    rows = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT type, name, sql FROM sqlite_master WHERE type = 'view'"
                " OR (type = 'trigger' AND tbl_name IN :tables) ORDER BY rowid"
            ).bindparams(sa.bindparam("tables", expanding=True)),
            {"tables": list(tables)},
        )
        .all()
    )
    for kind, name, _sql in reversed(rows):
        op.execute(f'DROP {kind.upper()} "{name}"')
    return [tuple(row) for row in rows]


def _restore(saved, *, replace_consensus: str) -> None:
    for _kind, name, sql in saved:
        op.execute(replace_consensus if name == "claim_consensus" else sql)


def upgrade() -> None:
    saved = _save_views_and_triggers(OWNED + ("users",)) if _sqlite() else []
    if not _sqlite():
        op.execute("DROP VIEW claim_consensus")

    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column(
                "session_token",
                sa.String(length=64),
                nullable=True,
                comment="Secret that signed-in sessions carry; replacing it ends them all.",
            )
        )
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    bind = op.get_bind()
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(
            users.update().where(users.c.id == user_id).values(session_token=secrets.token_hex(16))
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)
        batch_op.add_column(
            sa.Column(
                "must_change_password",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
                comment="True while the password is a one-time one: the user must choose their own.",
            )
        )

    for table in OWNED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "created_by",
                    sa.Integer(),
                    nullable=True,
                    comment="The user who created the row (null: loaded, imported or a removed user).",
                )
            )
            batch_op.create_index(f"ix_{table}_created_by", ["created_by"], unique=False)
            batch_op.create_foreign_key(
                f"fk_{table}_created_by_users", "users", ["created_by"], ["id"], ondelete="SET NULL"
            )

    if _sqlite():
        _restore(saved, replace_consensus=CONSENSUS_WITH_DISAGREEMENT)
    else:
        op.execute(CONSENSUS_WITH_DISAGREEMENT)


def downgrade() -> None:
    saved = _save_views_and_triggers(OWNED + ("users",)) if _sqlite() else []
    if not _sqlite():
        op.execute("DROP VIEW claim_consensus")

    for table in reversed(OWNED):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_created_by_users", type_="foreignkey")
            batch_op.drop_index(f"ix_{table}_created_by")
            batch_op.drop_column("created_by")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("session_token")

    if _sqlite():
        _restore(saved, replace_consensus=CONSENSUS_0002)
    else:
        op.execute(CONSENSUS_0002)
