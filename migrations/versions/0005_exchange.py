"""exchange: external ids on actors, sources and claims; the verdict mapping table

External ids keep the identifier a row had in the system it was imported from, so that
importing the same data again finds the row instead of duplicating it. The verdict
mapping table holds the team's own mappings of fact-checkers' verdicts to Admiralty
credibility, over the defaults built into the code (services/exchange/verdicts.py).

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-26 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXTERNAL_ID_COMMENTS = {
    "actors": "The actor's id in the system it was imported from (a URL or another team's id); unique when set.",
    "sources": "The source's id in the system it was imported from (a URL or another team's id); unique when set.",
    "claims": "The claim's id in the system it was imported from (a ClaimReview URL or another team's id); unique when set.",
}


def upgrade() -> None:
    # Plain ADD COLUMN and a unique index: on SQLite a batch operation would rebuild the
    # table, which drops its triggers and trips over the views that read it.
    for table, comment in EXTERNAL_ID_COMMENTS.items():
        op.add_column(
            table, sa.Column("external_id", sa.String(length=500), nullable=True, comment=comment)
        )
        op.create_index(op.f(f"ix_{table}_external_id"), table, ["external_id"], unique=True)

    op.create_table(
        "verdict_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "verdict",
            sa.String(length=200),
            nullable=False,
            comment="The verdict, normalised: case-folded, without accents or punctuation; unique.",
        ),
        sa.Column(
            "label",
            sa.String(length=200),
            nullable=False,
            comment="The verdict as the editor typed it, for display.",
        ),
        sa.Column(
            "credibility",
            sa.Integer(),
            nullable=False,
            comment="The Admiralty credibility (1–6) that the verdict maps to.",
        ),
        sa.Column(
            "note",
            sa.Text(),
            nullable=False,
            comment="Why the verdict maps so (who decided, which fact-checker).",
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was created (UTC).",
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was last changed (UTC).",
        ),
        sa.CheckConstraint(
            "credibility IN (1, 2, 3, 4, 5, 6)", name=op.f("ck_verdict_mappings_credibility")
        ),
        sa.CheckConstraint(
            "length(verdict) > 0", name=op.f("ck_verdict_mappings_verdict_not_empty")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verdict_mappings")),
        sa.UniqueConstraint("verdict", name=op.f("uq_verdict_mappings_verdict")),
    )


def downgrade() -> None:
    op.drop_table("verdict_mappings")
    for table in reversed(list(EXTERNAL_ID_COMMENTS)):
        op.drop_index(op.f(f"ix_{table}_external_id"), table_name=table)
        # SQLite (3.35+) drops a column in place when no index or constraint uses it.
        op.drop_column(table, "external_id")
