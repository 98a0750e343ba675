"""a tag's claims read from the index alone: claim_tags (tag_id, claim_id)

A tag's page of the claims list (and a report scoped to a tag) starts from the tag's
claims. The index on tag_id alone held the row of each, so every one of a tag's claims
cost a read of its claim_tags row before its claim (4,150 of each for a typical tag at a
million claims); with (tag_id, claim_id) the index answers alone. The wider index
replaces the narrower one, which it covers.

SQLite, 1,000,000 claims, a tag of 4,150 claims, the page's statement: 14.4 ms -> 7.5 ms.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 08:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_claim_tags_tag_id_claim_id", "claim_tags", ["tag_id", "claim_id"])
    op.drop_index("ix_claim_tags_tag_id", table_name="claim_tags")


def downgrade() -> None:
    op.create_index("ix_claim_tags_tag_id", "claim_tags", ["tag_id"])
    op.drop_index("ix_claim_tags_tag_id_claim_id", table_name="claim_tags")
