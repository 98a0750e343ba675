"""Report snapshots and what changed since one (or since a date), read from the audit trail.

A snapshot keeps a report's scope (its query string) and its JSON. "Changes since" lists,
for the claims in the scope now: new claims, new and removed contradictions, consensus
that moved (from → to), new disagreements among analysts, retractions, new sources that
carry a claim in scope and new derivations of such sources. Each list comes from the
revisions written after the moment asked about, so it holds exactly what was done after.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from urllib.parse import parse_qs, urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from counterclaim.models import Assessment, Claim, ClaimSource, ReportSnapshot, Revision

from ..errors import DomainError
from .report_scope import ReportScope, resolve


class SinceError(DomainError):
    """A --since / since= value that is neither a snapshot number nor a date."""


@dataclass
class Moved:
    claim_id: int
    text: str
    before: float | None
    after: float | None


@dataclass
class Changes:
    """What changed in a scope after `since`."""

    since: datetime
    scope: str
    snapshot_id: int | None = None
    new_claims: list[tuple[int, str]] = field(default_factory=list)
    new_contradictions: list[tuple[int, int, int]] = field(default_factory=list)
    removed_contradictions: list[tuple[int, int, int]] = field(default_factory=list)
    consensus_moved: list[Moved] = field(default_factory=list)
    new_disagreements: list[tuple[int, str]] = field(default_factory=list)
    retractions: list[tuple[int, str]] = field(default_factory=list)
    new_sources: list[tuple[int, str]] = field(default_factory=list)
    new_derivations: list[tuple[int, int, int, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(
            len(items)
            for items in (
                self.new_claims, self.new_contradictions, self.removed_contradictions,
                self.consensus_moved, self.new_disagreements, self.retractions,
                self.new_sources, self.new_derivations,
            )
        )  # fmt: skip

    def as_dict(self) -> dict:
        """Return the changes as plain data (the JSON format)."""
        return {
            "since": self.since.isoformat(),
            "snapshot": self.snapshot_id,
            "scope": self.scope,
            "new_claims": [{"claim": i, "text": t} for i, t in self.new_claims],
            "new_contradictions": [
                {"link": link, "claim": a, "counterclaim": b}
                for link, a, b in self.new_contradictions
            ],
            "removed_contradictions": [
                {"link": link, "claim": a, "counterclaim": b}
                for link, a, b in self.removed_contradictions
            ],
            "consensus_moved": [
                {"claim": m.claim_id, "text": m.text, "from": m.before, "to": m.after}
                for m in self.consensus_moved
            ],
            "new_disagreements": [{"claim": i, "text": t} for i, t in self.new_disagreements],
            "retractions": [{"claim": i, "text": t} for i, t in self.retractions],
            "new_sources": [{"source": i, "title": t} for i, t in self.new_sources],
            "new_derivations": [
                {"derivation": d, "source": s, "derived_from": f, "kind": k}
                for d, s, f, k in self.new_derivations
            ],
        }


def scope_string(scope: ReportScope) -> str:
    """Return the scope as the query string a snapshot keeps."""
    return urlencode(scope.params(), doseq=True)


def scope_of(snapshot: ReportSnapshot) -> ReportScope:
    """Return the scope a snapshot was taken of."""
    return ReportScope.from_params(parse_qs(snapshot.scope))


def save_snapshot(
    session: Session, scope: ReportScope, content: dict, *, by: int | None
) -> ReportSnapshot:
    """Keep a report's scope and JSON as a snapshot."""
    snapshot = ReportSnapshot(scope=scope_string(scope), content=content, taken_by=by)
    session.add(snapshot)
    session.flush()
    return snapshot


def recent_snapshots(session: Session, limit: int = 20) -> list[ReportSnapshot]:
    """Return the latest snapshots, newest first (without loading their content)."""
    return list(
        session.scalars(
            select(ReportSnapshot)
            .options(defer(ReportSnapshot.content))
            .order_by(ReportSnapshot.taken_at.desc(), ReportSnapshot.id.desc())
            .limit(limit)
        )
    )


