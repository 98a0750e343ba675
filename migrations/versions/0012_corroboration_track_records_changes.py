"""corroboration, track records and changes: source_derivations, claim_outcomes,
report_snapshots, and the research views claim_corroboration and actor_track_record

Both views are written so that a filter on their key reaches the base tables through an
index: every column is a correlated subquery of one claims (or actors) row, so
`WHERE claim_id = ?` computes one claim, not the whole table (tests/test_corroboration.py
and tests/test_track_record.py read the plans on both engines).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUPPORTING = "('origin', 'endorses', 'neutral')"

# One claim's sources grouped by origin. `reach` walks up the derivation graph from each
# of the claim's sources to everything it derives from, directly or through a chain
# (UNION drops repeats, so it ends whatever the graph); two of the claim's sources share
# an origin when their ancestries (themselves included) meet in a source or in a
# publisher (`joined`), and the sharing is followed to its end (`merged`, over the
# claim's few sources only); each group is named by its lowest source id. A group is an
# independent origin when it holds a supporting source and neither the claimant's own
# words (an `origin` appearance) nor a source, in any ancestry, the claimant published.
ORIGINS = """
WITH RECURSIVE
mine AS (
    SELECT source_id, stance FROM claim_sources WHERE claim_id = claims.id
),
reach(start, node) AS (
    SELECT DISTINCT source_id, source_id FROM mine
    UNION
    SELECT reach.start, d.derived_from_id
      FROM reach
      JOIN source_derivations AS d ON d.source_id = reach.node
),
publishers AS (
    SELECT DISTINCT reach.start, sources.publisher_id
      FROM reach
      JOIN sources ON sources.id = reach.node
     WHERE sources.publisher_id IS NOT NULL
),
joined(a, b) AS (
    SELECT one.start, other.start FROM reach AS one JOIN reach AS other ON other.node = one.node
    UNION
    SELECT one.start, other.start
      FROM publishers AS one
      JOIN publishers AS other ON other.publisher_id = one.publisher_id
),
merged(start, other) AS (
    SELECT DISTINCT source_id, source_id FROM mine
    UNION
    SELECT merged.start, joined.b FROM merged JOIN joined ON joined.a = merged.other
),
grouped AS (
    SELECT start, MIN(other) AS origin FROM merged GROUP BY start
),
origins AS (
    SELECT grouped.origin,
           COUNT(DISTINCT CASE WHEN mine.stance IN {supporting}
                               THEN mine.source_id END) AS supporting,
           MAX(CASE WHEN mine.stance = 'origin' THEN 1 ELSE 0 END) AS claimant_words,
           MAX(CASE WHEN EXISTS (SELECT 1 FROM publishers
                                  WHERE publishers.start = grouped.start
                                    AND publishers.publisher_id = claims.claimant_id)
                    THEN 1 ELSE 0 END) AS claimant_published
      FROM mine
      JOIN grouped ON grouped.start = mine.source_id
     GROUP BY grouped.origin
)
"""

CLAIM_CORROBORATION = f"""
CREATE VIEW claim_corroboration AS
SELECT claims.id AS claim_id,
       (SELECT COUNT(*) FROM claim_sources WHERE claim_sources.claim_id = claims.id)
           AS appearances,
       (SELECT COUNT(DISTINCT source_id) FROM claim_sources
         WHERE claim_sources.claim_id = claims.id AND stance IN {SUPPORTING})
           AS supporting_sources,
       ({ORIGINS.format(supporting=SUPPORTING)}
        SELECT COUNT(*) FROM origins
         WHERE supporting > 0 AND claimant_words = 0 AND claimant_published = 0)
           AS independent_origins,
       ({ORIGINS.format(supporting=SUPPORTING)}
        SELECT COUNT(*) > 0 FROM origins WHERE supporting >= 2) AS circular
  FROM claims
