"""Evidence on a claim: where it appears, how analysts rate it, and their notes."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterclaim.models import Annotation, Assessment, Claim, ClaimSource, Source, User

from .errors import Duplicate


def attach_source(
    session: Session,
    claim: Claim,
    source: Source,
    *,
    excerpt: str,
    locator: str = "",
    stance: str = "neutral",
) -> ClaimSource:
    """Record that `claim` appears in `source`, with the exact excerpt and the stance."""
    existing = session.scalar(
        select(ClaimSource).where(
            ClaimSource.claim_id == claim.id,
            ClaimSource.source_id == source.id,
            ClaimSource.locator == locator,
        )
    )
    if existing is not None:
        where = f" at {locator!r}" if locator else ""
        raise Duplicate(f"This claim is already attached to that source{where}.")
    appearance = ClaimSource(
        claim_id=claim.id, source_id=source.id, excerpt=excerpt, locator=locator, stance=stance
    )
    session.add(appearance)
    session.flush()
    return appearance


def detach_source(session: Session, appearance: ClaimSource) -> None:
    """Remove a claim's appearance in a source."""
    session.delete(appearance)
    session.flush()


def record_assessment(
    session: Session,
    claim: Claim,
    analyst: User,
    *,
    credibility: int,
    confidence: str,
    rationale: str,
) -> Assessment:
    """Record an analyst's judgment; earlier judgments stay as history."""
    assessment = Assessment(
        claim_id=claim.id,
        analyst_id=analyst.id,
        credibility=credibility,
        confidence=confidence,
        rationale=rationale,
    )
    session.add(assessment)
    session.flush()
    return assessment


def add_note(
    session: Session,
    author: User,
    body: str,
    *,
    claim: Claim | None = None,
    source: Source | None = None,
) -> Annotation:
    """Add an analyst's note to a claim or a source."""
    note = Annotation(
        author_id=author.id,
        body=body,
        claim_id=claim.id if claim else None,
        source_id=source.id if source else None,
    )
    session.add(note)
    session.flush()
    return note
