"""Claimants' track records: how an actor's claims fared (the `actor_track_record` view),
with the claims over time and the best and worst of them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from counterclaim.models import Assessment, Claim, ClaimOutcome, actor_track_record

from ..claims.consensus import consensus_medians


@dataclass
class Rated:
    claim_id: int
    text: str
    median: float


@dataclass
class TrackRecord:
    record: dict
    by_year: list[tuple[str, int, int, int]]  # (year, claims, confirmed, false)
    best: list[Rated]
    worst: list[Rated]


def records(session: Session, actor_ids: list[int]) -> dict[int, dict]:
    """Return the actor_track_record row of each actor in `actor_ids`."""
    if not actor_ids:
        return {}
    view = actor_track_record
    query = select(view).where(view.c.actor_id.in_(actor_ids))
    return {row["actor_id"]: dict(row) for row in session.execute(query).mappings()}


def latest_outcomes():
    """Return a subquery (claim_id, outcome) of each claim's latest outcome."""
    latest = (
        select(func.max(ClaimOutcome.id).label("id")).group_by(ClaimOutcome.claim_id).subquery()
    )
    return (
        select(ClaimOutcome.claim_id, ClaimOutcome.outcome)
        .join(latest, latest.c.id == ClaimOutcome.id)
        .subquery("outcomes")
    )


def track_record(session: Session, actor_id: int, *, top: int = 3) -> TrackRecord:
    """Return the actor's record, claims per year and best and worst rated claims."""
    record = records(session, [actor_id])[actor_id]
    outcomes = latest_outcomes()
    year = func.substr(cast(Claim.stated_on, String), 1, 4)
    settled = Claim.status == "settled"
    by_year = [
        tuple(row)
        for row in session.execute(
            select(
                year,
                func.count(),
                func.count().filter(settled, outcomes.c.outcome == "confirmed"),
                func.count().filter(settled, outcomes.c.outcome == "false"),
            )
            .select_from(Claim)
            .outerjoin(outcomes, outcomes.c.claim_id == Claim.id)
            .where(Claim.claimant_id == actor_id, Claim.stated_on.is_not(None))
            .group_by(year)
            .order_by(year)
        )
    ]
    mine = select(Claim.id).where(Claim.claimant_id == actor_id)
    medians = consensus_medians(Assessment.claim_id.in_(mine))
    rated = [
        Rated(claim_id, text, median)
        for claim_id, text, median in session.execute(
            select(Claim.id, Claim.text, medians.c.median)
            .join(medians, medians.c.claim_id == Claim.id)
            .where(medians.c.median.is_not(None))
            .order_by(medians.c.median, Claim.id)
        )
    ]
    half = min(top, (len(rated) + 1) // 2)  # a short list splits, never repeats a claim
    best = rated[:half]
    worst = rated[half:][::-1][:top]
    return TrackRecord(record, by_year, best, worst)


def claimants_with_false_claims(minimum: int):
    """Return SELECT of the actors with at least `minimum` false (settled) claims."""
    outcomes = latest_outcomes()
    return (
        select(Claim.claimant_id)
        .join(outcomes, outcomes.c.claim_id == Claim.id)
        .where(Claim.status == "settled", outcomes.c.outcome == "false")
        .group_by(Claim.claimant_id)
        .having(func.count() >= minimum)
    )