"""  # noqa: S608

# A claim's consensus median, as claim_consensus computes it (each analyst's latest
# rating, 6 left out), for the claim `claims.id` only: the latest rating is found by
# the (claim_id, analyst_id, id) index instead of ranking every assessment.
CLAIM_MEDIAN = """(
    SELECT CAST(AVG(credibility) AS DOUBLE PRECISION)
      FROM (SELECT latest.credibility,
                   ROW_NUMBER() OVER (ORDER BY latest.credibility) AS position,
                   COUNT(*) OVER () AS peers
              FROM assessments AS latest
             WHERE latest.claim_id = claims.id
               AND latest.credibility < 6
               AND latest.withdrawn_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM assessments AS later
                                WHERE later.claim_id = latest.claim_id
                                  AND later.analyst_id = latest.analyst_id
                                  AND later.withdrawn_at IS NULL
                                  AND later.id > latest.id)) AS rated
     WHERE position IN ((peers + 1) / 2, (peers + 2) / 2)
)"""

LATEST_OUTCOME = """(
    SELECT claim_outcomes.outcome FROM claim_outcomes
     WHERE claim_outcomes.claim_id = claims.id
     ORDER BY claim_outcomes.id DESC LIMIT 1
)"""

CONTRADICTED = """(
    EXISTS (SELECT 1 FROM claim_links
             WHERE claim_links.from_claim_id = claims.id AND relation = 'contradicts')
    OR EXISTS (SELECT 1 FROM claim_links
                WHERE claim_links.to_claim_id = claims.id AND relation = 'contradicts')
)"""

ACTOR_TRACK_RECORD = f"""
CREATE VIEW actor_track_record AS
SELECT actors.id AS actor_id,
       (SELECT COUNT(*) FROM claims WHERE claims.claimant_id = actors.id) AS claims,
       (SELECT COUNT(*) FROM claims
         WHERE claims.claimant_id = actors.id AND claims.status = 'settled') AS settled,
       (SELECT COUNT(*) FROM claims
         WHERE claims.claimant_id = actors.id AND claims.status = 'settled'
           AND {LATEST_OUTCOME} = 'confirmed') AS confirmed_claims,
       (SELECT COUNT(*) FROM claims
         WHERE claims.claimant_id = actors.id AND claims.status = 'settled'
           AND {LATEST_OUTCOME} = 'false') AS false_claims,
       (SELECT COUNT(*) FROM claims
         WHERE claims.claimant_id = actors.id AND {CONTRADICTED}) AS contradicted_claims,
       (SELECT CAST(AVG(median) AS DOUBLE PRECISION)
          FROM (SELECT median,
                       ROW_NUMBER() OVER (ORDER BY median) AS position,
                       COUNT(*) OVER () AS peers
                  FROM (SELECT {CLAIM_MEDIAN} AS median FROM claims
                         WHERE claims.claimant_id = actors.id) AS medians
                 WHERE median IS NOT NULL) AS ranked
         WHERE position IN ((peers + 1) / 2, (peers + 2) / 2)) AS median_credibility,
       (SELECT MIN(stated_on) FROM claims WHERE claims.claimant_id = actors.id)
           AS first_claim_on,
       (SELECT MAX(stated_on) FROM claims WHERE claims.claimant_id = actors.id)
           AS last_claim_on
  FROM actors
