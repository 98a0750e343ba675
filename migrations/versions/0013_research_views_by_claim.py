"""research views that answer a filter on their key through the indexes

`claim_consensus` ranked every assessment in the database with window functions before
a researcher's (or the claim page's) `WHERE claim_id = ?` could narrow it: 3.5 s per
claim at a million claims. It is now an aggregate per claim over each analyst's latest
assessment, found by an indexed correlated lookup (assessments (claim_id, analyst_id,
id)); the median comes from the counts of each rating 1-4 (ratings are whole numbers
1-5), so no window is needed. Same columns, same values.

`contested_claims` joined the whole `claim_contradictions` view before grouping; it now
starts from the claim and counts its contradictions through the claim_links indexes.
`claim_contradictions` already answered `WHERE claim_id = ?` through them; unchanged.

tests/test_view_plans.py checks the plans on both engines.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 04:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An analyst's latest assessment of a claim is the one with the highest id among theirs
# that still stands (the correlated MAX walks the (claim_id, analyst_id, id) index): a
# withdrawn assessment counts nowhere, and the analyst's earlier one stands again.
# c1..c4 count the latest ratings of 1..4; the k-th smallest rated value is the first v
# whose running count reaches k; the median is the mean of the ((n+1)/2)-th and the
# ((n+2)/2)-th. Credibility 6 ("cannot be judged") is counted apart, never in the median.
CLAIM_CONSENSUS = """
CREATE VIEW claim_consensus AS
SELECT tally.claim_id AS claim_id,
       (SELECT COUNT(*) FROM assessments AS every
         WHERE every.claim_id = tally.claim_id AND every.withdrawn_at IS NULL) AS assessments,
       tally.analysts AS analysts,
       tally.analysts - tally.rated AS cannot_judge,
       CASE WHEN tally.rated > 0 THEN
            CAST((CASE WHEN (tally.rated + 1) / 2 <= tally.c1 THEN 1
                     WHEN (tally.rated + 1) / 2 <= tally.c1 + tally.c2 THEN 2
                     WHEN (tally.rated + 1) / 2 <= tally.c1 + tally.c2 + tally.c3 THEN 3
                     WHEN (tally.rated + 1) / 2 <= tally.c1 + tally.c2 + tally.c3 + tally.c4 THEN 4
                     ELSE 5 END
                + CASE WHEN (tally.rated + 2) / 2 <= tally.c1 THEN 1
                     WHEN (tally.rated + 2) / 2 <= tally.c1 + tally.c2 THEN 2
                     WHEN (tally.rated + 2) / 2 <= tally.c1 + tally.c2 + tally.c3 THEN 3
                     WHEN (tally.rated + 2) / 2 <= tally.c1 + tally.c2 + tally.c3 + tally.c4 THEN 4
                     ELSE 5 END) AS DOUBLE PRECISION) / 2
       END AS credibility_median,
       tally.lowest AS credibility_min,
       tally.highest AS credibility_max,
       COALESCE(tally.highest - tally.lowest, 0) AS credibility_spread,
       COALESCE(tally.highest - tally.lowest, 0) >= 2 AS disagreement
  FROM (
    SELECT latest.claim_id AS claim_id,
           COUNT(*) AS analysts,
           SUM(CASE WHEN latest.credibility < 6 THEN 1 ELSE 0 END) AS rated,
           SUM(CASE WHEN latest.credibility = 1 THEN 1 ELSE 0 END) AS c1,
           SUM(CASE WHEN latest.credibility = 2 THEN 1 ELSE 0 END) AS c2,
           SUM(CASE WHEN latest.credibility = 3 THEN 1 ELSE 0 END) AS c3,
           SUM(CASE WHEN latest.credibility = 4 THEN 1 ELSE 0 END) AS c4,
           MIN(CASE WHEN latest.credibility < 6 THEN latest.credibility END) AS lowest,
           MAX(CASE WHEN latest.credibility < 6 THEN latest.credibility END) AS highest
      FROM assessments AS latest
     WHERE latest.id = (SELECT MAX(newer.id) FROM assessments AS newer
                         WHERE newer.claim_id = latest.claim_id
                           AND newer.analyst_id = latest.analyst_id
                           AND newer.withdrawn_at IS NULL)  -- the analyst's standing latest
     GROUP BY latest.claim_id
  ) AS tally
"""

CONTESTED_CLAIMS = """
CREATE VIEW contested_claims AS
SELECT claims.id AS claim_id, claims.text AS text, claims.claimant_id AS claimant_id,
       claims.status AS status, claims.stated_on AS stated_on,
       (SELECT COUNT(*)
          FROM (SELECT link.to_claim_id AS counterclaim_id FROM claim_links AS link
                 WHERE link.relation = 'contradicts' AND link.from_claim_id = claims.id
                UNION ALL
                SELECT link.from_claim_id FROM claim_links AS link
                 WHERE link.relation = 'contradicts' AND link.to_claim_id = claims.id)
               AS counter) AS contradictions,
       (SELECT COUNT(DISTINCT counterclaims.claimant_id)
          FROM (SELECT link.to_claim_id AS counterclaim_id FROM claim_links AS link
                 WHERE link.relation = 'contradicts' AND link.from_claim_id = claims.id
                UNION ALL
                SELECT link.from_claim_id FROM claim_links AS link
                 WHERE link.relation = 'contradicts' AND link.to_claim_id = claims.id)
               AS counter
          JOIN claims AS counterclaims ON counterclaims.id = counter.counterclaim_id)
           AS contradicting_actors
  FROM claims
 WHERE EXISTS (SELECT 1 FROM claim_links AS link
                WHERE link.relation = 'contradicts' AND link.from_claim_id = claims.id)
    OR EXISTS (SELECT 1 FROM claim_links AS link
                WHERE link.relation = 'contradicts' AND link.to_claim_id = claims.id)
"""

# Before: 0003's claim_consensus and 0002's contested_claims, for the downgrade.
CLAIM_CONSENSUS_0003 = """CREATE VIEW claim_consensus AS
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
                - MIN(CASE WHEN credibility < 6 THEN credibility END), 0) AS credibility_spread,
       COALESCE(MAX(CASE WHEN credibility < 6 THEN credibility END)
                - MIN(CASE WHEN credibility < 6 THEN credibility END), 0) >= 2 AS disagreement
  FROM latest
  JOIN totals ON totals.claim_id = latest.claim_id
 GROUP BY latest.claim_id, totals.assessments
"""

CONTESTED_CLAIMS_0002 = """CREATE VIEW contested_claims AS
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
    op.execute("DROP VIEW contested_claims")
    op.execute("DROP VIEW claim_consensus")
    op.execute(CLAIM_CONSENSUS)
    op.execute(CONTESTED_CLAIMS)


def downgrade() -> None:
    op.execute("DROP VIEW contested_claims")
    op.execute("DROP VIEW claim_consensus")
    op.execute(CLAIM_CONSENSUS_0003)
    op.execute(CONTESTED_CLAIMS_0002)
