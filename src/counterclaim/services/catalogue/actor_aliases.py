"""Actor aliases: other names of an actor, and merging two actors into one.

Imports match an actor by name, else by alias (exchange/apply.py), so the same person
under two spellings or scripts is one actor once an editor has said so. Merging moves
everything that names the merged actor (claims, sources, reviews, affiliations, aliases)
to the kept one, then deletes it; its name becomes an alias. Every change goes through
the ORM, so the audit trail records it, as a merge.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterclaim.models import Actor, ActorAlias, Claim, Review, Source
from counterclaim.models.audit import recorded_as

from ..errors import Duplicate, NotAllowed
from ..exchange.addresses import name_key


def add_alias(session: Session, actor: Actor, alias: str) -> ActorAlias:
    """Give `actor` another name; a name already used by an actor or alias is refused."""
    alias = " ".join(alias.split())
    if not alias:
        raise NotAllowed("An alias needs a name.")
    if len(alias) > 200:
        raise NotAllowed("An alias is at most 200 characters.")
    key = name_key(alias)
    taken = session.scalar(select(ActorAlias).where(ActorAlias.key == key))
    if taken is not None:
        raise Duplicate(f"“{alias}” is already a name of actor #{taken.actor_id}.")
    other = session.scalar(select(Actor).where(Actor.name == alias, Actor.id != actor.id))
    if other is not None:
        raise Duplicate(f"“{alias}” is the name of actor #{other.id}: merge the two instead.")
    row = ActorAlias(actor=actor, alias=alias, key=key)
    session.add(row)
    session.flush()
    return row


def merge_actors(session: Session, keep: Actor, merged: Actor) -> dict[str, int]:
    """Move everything of `merged` to `keep`, delete `merged`, keep its name as an alias."""
    if keep.id == merged.id:
        raise NotAllowed("An actor cannot be merged into itself.")
    moved = {"claims": 0, "sources": 0, "reviews": 0, "actors": 0, "actor_aliases": 0}
    with recorded_as(session, "merge"):
        for claim in session.scalars(select(Claim).where(Claim.claimant_id == merged.id)):
            claim.claimant_id = keep.id
            moved["claims"] += 1
        for source in session.scalars(select(Source).where(Source.publisher_id == merged.id)):
            source.publisher_id = keep.id
            moved["sources"] += 1
        for review in session.scalars(select(Review).where(Review.reviewer_id == merged.id)):
            review.reviewer_id = keep.id
            moved["reviews"] += 1
        for actor in session.scalars(select(Actor).where(Actor.affiliation_id == merged.id)):
            actor.affiliation_id = None if actor.id == keep.id else keep.id
            moved["actors"] += 1
        for alias in session.scalars(select(ActorAlias).where(ActorAlias.actor_id == merged.id)):
            alias.actor_id = keep.id
            moved["actor_aliases"] += 1
        if not keep.description and merged.description:
            keep.description = merged.description
        name, external_id = merged.name, merged.external_id
        session.flush()
        session.delete(merged)
        session.flush()
        if external_id and keep.external_id is None:
            keep.external_id = external_id
        if session.scalar(select(ActorAlias).where(ActorAlias.key == name_key(name))) is None:
            session.add(ActorAlias(actor=keep, alias=name, key=name_key(name)))
        session.flush()
    return moved
