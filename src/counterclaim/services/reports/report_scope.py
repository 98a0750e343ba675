"""What a contradiction report covers: the scope, its validation, and its SQL.

A scope narrows the claims a report covers by any combination of tags (all of them),
claimant, one claim and its neighbourhood (claims within `depth` links of it, whatever
the relation), stated date range, status and minimum source reliability. Nothing given
means every claim. Bad values raise `ScopeError`, which names the parameter at fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, Select, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from counterclaim.models import Actor, Claim, ClaimLink, ClaimSource, Source, Tag
from counterclaim.models.vocabulary import CLAIM_STATUS, RELIABILITY

from ..catalogue.tags import tagged_with
from ..errors import DomainError

MAX_DEPTH = 3
PARAMETERS = (
    "tag", "actor", "claim", "depth", "stated_from", "stated_to", "status", "reliability",
)  # fmt: skip


class ScopeError(DomainError):
    """A scope parameter the report cannot use; `parameter` names it."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class ReportScope:
    """The claims a report covers; None (or empty) narrows nothing."""

    tags: tuple[str, ...] = ()
    actor: str | int | None = None
    claim_id: int | None = None
    depth: int = 1
    stated_from: date | None = None
    stated_to: date | None = None
    status: str | None = None
    min_reliability: str | None = None

    def __post_init__(self):
        if any(not name.strip() for name in self.tags):
            raise ScopeError("tag", "a tag name cannot be empty.")
        if self.claim_id is not None and self.claim_id < 1:
            raise ScopeError("claim", "a claim number is a whole number from 1.")
        if not 1 <= self.depth <= MAX_DEPTH:
            raise ScopeError("depth", f"the neighbourhood depth is 1 to {MAX_DEPTH} links.")
        if self.stated_from and self.stated_to and self.stated_to < self.stated_from:
            raise ScopeError(
                "stated_to",
                f"the end date {self.stated_to} is before the start date {self.stated_from}.",
            )
        if self.status is not None and self.status not in CLAIM_STATUS:
            raise ScopeError("status", f"choose one of {', '.join(CLAIM_STATUS)}.")
        if self.min_reliability is not None and self.min_reliability not in RELIABILITY:
            raise ScopeError("reliability", "choose a source reliability letter A to F.")

    @classmethod
    def from_params(cls, params: Mapping) -> ReportScope:
        """Parse a scope from text parameters (a query string, CLI options)."""
        tags = _all(params, "tag")
        actor = _one(params, "actor")
        return cls(
            tags=tuple(t.strip() for t in tags),
            actor=int(actor) if actor and re.fullmatch(r"\d{1,18}", actor) else actor,
            claim_id=_number(params, "claim"),
            depth=_number(params, "depth") or 1,
            stated_from=_date(params, "stated_from"),
            stated_to=_date(params, "stated_to"),
            status=_one(params, "status"),
            min_reliability=(_one(params, "reliability") or "").upper() or None,
        )

    def params(self) -> dict:
        """Return the scope as query parameters (the inverse of `from_params`)."""
        values = {
            "tag": list(self.tags), "actor": self.actor, "claim": self.claim_id,
            "depth": self.depth if self.claim_id else None,
            "stated_from": self.stated_from, "stated_to": self.stated_to,
            "status": self.status, "reliability": self.min_reliability,
        }  # fmt: skip
        return {k: (v if isinstance(v, list) else str(v)) for k, v in values.items() if v}


def _all(params: Mapping, name: str) -> list[str]:
    values = params.getlist(name) if hasattr(params, "getlist") else params.get(name) or []
    values = [values] if isinstance(values, str) else list(values)
    return [v for v in values if v is not None and str(v).strip() != ""]


def _one(params: Mapping, name: str) -> str | None:
    values = _all(params, name)
    if len(values) > 1:
        raise ScopeError(name, "give it once.")
    return str(values[0]).strip() if values else None


def _number(params: Mapping, name: str) -> int | None:
    value = _one(params, name)
    if value is None:
        return None
    if not re.fullmatch(r"\d{1,18}", value):
        raise ScopeError(name, f"{value!r} is not a whole number.")
    return int(value)


