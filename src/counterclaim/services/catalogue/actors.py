"""Actors: who claims things and who publishes."""

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session, aliased, joinedload

from counterclaim.models import Actor, Claim, ClaimLink, Source

from ..errors import NotAllowed
from ..pagination import Page, Sort, paginate

ACTOR_FIELDS = ("name", "kind", "description", "affiliation_id")
NAME_SORT = Sort("name", "Name", Actor.name)


def create_actor(session: Session, **values) -> Actor:
    """Add an actor."""
    actor = Actor(**{name: values[name] for name in ACTOR_FIELDS if name in values})
    session.add(actor)
    session.flush()
    return actor


def update_actor(session: Session, actor: Actor, **values) -> Actor:
    """Save an edit of an actor; an actor cannot be its own affiliation."""
    if values.get("affiliation_id") == actor.id:
        raise NotAllowed("An actor cannot be affiliated with itself.")
    for name in ACTOR_FIELDS:
        if name in values:
            setattr(actor, name, values[name])
    session.flush()
    return actor


def delete_actor(session: Session, actor: Actor) -> None:
    """Delete an actor that made no claim."""
    claims = session.scalar(select(func.count()).where(Claim.claimant_id == actor.id))
    if claims:
        raise NotAllowed(f"{actor.name} made {claims} claim(s); an actor with claims is kept.")
    # The database would set these to NULL by itself; doing it here records it.
    for member in session.scalars(select(Actor).where(Actor.affiliation_id == actor.id)):
        member.affiliation_id = None
    for source in session.scalars(select(Source).where(Source.publisher_id == actor.id)):
        source.publisher_id = None
    session.flush()
    session.delete(actor)
    session.flush()


def list_actors(
    session: Session,
    *,
    text: str | None = None,
    kind: str | None = None,
    after: str | None = None,
    size: int = 50,
    before: str | None = None,
) -> Page:
    """Return one page of actors by name."""
    stmt = select(Actor).options(joinedload(Actor.affiliation))
    if text:
        stmt = stmt.where(Actor.name.icontains(text, autoescape=True))
    if kind:
        stmt = stmt.where(Actor.kind == kind)
    return paginate(session, stmt, NAME_SORT, Actor.id, after=after, size=size, before=before)


def actor_choices(session: Session) -> list[tuple[int, str]]:
    """Return every actor as (id, name), by name, for pickers."""
    return list(session.execute(select(Actor.id, Actor.name).order_by(Actor.name)))


def opponents(session: Session, actor_id: int, *, limit: int = 30) -> list[tuple[Actor, int]]:
    """Return the actors whose claims contradict this actor's, with how many pairs, most first.

    The actor's row of the actor matrix: links of relation "contradicts" in either
    direction between a claim of this actor and a claim of another.
    """
    mine, theirs = aliased(Claim), aliased(Claim)

    def pairs(mine_side, their_side):
        return (
            select(theirs.claimant_id.label("actor_id"))
            .select_from(mine)
            .join(ClaimLink, mine_side == mine.id)
            .join(theirs, theirs.id == their_side)
            .where(mine.claimant_id == actor_id, ClaimLink.relation == "contradicts")
            .where(theirs.claimant_id != actor_id)
        )

    both = union_all(
        pairs(ClaimLink.from_claim_id, ClaimLink.to_claim_id),
        pairs(ClaimLink.to_claim_id, ClaimLink.from_claim_id),
    ).subquery()
    n = func.count().label("n")
    rows = session.execute(
        select(Actor, n)
        .join(both, both.c.actor_id == Actor.id)
        .group_by(Actor.id)
        .order_by(n.desc(), Actor.name)
        .limit(limit)
    )
    return [(actor, count) for actor, count in rows]


def members(session: Session, actor_id: int, *, limit: int = 50) -> list[Actor]:
    """Return the actors affiliated with this one, by name."""
    stmt = select(Actor).where(Actor.affiliation_id == actor_id).order_by(Actor.name).limit(limit)
    return list(session.scalars(stmt))


def published(session: Session, actor_id: int, *, limit: int = 20) -> tuple[list[Source], int]:
    """Return the newest sources this actor published, and how many there are (one read:
    the count is a window over every match, taken before the limit)."""
    rows = session.execute(
        select(Source, func.count().over())
        .where(Source.publisher_id == actor_id)
        .order_by(Source.id.desc())
        .limit(limit)
    ).all()
    return [source for source, _ in rows], rows[0][1] if rows else 0
