"""Claim outcomes: settling a claim records what it turned out to be, with a rationale.

The outcome proposed comes from the consensus median: up to 1.5 confirmed, up to 2.5
probably true, up to 3.5 unresolved, up to 4.5 doubtful, above that false; no median
(unrated, or only 6, "cannot be judged") is unresolved. An editor may choose another
outcome; every decision is a new row, so the history of judgments is kept.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterclaim.models import Assessment, Claim, ClaimOutcome
from counterclaim.models.vocabulary import OUTCOME

from ..errors import NotAllowed
from .consensus import consensus_medians


def outcome_for(median: float | None) -> str:
    """Return the outcome a consensus median proposes."""
    if median is None:
        return "unresolved"
    for limit, outcome in ((1.5, "confirmed"), (2.5, "probably_true"), (3.5, "unresolved"),
                           (4.5, "doubtful")):  # fmt: skip
        if median <= limit:
            return outcome
    return "false"


def consensus_median(session: Session, claim_id: int) -> float | None:
    """Return the claim's consensus median (None when unrated or rated only 6)."""
    medians = consensus_medians(Assessment.claim_id == claim_id)
    return session.scalar(select(medians.c.median))


def proposed_outcome(session: Session, claim: Claim) -> str:
    """Return the outcome the claim's consensus proposes."""
    return outcome_for(consensus_median(session, claim.id))


def settle_claim(
    session: Session, claim: Claim, outcome: str, rationale: str, *, by: int | None
) -> ClaimOutcome:
    """Record the claim's outcome and mark it settled."""
    if outcome not in OUTCOME:
        raise NotAllowed(f"Choose an outcome: {', '.join(OUTCOME)}.")
    if not rationale.strip():
        raise NotAllowed("Say why: an outcome needs its rationale.")
    if claim.status == "retracted":
        raise NotAllowed("A retracted claim is not settled; reopen it first.")
    decision = ClaimOutcome(
        claim_id=claim.id, outcome=outcome, rationale=rationale.strip(), decided_by=by
    )
    session.add(decision)
    if claim.status != "settled":
        claim.status = "settled"
    session.flush()
    return decision


def outcome_history(session: Session, claim_id: int) -> list[ClaimOutcome]:
    """Return the claim's outcomes, the latest first."""
    return list(
        session.scalars(
            select(ClaimOutcome)
            .where(ClaimOutcome.claim_id == claim_id)
            .order_by(ClaimOutcome.id.desc())
        )
    )
