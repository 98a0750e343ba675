"""The report's analytic additions: each contested claim's corroboration (both sides of
every pair), the claims whose reporting is circular, and each claimant's track record.

Kept apart from services/reports/reports.py so that the report's own sections stay as they are;
the report page and the Markdown report add these after the pairs. Each contested claim's
corroboration is a walk of its sources' ancestry and each claimant's record reads all their
claims, so a report computes them for a bounded set: the page for the claims of its own
pairs, a download for the first LIMIT contested claims; and the records of the CLAIMANTS
claimants who made the most of those claims.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from counterclaim.models import Actor, Claim, ClaimLink, claim_corroboration

from ..rigour.track_records import records
from .report_scope import ReportScope, resolve

#: The most claims whose corroboration one report computes (each is a graph walk).
LIMIT = 1000
#: The most claimants whose track record one report reads (each reads all their claims).
CLAIMANTS = 30


@dataclass
class ReportRigour:
    corroboration: dict[int, dict] = field(default_factory=dict)
    circular: list[dict] = field(default_factory=list)
    claimants: list[dict] = field(default_factory=list)
    truncated: bool = False
    claimants_truncated: bool = False  # more claimants made these claims than CLAIMANTS


def report_rigour(
    session: Session, scope: ReportScope, claim_ids: Sequence[int] | None = None
) -> ReportRigour:
    """Return corroboration, circular reporting and claimants' records for a report.

    With `claim_ids` (a page's claims), for those claims; else for the scope's first
    LIMIT contested claims, in the order of their links.
    """
    if claim_ids is None:
        ids, truncated = _first_contested(session, scope)
    else:
        ids = list(dict.fromkeys(claim_ids))
        ids, truncated = ids[:LIMIT], len(ids) > LIMIT
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
    made = Counter(row["claimant_id"] for row in found.corroboration.values())
    claimants = [actor for actor, _ in sorted(made.items(), key=lambda kv: (-kv[1], kv[0]))]
    found.claimants_truncated = len(claimants) > CLAIMANTS
    claimants = claimants[:CLAIMANTS]
    names = dict(session.execute(select(Actor.id, Actor.name).where(Actor.id.in_(claimants))).all())
    found.claimants = [
        {"name": names[actor_id], **record}
        for actor_id, record in sorted(
            records(session, claimants).items(), key=lambda r: names[r[0]]
        )
    ]
    return found


def _first_contested(session: Session, scope: ReportScope) -> tuple[list[int], bool]:
    """Return the ids of the scope's first LIMIT contested claims, and whether there are more."""
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
    pairs = session.execute(contested).all()
    ids = list(dict.fromkeys(i for pair in pairs for i in pair))
    return ids[:LIMIT], len(ids) > LIMIT or len(pairs) > LIMIT


def as_json(found: ReportRigour) -> dict:
    """Return the additions as one JSON-ready object (the JSON report's `rigour`)."""

    def plain(row: dict) -> dict:
        return {k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()}

    return {
        "corroboration": [plain(row) for row in found.corroboration.values()],
        "circular_reporting": [row["claim_id"] for row in found.circular],
        "claimants": [plain(row) for row in found.claimants],
        "truncated": found.truncated,
        "claimants_truncated": found.claimants_truncated,
    }
