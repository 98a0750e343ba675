"""A claim's consensus credibility, computed for the claims a query chooses.

The rule is the `claim_consensus` view's (migration 0002): each analyst's latest rating
that stands (not withdrawn, migration 0011) counts; the median is taken over ratings
1-5, a 6 ("cannot be judged") is left out. The view computes every claim before any
filter applies (SQLite never pushes a filter into it; PostgreSQL does for one claim, not
for a list), which costs tens of seconds at a million claims. Here the filter is the
first thing applied, so the cost follows the claims asked about. tests/test_facets.py
checks the two agree (the view leaves withdrawn ratings out once the lead folds
`withdrawn_at IS NULL` into it).
"""

from sqlalchemy import and_, case, func, select

from counterclaim.models import Assessment, Claim
from counterclaim.models.vocabulary import CREDIBILITY


def standing(assessment):
    """A condition: the assessment (a model or an alias) stands, it was not withdrawn."""
    return assessment.withdrawn_at.is_(None)


def consensus_medians(restrict, *, correlated: bool = False):
    """Return a subquery (claim_id, median) over the assessed claims `restrict` selects.

    `restrict` is a condition on Assessment.claim_id; the median is NULL when every latest
    rating is 6. With `correlated`, `restrict` may refer to the enclosing query's claims.
    """
    ranked = select(
        Assessment.claim_id,
        Assessment.credibility,
        func.row_number()
        .over(partition_by=(Assessment.claim_id, Assessment.analyst_id),
              order_by=Assessment.id.desc())
        .label("recency"),
    ).where(restrict, standing(Assessment))  # fmt: skip
    if correlated:
        ranked = ranked.correlate(Claim)
    ranked = ranked.subquery("ranked")
    side = (ranked.c.claim_id, ranked.c.credibility < 6)
    rated = (
        select(
            ranked.c.claim_id,
            ranked.c.credibility,
            func.row_number()
            .over(partition_by=side, order_by=ranked.c.credibility)
            .label("position"),
            func.count().over(partition_by=side).label("peers"),
        )
        .where(ranked.c.recency == 1)
        .subquery("rated")
    )
    middle = and_(
        rated.c.credibility < 6,
        rated.c.position.in_([(rated.c.peers + 1) // 2, (rated.c.peers + 2) // 2]),
    )
    return (
        select(rated.c.claim_id, func.avg(case((middle, rated.c.credibility))).label("median"))
        .group_by(rated.c.claim_id)
        .subquery("medians")
    )


def credibility_band(median):
    """Return the consensus median rounded to a credibility code, half up; 6 when none.

    A median of 2.5 reads "possibly true" (3): between two codes, the more doubtful.
    """
    return case(
        (median.is_(None), 6),
        (median < 1.5, 1),
        (median < 2.5, 2),
        (median < 3.5, 3),
        (median < 4.5, 4),
        else_=5,
    )


def claims_with_band(band: str):
    """Return a condition on Claim: its consensus is `band` ("1"-"6"), or "none" (unrated)."""
    if band == "none":
        return (
            ~select(Assessment.id)
            .where(Assessment.claim_id == Claim.id, standing(Assessment))
            .exists()
        )
    medians = consensus_medians(Assessment.claim_id == Claim.id, correlated=True)
    return select(credibility_band(medians.c.median)).scalar_subquery() == int(band)


def meaning(median: float | None) -> str:
    """Say what a consensus median means in words: 4.5 is between Doubtful and Improbable."""
    if median is None:
        return CREDIBILITY[6]
    if median == int(median):
        return CREDIBILITY[int(median)]
    low, high = int(median), int(median) + 1
    return f"between {CREDIBILITY[low].lower()} ({low}) and {CREDIBILITY[high].lower()} ({high})"
