"""Fact-checkers' reviews once stored: a claim's reviews, re-mapping them, the unmapped list."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from counterclaim.models import Actor, Review

from .verdicts import VerdictMap, normalise


def claim_reviews(session: Session, claim_id: int) -> list[Review]:
    """Return a claim's reviews with their reviewers, newest first."""
    return list(
        session.scalars(
            select(Review)
            .where(Review.claim_id == claim_id)
            .options(joinedload(Review.reviewer))
            .order_by(Review.review_date.desc().nulls_last(), Review.id)
        )
    )


@dataclass
class Reapplied:
    """What re-mapping the stored reviews changed."""

    reviews: int = 0  # how many were looked at
    changed: int = 0  # how many got a new credibility or origin


def reapply(session: Session, *, batch: int = 1000) -> Reapplied:
    """Map every stored review's verdict again with the mapping in force; audited, flushed."""
    mapping = VerdictMap.load(session)
    result = Reapplied()
    last_id = 0
    # Each change is a plain, audited update of its review.
    while True:
        rows = list(
            session.scalars(
                select(Review).where(Review.id > last_id).order_by(Review.id).limit(batch)
            )
        )
        if not rows:
            break
        for review in rows:
            result.reviews += 1
            mapped = mapping.map(review.verdict)
            if (review.credibility, review.mapping_origin) != (
                mapped.credibility, mapped.origin,
            ):  # fmt: skip
                review.credibility, review.mapping_origin = mapped.credibility, mapped.origin
                result.changed += 1
        last_id = rows[-1].id
        session.flush()
    return result


def unmapped(session: Session, *, limit: int | None = None) -> list[tuple[str, int, int]]:
    """Return the unmapped verdicts: (verdict, reviews, reviewers), most reviews first.

    Verdicts that differ only in case or punctuation are one line, shown as first written.
    """
    rows = session.execute(
        select(Review.verdict, func.count(), func.count(func.distinct(Review.reviewer_id)))
        .join(Actor, Actor.id == Review.reviewer_id)
        .where(Review.mapping_origin == "unmapped", Review.verdict != "")
        .group_by(Review.verdict)
    )
    counts: Counter = Counter()
    reviewers: Counter = Counter()
    shown: dict[str, str] = {}
    for verdict, count, by in rows:
        key = normalise(verdict)
        shown.setdefault(key, verdict)
        counts[key] += count
        reviewers[key] += by
    ordered = sorted(counts, key=lambda k: (-counts[k], shown[k]))
    if limit is not None:
        ordered = ordered[:limit]
    return [(shown[k], counts[k], reviewers[k]) for k in ordered]
