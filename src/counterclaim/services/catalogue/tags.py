"""Tags: topics, places, events and operations."""

from sqlalchemy import ARRAY, Integer, any_, cast, exists, func, select
from sqlalchemy.orm import Session

from counterclaim.models import Claim, ClaimTag, Tag
from counterclaim.models.audit import recorded_as
from counterclaim.models.base import utcnow

from ..errors import NotAllowed

TAG_FIELDS = ("name", "kind", "description")


def create_tag(session: Session, **values) -> Tag:
    """Add a tag."""
    tag = Tag(**{name: values[name] for name in TAG_FIELDS if name in values})
    session.add(tag)
    session.flush()
    return tag


def update_tag(session: Session, tag: Tag, **values) -> Tag:
    """Save an edit of a tag."""
    for name in TAG_FIELDS:
        if name in values:
            setattr(tag, name, values[name])
    session.flush()
    return tag


def delete_tag(session: Session, tag: Tag) -> None:
    """Delete a tag; the claims filed under it lose the tag, nothing else.

    Each claim drops the tag through the ORM (not the database's cascade), so that the
    change is in the claim's history.
    """
    tagged = select(Claim).where(
        exists().where(ClaimTag.claim_id == Claim.id, ClaimTag.tag_id == tag.id)
    )
    for claim in session.scalars(tagged):
        claim.tags = [t for t in claim.tags if t.id != tag.id]
        claim.updated_at = utcnow()
    session.flush()
    session.delete(tag)
    session.flush()


def merge_tags(session: Session, duplicate: Tag, into: Tag) -> int:
    """File the claims under `duplicate` under `into` instead, then delete `duplicate`.

    Each claim changes through the ORM, recorded as a merge in its history; return how
    many claims moved.
    """
    if duplicate.id == into.id:
        raise NotAllowed("A tag cannot be merged into itself.")
    tagged = select(Claim).where(
        exists().where(ClaimTag.claim_id == Claim.id, ClaimTag.tag_id == duplicate.id)
    )
    moved = 0
    with recorded_as(session, "merge"):
        for claim in session.scalars(tagged).all():
            kept = [t for t in claim.tags if t.id != duplicate.id]
            claim.tags = kept if into in kept else [*kept, into]
            claim.updated_at = utcnow()
            moved += 1
        session.flush()
    session.delete(duplicate)
    session.flush()
    return moved


def tags_with_counts(session: Session) -> list[tuple[Tag, int]]:
    """Return every tag with the number of claims filed under it, by kind and name."""
    counts = select(ClaimTag.tag_id, func.count().label("n")).group_by(ClaimTag.tag_id).subquery()
    stmt = (
        select(Tag, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.tag_id == Tag.id)
        .order_by(Tag.kind, Tag.name)
    )
    return list(session.execute(stmt))


def tag_choices(session: Session) -> list[tuple[int, str]]:
    """Return every tag as (id, name), by name, for pickers."""
    return list(session.execute(select(Tag.id, Tag.name).order_by(Tag.name)))


def claim_count(session: Session, tag: Tag) -> int:
    """Return how many claims are filed under `tag`."""
    return session.scalar(select(func.count()).where(ClaimTag.tag_id == tag.id))


def tagged_with(tag_id: int, dialect: str):
    """The condition "the claim carries tag `tag_id`", starting from the tag's claims.

    On PostgreSQL the tag's claims are gathered into an array first: given `IN (subquery)`
    its planner walked the claims' date index probing each claim (13,000 probes, 107 ms,
    for a tag of 4,150 claims at a million; 36 ms from the array).
    """
    tagged = select(ClaimTag.claim_id).where(ClaimTag.tag_id == tag_id)
    if dialect == "postgresql":
        gathered = tagged.with_only_columns(func.array_agg(ClaimTag.claim_id))
        return Claim.id == any_(cast(gathered.scalar_subquery(), ARRAY(Integer)))
    return Claim.id.in_(tagged)
