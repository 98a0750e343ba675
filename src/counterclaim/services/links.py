"""Cross-references: typed links between claims, and finding the claim to link to."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterclaim.models import Claim, ClaimLink
from counterclaim.models.vocabulary import RELATIONS, SYMMETRIC_RELATIONS

from . import search
from .errors import Duplicate, NotAllowed


def link_claims(
    session: Session,
    from_claim: Claim,
    to_claim: Claim,
    relation: str,
    *,
    strength: str = "moderate",
    rationale: str = "",
) -> ClaimLink:
    """Link two claims; a symmetric relation is stored once, lower id first."""
    if relation not in RELATIONS:
        raise NotAllowed(f"Unknown relation {relation!r}.")
    if from_claim.id == to_claim.id:
        raise NotAllowed("A claim cannot be linked to itself.")
    if relation in SYMMETRIC_RELATIONS and from_claim.id > to_claim.id:
        from_claim, to_claim = to_claim, from_claim
    existing = session.scalar(
        select(ClaimLink).where(
            ClaimLink.from_claim_id == from_claim.id,
            ClaimLink.to_claim_id == to_claim.id,
            ClaimLink.relation == relation,
        )
    )
    if existing is not None:
        verb = relation.replace("_", " ")
        raise Duplicate(f"These claims are already linked: #{from_claim.id} {verb} #{to_claim.id}.")
    link = ClaimLink(
        from_claim_id=from_claim.id,
        to_claim_id=to_claim.id,
        relation=relation,
        strength=strength,
        rationale=rationale,
    )
    session.add(link)
    session.flush()
    return link


def unlink(session: Session, link: ClaimLink) -> None:
    """Remove a link."""
    session.delete(link)
    session.flush()


def find_claims(
    session: Session, query: str, *, exclude_id: int | None = None, limit: int = 10
) -> list[Claim]:
    """Return the claims best matching `query` as typed so far (full-text search)."""
    return [
        hit.item for hit in search.find_claims(session, query, exclude_id=exclude_id, limit=limit)
    ]
