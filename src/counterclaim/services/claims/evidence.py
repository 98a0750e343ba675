"""Evidence on a claim: where it appears, how analysts rate it, and their notes."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterclaim.models import Annotation, Assessment, Claim, ClaimSource, Source, User
from counterclaim.models.base import utcnow

from ..errors import Duplicate, NotAllowed, StaleEdit
from .editing import Merged, save_edit


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


APPEARANCE_FIELDS = ("excerpt", "locator", "stance")


def update_appearance(
    session: Session, appearance: ClaimSource, loaded_version: int, *, base=None, keep=(), **values
) -> Merged:
    """Correct an appearance's excerpt, locator or stance, merged with any save since."""
    mine = {name: values[name] for name in APPEARANCE_FIELDS if name in values}
    locator = mine.get("locator", appearance.locator)
    clash = session.scalar(
        select(ClaimSource.id).where(
            ClaimSource.claim_id == appearance.claim_id,
            ClaimSource.source_id == appearance.source_id,
            ClaimSource.locator == locator,
            ClaimSource.id != appearance.id,
        )
    )
    if clash is not None:
        where = f" at {locator!r}" if locator else ""
        raise Duplicate(f"This claim is already attached to that source{where}.")
    return save_edit(
        session, appearance, loaded_version, mine, base=base, keep=keep, entity="appearance"
    )


def last_assessment(session: Session, claim: Claim, analyst: User) -> Assessment | None:
    """Return the analyst's standing (latest, not withdrawn) assessment of the claim."""
    return session.scalar(
        select(Assessment)
        .where(
            Assessment.claim_id == claim.id,
            Assessment.analyst_id == analyst.id,
            Assessment.withdrawn_at.is_(None),
        )
        .order_by(Assessment.id.desc())
        .limit(1)
    )


def withdraw_assessment(
    session: Session, assessment: Assessment, by: User, loaded_version: int
) -> None:
    """Withdraw a judgment: it stays, marked, and counts in no consensus."""
    if assessment.withdrawn_at is not None:
        raise NotAllowed("This assessment was withdrawn already.")
    if assessment.version != loaded_version:
        raise StaleEdit("assessment", loaded_version, assessment.version)
    assessment.withdrawn_at = utcnow()
    assessment.withdrawn_by = by.id
    session.flush()


NOTE_FIELDS = ("body",)


def update_note(
    session: Session, note: Annotation, loaded_version: int, *, base=None, keep=(), body: str
) -> Merged:
    """Correct a note, merged with any save since."""
    return save_edit(
        session, note, loaded_version, {"body": body}, base=base, keep=keep, entity="note"
    )


def delete_note(session: Session, note: Annotation) -> None:
    """Delete a note (its text stays readable in the history)."""
    session.delete(note)
    session.flush()
