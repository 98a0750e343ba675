"""The workbench's front page: how much there is, and what was contested lately.

Both stay cheap at a million claims. Counting rows reads every row (COUNT(*) over a
million claims and two million links took most of a second), so callers may keep the
totals for a while (`Totals.counted_at` says how old they are). "Most contested" ranked
every contradicted claim on every visit (19 s at a million claims); the front page now
shows the latest contradictions, a walk back from the newest link. The ranking is still there
for research in the `contested_claims` view.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from counterclaim.models import Actor, Claim, ClaimLink, Source
from counterclaim.models.base import utcnow


@dataclass(frozen=True)
class Totals:
    """Row counts, as of `counted_at`."""

    claims: int
    sources: int
    actors: int
    contradictions: int
    counted_at: datetime


def count_totals(session: Session) -> Totals:
    """Count claims, sources, actors and contradictions."""
    return Totals(
        claims=session.scalar(select(func.count()).select_from(Claim)),
        sources=session.scalar(select(func.count()).select_from(Source)),
        actors=session.scalar(select(func.count()).select_from(Actor)),
        contradictions=session.scalar(
            select(func.count()).where(ClaimLink.relation == "contradicts")
        ),
        counted_at=utcnow(),
    )


def latest_contradictions(session: Session, limit: int = 10) -> list[ClaimLink]:
    """Return the newest contradictions with both claims and their claimants."""
    both = (joinedload(ClaimLink.from_claim).joinedload(Claim.claimant),
            joinedload(ClaimLink.to_claim).joinedload(Claim.claimant))  # fmt: skip
    stmt = (
        select(ClaimLink)
        .where(ClaimLink.relation == "contradicts")
        .options(*both)
        .order_by(ClaimLink.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def latest_claims(session: Session, limit: int = 10) -> list[Claim]:
    """Return the newest claims with their claimants."""
    stmt = select(Claim).options(joinedload(Claim.claimant)).order_by(Claim.id.desc())
    return list(session.scalars(stmt.limit(limit)))