def _date(params: Mapping, name: str) -> date | None:
    value = _one(params, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ScopeError(name, f"{value!r} is not a date (YYYY-MM-DD).") from None


@dataclass(frozen=True)
class ResolvedScope:
    """A scope whose names are checked against the database: ids and display names."""

    scope: ReportScope
    tags: tuple[tuple[int, str], ...] = ()
    actor: tuple[int, str] | None = None
    claim: tuple[int, str] | None = None
    description: list[str] = field(default_factory=list)
    dialect: str = "sqlite"

    def statement(self) -> Select:
        """Return SELECT claims.id of every claim in scope."""
        s = self.scope
        stmt = select(Claim.id)
        for tag_id, _ in self.tags:  # from the tag's claims, not an EXISTS per claim
            stmt = stmt.where(tagged_with(tag_id, self.dialect))
        if self.actor:
            stmt = stmt.where(Claim.claimant_id == self.actor[0])
        if self.claim:
            stmt = stmt.where(Claim.id.in_(_neighbourhood(self.claim[0], s.depth)))
        if s.stated_from:
            stmt = stmt.where(Claim.stated_on >= s.stated_from)
        if s.stated_to:
            stmt = stmt.where(Claim.stated_on <= s.stated_to)
        if s.status:
            stmt = stmt.where(Claim.status == s.status)
        if s.min_reliability:
            letters = [r for r in RELIABILITY if r <= s.min_reliability]
            stmt = stmt.where(
                exists().where(
                    ClaimSource.claim_id == Claim.id,
                    ClaimSource.source_id == Source.id,
                    Source.reliability.in_(letters),
                )
            )
        return stmt


def _neighbourhood(claim_id: int, depth: int) -> Select:
    """Return SELECT of the claims within `depth` links of `claim_id`, itself included."""
    start = select(Claim.id.label("claim_id"), cast(literal(0), Integer).label("hops"))
    hood = start.where(Claim.id == claim_id).cte("neighbourhood", recursive=True)
    link = ClaimLink.__table__.alias("hop")
    # the far end of a link, whichever end the walk reached it by
    other = link.c.from_claim_id + link.c.to_claim_id - hood.c.claim_id
    step = (
        select(other, hood.c.hops + 1)
        .select_from(hood)
        .join(
            link,
            or_(link.c.from_claim_id == hood.c.claim_id, link.c.to_claim_id == hood.c.claim_id),
        )
        .where(hood.c.hops < depth)
    )
    return select(hood.union(step).c.claim_id)


def resolve(session: Session, scope: ReportScope) -> ResolvedScope:
    """Check the scope's tags, actor and claim exist; return their ids and names."""
    tags = _resolve_tags(session, scope.tags) if scope.tags else ()
    actor = _resolve_actor(session, scope.actor) if scope.actor is not None else None
    claim = None
    if scope.claim_id is not None:
        text = session.scalar(select(Claim.text).where(Claim.id == scope.claim_id))
        if text is None:
            raise ScopeError("claim", f"there is no claim #{scope.claim_id}.")
        claim = (scope.claim_id, text)
    return ResolvedScope(
        scope=scope, tags=tags, actor=actor, claim=claim,
        description=_describe(scope, tags, actor, claim),
        dialect=session.get_bind().dialect.name,
    )  # fmt: skip


def _resolve_tags(session: Session, names: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    wanted = {name.lower() for name in names}
    found: dict[str, list[tuple[int, str]]] = {}
    for tag_id, name in session.execute(
        select(Tag.id, Tag.name).where(func.lower(Tag.name).in_(wanted)).order_by(Tag.id)
    ):
        found.setdefault(name.lower(), []).append((tag_id, name))
    resolved = []
    for name in dict.fromkeys(names):
        matches = found.get(name.lower(), [])
        exact = [m for m in matches if m[1] == name]
        if not matches:
            raise ScopeError("tag", f"there is no tag named {name!r}.")
        if len(matches) > 1 and not exact:
            spelled = ", ".join(repr(m[1]) for m in matches)
            raise ScopeError("tag", f"{name!r} could be {spelled}: give its exact spelling.")
        resolved.append(exact[0] if exact else matches[0])
    return tuple(dict.fromkeys(resolved))


def _resolve_actor(session: Session, actor: str | int) -> tuple[int, str]:
    if isinstance(actor, int):
        name = session.scalar(select(Actor.name).where(Actor.id == actor))
        if name is None:
            raise ScopeError("actor", f"there is no actor #{actor}.")
        return actor, name
    rows = session.execute(
        select(Actor.id, Actor.name).where(func.lower(Actor.name) == actor.lower())
    ).all()
    exact = [r for r in rows if r.name == actor]
    if not rows:
        raise ScopeError("actor", f"there is no actor named {actor!r}.")
    if len(rows) > 1 and not exact:
        raise ScopeError("actor", f"{actor!r} names several actors: give its exact spelling.")
    row = exact[0] if exact else rows[0]
    return row.id, row.name


def _describe(scope, tags, actor, claim) -> list[str]:
    parts = []
    if tags:
        parts.append("tagged " + " and ".join(f"“{name}”" for _, name in tags))
    if actor:
        parts.append(f"claimed by {actor[1]}")
    if claim:
        hops = "link" if scope.depth == 1 else "links"
        parts.append(f"within {scope.depth} {hops} of claim #{claim[0]}")
    if scope.stated_from or scope.stated_to:
        parts.append(f"stated {scope.stated_from or '…'} to {scope.stated_to or '…'}")
    if scope.status:
        parts.append(f"status {scope.status.replace('_', ' ')}")
    if scope.min_reliability:
        parts.append(f"carried by a source rated {scope.min_reliability} or better")
    return parts or ["every claim"]
