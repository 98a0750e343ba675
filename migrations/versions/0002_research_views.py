"""research views: claim_contradictions, claim_consensus, contested_claims

The stable SQL interface for researchers, written in SQL both engines run unchanged.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 06:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLAIM_CONTRADICTIONS = """
CREATE VIEW claim_contradictions AS
SELECT from_claim_id AS claim_id, to_claim_id AS counterclaim_id, id AS link_id,
       strength, rationale
  FROM claim_links WHERE relation = 'contradicts'
UNION ALL
SELECT to_claim_id AS claim_id, from_claim_id AS counterclaim_id, id AS link_id,
       strength, rationale
  FROM claim_links WHERE relation = 'contradicts'
"""

# Consensus is the median of each analyst's latest rating. Credibility 6 ("truth cannot
# be judged") is not a point on the 1-5 scale, so it is counted apart, not averaged in.
CLAIM_CONSENSUS = """
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
       SUM(CASE WHEN credibility = 6 THEN 1 ELSE 0 END) AS cannot_judge,
       CAST(AVG(CASE WHEN credibility < 6
                      AND position IN ((peers + 1) / 2, (peers + 2) / 2)
                     THEN credibility END) AS DOUBLE PRECISION) AS credibility_median,
       MIN(CASE WHEN credibility < 6 THEN credibility END) AS credibility_min,
       MAX(CASE WHEN credibility < 6 THEN credibility END) AS credibility_max,
       COALESCE(MAX(CASE WHEN credibility < 6 THEN credibility END)
                - MIN(CASE WHEN credibility < 6 THEN credibility END), 0) AS credibility_spread
  FROM latest
  JOIN totals ON totals.claim_id = latest.claim_id
 GROUP BY latest.claim_id, totals.assessments
"""

CONTESTED_CLAIMS = """
CREATE VIEW contested_claims AS
SELECT claims.id AS claim_id, claims.text AS text, claims.claimant_id AS claimant_id,
       claims.status AS status, claims.stated_on AS stated_on,
       COUNT(*) AS contradictions,
       COUNT(DISTINCT counterclaims.claimant_id) AS contradicting_actors
  FROM claims
  JOIN claim_contradictions ON claim_contradictions.claim_id = claims.id
  JOIN claims AS counterclaims ON counterclaims.id = claim_contradictions.counterclaim_id
 GROUP BY claims.id, claims.text, claims.claimant_id, claims.status, claims.stated_on
"""


def upgrade() -> None:
    op.execute(CLAIM_CONTRADICTIONS)
    op.execute(CLAIM_CONSENSUS)
    op.execute(CONTESTED_CLAIMS)


def downgrade() -> None:
    op.execute("DROP VIEW contested_claims")
    op.execute("DROP VIEW claim_consensus")
    op.execute("DROP VIEW claim_contradictions")
