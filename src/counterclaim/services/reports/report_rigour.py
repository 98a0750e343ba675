"""The report's analytic additions: each contested claim's corroboration (both sides of
every pair), the claims whose reporting is circular, and each claimant's track record.

Kept apart from services/reports/reports.py so that the report's own sections stay as they are;
the report page and the Markdown report add these after the pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from counterclaim.models import Actor, Claim, ClaimLink, claim_corroboration

from ..rigour.track_records import records
from .report_scope import ReportScope, resolve

#: The most claims whose corroboration one report computes (each is a graph walk).
LIMIT = 1000


@dataclass
class ReportRigour:
    corroboration: dict[int, dict] = field(default_factory=dict)
    circular: list[dict] = field(default_factory=list)
    claimants: list[dict] = field(default_factory=list)
    truncated: bool = False


def report_rigour(session: Session, scope: ReportScope) -> ReportRigour:
    """Return corroboration, circular reporting and claimants' records for a report."""
    in_scope = resolve(session, scope).statement().subquery()
    contested = (
        select(ClaimLink.from_claim_id, ClaimLink.to_claim_id)
        .where(
            ClaimLink.relation == "contradicts",
            or_(
                ClaimLink.from_claim_id.in_(select(in_scope.c.id)),
                ClaimLink.to_claim_id.in_(select(in_scope.c.id)),
            ),
        )
        .order_by(ClaimLink.id)
        .limit(LIMIT + 1)
    )
    ids: list[int] = []
    pairs = session.execute(contested).all()
    for pair in pairs:
        ids.extend(i for i in pair if i not in ids)
    truncated = len(ids) > LIMIT or len(pairs) > LIMIT
    ids = ids[:LIMIT]
    found = ReportRigour(truncated=truncated)
    if not ids:
        return found
    view = claim_corroboration
    rows = session.execute(
        select(view, Claim.text, Claim.claimant_id)
        .join(Claim, Claim.id == view.c.claim_id)
        .where(view.c.claim_id.in_(ids))
        .order_by(view.c.claim_id)
    ).mappings()
    for row in rows:
        found.corroboration[row["claim_id"]] = dict(row)
    found.circular = [row for row in found.corroboration.values() if row["circular"]]
    claimants = sorted({row["claimant_id"] for row in found.corroboration.values()})
    names = dict(session.execute(select(Actor.id, Actor.name).where(Actor.id.in_(claimants))).all())
    found.claimants = [
        {"name": names[actor_id], **record}
        for actor_id, record in sorted(
            records(session, claimants).items(), key=lambda r: names[r[0]]
        )
    ]
    return found


def as_json(found: ReportRigour) -> dict:
    """Return the additions as one JSON-ready object (the JSON report's `rigour`)."""

    def plain(row: dict) -> dict:
        return {k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()}

    return {
        "corroboration": [plain(row) for row in found.corroboration.values()],
        "circular_reporting": [row["claim_id"] for row in found.circular],
        "claimants": [plain(row) for row in found.claimants],
        "truncated": found.truncated,
    }
