"""indexes for a million claims: keyset pages of a filtered claims list

The claims list pages by (stated_on, id) within its filters. With only (status, id) and
(claimant_id, id), a status or claimant filter sorted every matching row before it could
return the first fifty (0.6 s for "under review" at a million claims); (status, stated_on,
id) and (claimant_id, stated_on, id) let the keyset walk an index instead. The narrower
indexes stay: they serve the "recently added" sort under the same filters.

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-25 07:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_claims_status_stated_on_id", "claims", ["status", "stated_on", "id"])
    op.create_index(
        "ix_claims_claimant_id_stated_on_id", "claims", ["claimant_id", "stated_on", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_claims_claimant_id_stated_on_id", table_name="claims")
    op.drop_index("ix_claims_status_stated_on_id", table_name="claims")
