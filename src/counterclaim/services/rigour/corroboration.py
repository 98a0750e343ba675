"""Independent corroboration: how many independent origins carry a claim.

The rule (the `claim_corroboration` view of migration 0012 computes the same counts in
SQL; tests/test_corroboration.py checks they agree):

- each of a claim's sources has an ancestry: itself and every source it derives from,
  directly or through a chain of source_derivations;
- two of the claim's sources share an origin when their ancestries meet in a source (two
  republications of one wire story meet in the wire) or in a publisher, and sharing is
  followed to its end: the claim's sources fall into groups;
- a group is an *independent origin* when it holds a source that carries the claim with
  a stance other than refutes or skeptical, and holds neither the claimant's own words
  (an `origin` appearance) nor, in any ancestry, a source the claimant published:
  repeating a claimant does not confirm them;
- the claim's reporting is *circular* when two or more supporting sources share a group.

Only ancestries are walked, never descendants: a round-up that cites two independent
originals does not make them one, and a wire story's thousand republications are never
read. Only the claims asked about are computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from counterclaim.models import (
    Assessment,
    Claim,
    ClaimSource,
    Source,
    SourceDerivation,
    claim_corroboration,
)

from ..claims.consensus import consensus_medians

SUPPORTING = ("origin", "endorses", "neutral")


@dataclass
class Member:
    source_id: int
    title: str
    publisher_id: int | None
    stances: set[str] = field(default_factory=set)

    @property
    def supports(self) -> bool:
        return bool(self.stances & set(SUPPORTING))


@dataclass
class Group:
    """The claim's sources that share one origin."""

    members: list[Member]
    claimant_words: bool
    claimant_published: bool

    @property
    def supporting(self) -> list[Member]:
        return [m for m in self.members if m.supports]

    @property
    def independent(self) -> bool:
        return bool(self.supporting) and not (self.claimant_words or self.claimant_published)


@dataclass
class Corroboration:
    """One claim's sources by origin, and what they add up to."""

    claim_id: int
    appearances: int
    groups: list[Group]
    edges: list[tuple[int, int, str]]  # (source, derived_from, kind or "chain")

    @property
    def supporting_sources(self) -> int:
        return sum(len(g.supporting) for g in self.groups)

    @property
    def independent_origins(self) -> int:
        return sum(1 for g in self.groups if g.independent)

    @property
    def circular(self) -> bool:
        return any(len(g.supporting) >= 2 for g in self.groups)


def corroboration(session: Session, claim: Claim) -> Corroboration:
    """Return the claim's sources grouped by origin (for its page and its graph).

    Reads the claim's appearances where they are loaded with their sources (the claim
    page loads them), and each source's ancestry with its publishers in one statement.
    """
    rows = _appearances(session, claim)
    members: dict[int, Member] = {}
    for source_id, stance, title, publisher_id in rows:
        members.setdefault(source_id, Member(source_id, title, publisher_id)).stances.add(stance)
    reach, publisher_of = _reach(session, list(members))
    publishers = {
        start: {publisher_of[n] for n in nodes if n in publisher_of}
        for start, nodes in reach.items()
    }
    parent = {start: start for start in members}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    starts = sorted(members)
    for i, a in enumerate(starts):
        for b in starts[i + 1 :]:
            if reach[a] & reach[b] or publishers[a] & publishers[b]:
                parent[find(b)] = find(a)
    grouped: dict[int, list[int]] = {}
    for start in starts:
        grouped.setdefault(find(start), []).append(start)
    groups = [
        Group(
            members=[members[s] for s in group],
            claimant_words=any("origin" in members[s].stances for s in group),
            claimant_published=any(claim.claimant_id in publishers[s] for s in group),
        )
        for _, group in sorted(grouped.items())
    ]
    return Corroboration(claim.id, len(rows), groups, _edges(session, reach, members))