"""  # noqa: S608


def upgrade() -> None:
    op.create_table(
        "report_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "scope",
            sa.String(length=2000),
            nullable=False,
            comment="The report's scope as a query string (topic=...&actor=...).",
        ),
        sa.Column(
            "taken_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the snapshot was saved (UTC).",
        ),
        sa.Column(
            "taken_by",
            sa.Integer(),
            nullable=True,
            comment="Who saved it (null: the command line without a user, or a removed user).",
        ),
        sa.Column(
            "content",
            sa.JSON(),
            nullable=False,
            comment="The report as JSON, as `counterclaim report --format json`.",
        ),
        sa.ForeignKeyConstraint(
            ["taken_by"],
            ["users.id"],
            name=op.f("fk_report_snapshots_taken_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_snapshots")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_report_snapshots_taken_at_id", "report_snapshots", ["taken_at", "id"], unique=False
    )
    op.create_index(
        op.f("ix_report_snapshots_taken_by"), "report_snapshots", ["taken_by"], unique=False
    )
    op.create_table(
        "claim_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False, comment="The decided claim."),
        sa.Column(
            "outcome",
            sa.String(length=20),
            nullable=False,
            comment="What the claim turned out to be: confirmed, probably_true, unresolved, doubtful, false.",
        ),
        sa.Column(
            "rationale",
            sa.Text(),
            nullable=False,
            comment="Why: the judgment or evidence the outcome rests on.",
        ),
        sa.Column(
            "decided_by",
            sa.Integer(),
            nullable=True,
            comment="The editor who decided (null: loaded, imported or a removed user).",
        ),
        sa.Column(
            "decided_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the outcome was decided (UTC).",
        ),
        sa.CheckConstraint(
            "outcome IN ('confirmed', 'probably_true', 'unresolved', 'doubtful', 'false')",
            name=op.f("ck_claim_outcomes_outcome"),
        ),
        sa.CheckConstraint(
            "length(rationale) > 0", name=op.f("ck_claim_outcomes_rationale_not_empty")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_outcomes_claim_id_claims"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_claim_outcomes_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_outcomes")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_claim_outcomes_claim_id_id", "claim_outcomes", ["claim_id", "id"], unique=False
    )
    op.create_index(
        op.f("ix_claim_outcomes_decided_by"), "claim_outcomes", ["decided_by"], unique=False
    )
    op.create_table(
        "source_derivations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "source_id",
            sa.Integer(),
            nullable=False,
            comment="The derived source: the one that quotes, cites, republishes...",
        ),
        sa.Column(
            "derived_from_id", sa.Integer(), nullable=False, comment="The source it derives from."
        ),
        sa.Column(
            "kind",
            sa.String(length=20),
            nullable=False,
            comment="How it derives: quotes, cites, republishes, summarises, translates.",
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
        sa.Column(
            "created_by",
            sa.Integer(),
            nullable=True,
            comment="The user who created the row (null: loaded, imported or a removed user).",
        ),
        sa.CheckConstraint(
            "kind IN ('quotes', 'cites', 'republishes', 'summarises', 'translates')",
            name=op.f("ck_source_derivations_kind"),
        ),
        sa.CheckConstraint(
            "source_id <> derived_from_id", name=op.f("ck_source_derivations_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_source_derivations_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["derived_from_id"],
            ["sources.id"],
            name=op.f("fk_source_derivations_derived_from_id_sources"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_source_derivations_source_id_sources"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_derivations")),
        sa.UniqueConstraint(
            "source_id",
            "derived_from_id",
            name=op.f("uq_source_derivations_source_id_derived_from_id"),
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_source_derivations_created_by"), "source_derivations", ["created_by"], unique=False
    )
    op.create_index(
        op.f("ix_source_derivations_derived_from_id"),
        "source_derivations",
        ["derived_from_id"],
        unique=False,
    )
    op.execute(CLAIM_CORROBORATION)
    op.execute(ACTOR_TRACK_RECORD)


def downgrade() -> None:
    op.execute("DROP VIEW actor_track_record")
    op.execute("DROP VIEW claim_corroboration")
    op.drop_index(op.f("ix_source_derivations_derived_from_id"), table_name="source_derivations")
    op.drop_index(op.f("ix_source_derivations_created_by"), table_name="source_derivations")
    op.drop_table("source_derivations")
    op.drop_index(op.f("ix_claim_outcomes_decided_by"), table_name="claim_outcomes")
    op.drop_index("ix_claim_outcomes_claim_id_id", table_name="claim_outcomes")
    op.drop_table("claim_outcomes")
    op.drop_index(op.f("ix_report_snapshots_taken_by"), table_name="report_snapshots")
    op.drop_index("ix_report_snapshots_taken_at_id", table_name="report_snapshots")
    op.drop_table("report_snapshots")
