"""Cross-references: typed links between claims, and finding the claim to link to."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterclaim.models import Claim, ClaimLink
from counterclaim.models.vocabulary import RELATIONS, SYMMETRIC_RELATIONS

from ..errors import Duplicate, NotAllowed
from ..search import search
from .editing import Merged, apply_changes, merge_edit


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


LINK_FIELDS = ("relation", "strength", "rationale")


def update_link(
    session: Session, link: ClaimLink, loaded_version: int, *, base=None, keep=(), **values
) -> Merged:
    """Change a link's relation, strength or rationale, merged with any save since.

    The link keeps its direction, except that a symmetric relation is stored lower id first.
    """
    mine = {name: values[name] for name in LINK_FIELDS if name in values}
    if mine.get("relation", link.relation) not in RELATIONS:
        raise NotAllowed(f"Unknown relation {mine['relation']!r}.")
    stored = {name: getattr(link, name) for name in mine}
    changes, merged = merge_edit(
        session, link, loaded_version, mine, stored=stored, base=base, keep=keep, entity="link"
    )
    relation = changes.get("relation", link.relation)
    low, high = sorted((link.from_claim_id, link.to_claim_id))
    ends = (
        (low, high) if relation in SYMMETRIC_RELATIONS else (link.from_claim_id, link.to_claim_id)
    )
    if "relation" in changes:
        existing = session.scalar(
            select(ClaimLink.id).where(
                ClaimLink.from_claim_id == ends[0],
                ClaimLink.to_claim_id == ends[1],
                ClaimLink.relation == relation,
                ClaimLink.id != link.id,
            )
        )
        if existing is not None:
            verb = relation.replace("_", " ")
            raise Duplicate(f"These claims are already linked: #{ends[0]} {verb} #{ends[1]}.")
        changes["from_claim_id"], changes["to_claim_id"] = ends
    apply_changes(link, changes)
    session.flush()
    return merged


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