def parse_since(session: Session, value: str) -> tuple[datetime, ReportSnapshot | None]:
    """Read a snapshot number or a date (YYYY-MM-DD, from its first moment, UTC)."""
    value = (value or "").strip()
    if value.isdigit() and len(value) < 19:
        snapshot = session.get(ReportSnapshot, int(value))
        if snapshot is None:
            raise SinceError(f"there is no snapshot #{value}.")
        return _aware(snapshot.taken_at), snapshot
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise SinceError(
            f"{value!r} is neither a snapshot number nor a date (YYYY-MM-DD)."
        ) from None
    return datetime.combine(day, time.min, tzinfo=UTC), None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def changes_since(session: Session, since: datetime, scope: ReportScope) -> Changes:
    """Return what changed in `scope` after `since`, from the audit trail."""
    changes = Changes(since=since, scope=scope_string(scope))
    in_scope = resolve(session, scope).statement()

    def scoped(ids) -> set[int]:
        ids = {i for i in ids if i is not None}
        if not ids:
            return set()
        return set(session.scalars(in_scope.where(Claim.id.in_(ids))))

    revisions = list(
        session.scalars(
            select(Revision)
            .where(
                Revision.at > since,
                Revision.entity.in_(("claims", "claim_links", "sources", "source_derivations")),
            )
            .order_by(Revision.id)
        )
    )
    by_entity: dict[str, list[Revision]] = {}
    for revision in revisions:
        by_entity.setdefault(revision.entity, []).append(revision)

    claims = by_entity.get("claims", [])
    created = [r.entity_id for r in claims if r.action == "create"]
    retracted = [
        r.entity_id
        for r in claims
        if r.action != "create" and (r.changes or {}).get("status", [None, None])[1] == "retracted"
    ]
    links = by_entity.get("claim_links", [])
    added = [_link(r, 1) for r in links if r.action == "create"]
    removed = [_link(r, 0) for r in links if r.action == "delete"]
    added = [x for x in added if x]
    removed = [x for x in removed if x]
    relevant = scoped(created + retracted + [i for x in added + removed for i in x[1:]])
    texts = dict(session.execute(select(Claim.id, Claim.text).where(Claim.id.in_(relevant))).all())
    changes.new_claims = [(i, texts[i]) for i in created if i in relevant]
    changes.retractions = [(i, texts[i]) for i in dict.fromkeys(retracted) if i in relevant]
    changes.new_contradictions = [x for x in added if x[1] in relevant or x[2] in relevant]
    changes.removed_contradictions = [x for x in removed if x[1] in relevant or x[2] in relevant]

    _judgments(session, since, scoped, changes)
    _sources(session, since, by_entity, in_scope, changes)
    return changes


def _link(revision: Revision, side: int) -> tuple[int, int, int] | None:
    """Return (link id, from claim, to claim) of a contradicts link's create or delete."""
    values = {k: v[side] for k, v in (revision.changes or {}).items()}
    if values.get("relation") != "contradicts":
        return None
    return revision.entity_id, values.get("from_claim_id"), values.get("to_claim_id")


def _judgments(session: Session, since: datetime, scoped, changes: Changes) -> None:
    """Fill consensus moves and new disagreements from assessments made after `since`."""
    touched = scoped(
        session.scalars(
            select(Assessment.claim_id).where(
                (Assessment.created_at > since) | (Assessment.withdrawn_at > since)
            )
        )
    )
    if not touched:
        return
    rows = session.execute(
        select(
            Assessment.claim_id,
            Assessment.analyst_id,
            Assessment.credibility,
            Assessment.created_at,
            Assessment.withdrawn_at,
        )
        .where(Assessment.claim_id.in_(touched))
        .order_by(Assessment.id)
    ).all()
    texts = dict(session.execute(select(Claim.id, Claim.text).where(Claim.id.in_(touched))).all())
    for claim_id in sorted(touched):
        before: dict[int, int] = {}
        after: dict[int, int] = {}
        for row_claim, analyst, credibility, at, withdrawn in rows:
            if row_claim != claim_id:
                continue
            # a withdrawn judgment counts only while it stood (the analyst's earlier one
            # stands again once it is withdrawn)
            if withdrawn is None:
                after[analyst] = credibility
            if _aware(at) <= since and (withdrawn is None or _aware(withdrawn) > since):
                before[analyst] = credibility
        old, new = _consensus(before), _consensus(after)
        if old[0] != new[0]:
            changes.consensus_moved.append(Moved(claim_id, texts[claim_id], old[0], new[0]))
        if new[1] >= 2 > old[1]:
            changes.new_disagreements.append((claim_id, texts[claim_id]))


def _consensus(latest: dict[int, int]) -> tuple[float | None, int]:
    """Return (median, spread) of the latest ratings, 6 left out (as claim_consensus)."""
    rated = [c for c in latest.values() if c < 6]
    if not rated:
        return None, 0
    return float(statistics.median(rated)), max(rated) - min(rated)


def _sources(session: Session, since, by_entity, in_scope, changes: Changes) -> None:
    """Fill new sources and derivations that touch a source carrying a claim in scope."""
    created = [r for r in by_entity.get("sources", []) if r.action == "create"]
    derivations = [r for r in by_entity.get("source_derivations", []) if r.action == "create"]
    candidates = {r.entity_id for r in created}
    for r in derivations:
        candidates.update(
            (r.changes or {}).get(k, [None, None])[1] for k in ("source_id", "derived_from_id")
        )
    candidates.discard(None)
    if not candidates:
        return
    carrying = set(
        session.scalars(
            select(ClaimSource.source_id)
            .where(ClaimSource.source_id.in_(candidates), ClaimSource.claim_id.in_(in_scope))
            .distinct()
        )
    )
    titles = {r.entity_id: (r.changes or {}).get("title", [None, ""])[1] for r in created}
    changes.new_sources = [(i, titles[i]) for i in sorted(titles) if i in carrying]
    for r in derivations:
        values = {k: v[1] for k, v in (r.changes or {}).items()}
        if values.get("source_id") in carrying or values.get("derived_from_id") in carrying:
            changes.new_derivations.append(
                (r.entity_id, values["source_id"], values["derived_from_id"], values["kind"])
            )