def _appearances(session: Session, claim: Claim) -> list[tuple]:
    """Return (source_id, stance, title, publisher_id) of each appearance, by source."""
    loaded = "appearances" not in inspect(claim).unloaded and all(
        "source" not in inspect(a).unloaded for a in claim.appearances
    )
    if loaded:
        rows = [(a.source_id, a.stance, a.source.title, a.source.publisher_id)
                for a in claim.appearances]  # fmt: skip
        return sorted(rows, key=lambda row: row[0])
    return session.execute(
        select(ClaimSource.source_id, ClaimSource.stance, Source.title, Source.publisher_id)
        .join(Source, Source.id == ClaimSource.source_id)
        .where(ClaimSource.claim_id == claim.id)
        .order_by(ClaimSource.source_id)
    ).all()


def _reach(session: Session, source_ids: list[int]) -> tuple[dict[int, set[int]], dict]:
    """Return each source's ancestry (itself and every source it derives from), and the
    publisher of each source in any ancestry that has one."""
    if not source_ids:
        return {}, {}
    starts = select(Source.id.label("start"), Source.id.label("node")).where(
        Source.id.in_(source_ids)
    )
    reach = starts.cte("reach", recursive=True)
    d = SourceDerivation.__table__.alias("d")
    step = select(reach.c.start, d.c.derived_from_id).join(d, d.c.source_id == reach.c.node)
    reach = reach.union(step)
    found: dict[int, set[int]] = {}
    publisher_of: dict[int, int] = {}
    rows = session.execute(
        select(reach.c.start, reach.c.node, Source.publisher_id).join(
            Source, Source.id == reach.c.node
        )
    )
    for start, node, publisher_id in rows:
        found.setdefault(start, set()).add(node)
        if publisher_id is not None:
            publisher_of[node] = publisher_id
    return found, publisher_of


def _edges(session: Session, reach: dict[int, set[int]], members: dict) -> list[tuple]:
    """Return the derivations among the claim's sources, a chain through others as one."""
    mine = set(members)
    direct = {
        (s, f): kind
        for s, f, kind in session.execute(
            select(
                SourceDerivation.source_id,
                SourceDerivation.derived_from_id,
                SourceDerivation.kind,
            ).where(
                SourceDerivation.source_id.in_(mine), SourceDerivation.derived_from_id.in_(mine)
            )
        )
    }
    edges = [(s, f, kind) for (s, f), kind in sorted(direct.items())]
    for s in sorted(mine):
        for f in sorted(mine):
            if s != f and (s, f) not in direct and f in reach.get(s, ()):
                edges.append((s, f, "chain"))  # reach is the ancestry: s derives from f
    return edges


def counts(session: Session, claim_ids: list[int]) -> dict[int, dict]:
    """Return the claim_corroboration row of each claim in `claim_ids` (claims in a list)."""
    if not claim_ids:
        return {}
    view = claim_corroboration
    query = select(view).where(view.c.claim_id.in_(claim_ids))
    return {row["claim_id"]: dict(row) for row in session.execute(query).mappings()}


def credibility_one_warning(
    session: Session, claim: Claim, origins: int, judged: tuple | None = None
) -> str | None:
    """Return a warning when the consensus or a current assessment says credibility 1 but
    fewer than two independent origins carry the claim; None otherwise.

    `judged` is (consensus median, each analyst's latest standing rating) where the caller
    holds them (the claim page); else they are read.
    """
    if origins >= 2:
        return None
    if judged is None:
        medians = consensus_medians(Assessment.claim_id == claim.id)
        median = session.scalar(select(medians.c.median))
        ratings: dict[int, int] = {}  # each analyst's latest rating: the last one read
        for analyst_id, credibility in session.execute(
            select(Assessment.analyst_id, Assessment.credibility)
            .where(Assessment.claim_id == claim.id, Assessment.withdrawn_at.is_(None))
            .order_by(Assessment.id)
        ):
            ratings[analyst_id] = credibility
        judged = (median, list(ratings.values()))
    median, latest = judged
    says_one = (median is not None and median < 1.5) or 1 in latest
    return one_warning(origins) if says_one else None


def one_warning(origins: int) -> str:
    """Return the text of the credibility-1 warning for a claim with `origins` origins."""
    return (
        "Credibility 1 means confirmed by other independent sources, but this claim has "
        f"{origins} independent origin{'' if origins == 1 else 's'}: sources that repeat one "
        "another, share a publisher or repeat the claimant are one origin."
    )
