"""Actors: who claims things and who publishes."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from counterclaim.models import Actor, Claim, Source

from .errors import NotAllowed
from .pagination import Page, Sort, paginate

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


def claim_count(session: Session, actor_id: int) -> int:
    """Return how many claims an actor made."""
    return session.scalar(select(func.count()).where(Claim.claimant_id == actor_id))
