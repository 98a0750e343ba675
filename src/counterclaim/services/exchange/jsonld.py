"""Claims as schema.org ClaimReview JSON-LD: the team's review of each claim.

The review's rating is the claim's consensus credibility (the median of the analysts'
latest assessments, Admiralty 1 "confirmed" to 5 "improbable"), so `bestRating` is 1 and
`worstRating` 5; `alternateName` is the meaning of the rounded median, which the verdict
mapping reads back as the same number. A claim nobody could judge has no number and the
verdict "Truth cannot be judged". The claim's sources are its appearances, the one the
claimant is the origin of first.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from counterclaim.models import Actor, Claim, ClaimSource, Source, Tag, claim_consensus
from counterclaim.models.vocabulary import CREDIBILITY

CONTEXT = "https://schema.org"
_ACTOR_TYPES = {
    "person": "Person",
    "government": "GovernmentOrganization",
    "military": "GovernmentOrganization",
    "media": "NewsMediaOrganization",
    "organisation": "Organization",
    "armed_group": "Organization",
}
_APPEARING = ("origin", "endorses", "neutral")
_WORK_TYPES = {"video": "VideoObject", "post": "SocialMediaPosting", "article": "Article",
               "report": "Report"}  # fmt: skip


def claim_review(
    session: Session, claim_id: int, *, organisation: str, url: str | None = None
) -> dict[str, Any] | None:
    """Return one claim's ClaimReview (with its @context), or None if there is no such claim."""
    reviews = claim_reviews(session, [claim_id], organisation=organisation,
                            urls={claim_id: url} if url else None)  # fmt: skip
    return {"@context": CONTEXT, **reviews[0]} if reviews else None


def loaded_claim_review(
    claim: Claim, median: float | None, *, organisation: str, url: str | None = None
) -> dict[str, Any]:
    """Return the ClaimReview (with its @context) of a claim already loaded with its
    claimant and appearances (source and publisher), its consensus median given.

    The claim page holds all of these already; reading them again cost it four statements.
    """
    return {"@context": CONTEXT, **_review(claim, median, organisation, url)}


def claim_reviews(
    session: Session,
    claim_ids: list[int],
    *,
    organisation: str,
    urls: dict[int, str] | None = None,
) -> list[dict[str, Any]]:
    """Return the ClaimReview of each claim (without @context), in the order given."""
    claims = {
        claim.id: claim
        for claim in session.scalars(
            select(Claim)
            .where(Claim.id.in_(claim_ids))
            .options(
                joinedload(Claim.claimant),
                selectinload(Claim.appearances)
                .joinedload(ClaimSource.source)
                .joinedload(Source.publisher),
            )
        )
    }
    median = {
        row.claim_id: row.credibility_median
        for row in session.execute(
            select(claim_consensus).where(claim_consensus.c.claim_id.in_(list(claims)))
        )
    }
    urls = urls or {}
    return [
        _review(claims[i], median.get(i), organisation, urls.get(i))
        for i in claim_ids
        if i in claims
    ]


def export_document(reviews: list[dict[str, Any]]) -> dict[str, Any]:
    """Wrap several reviews in one JSON-LD document (an @graph)."""
    return {"@context": CONTEXT, "@graph": reviews}


def select_claims(
    session: Session,
    *,
    tag: str | None = None,
    actor: str | None = None,
    stated_from: date | None = None,
    stated_to: date | None = None,
) -> list[int]:
    """Return the ids of the claims under a tag, by an actor, in a date range (all given)."""
    query = select(Claim.id).order_by(Claim.id)
    if tag:
        query = query.where(Claim.tags.any(Tag.name == tag))
    if actor:
        query = query.join(Actor, Claim.claimant_id == Actor.id).where(Actor.name == actor)
    if stated_from:
        query = query.where(Claim.stated_on >= stated_from)
    if stated_to:
        query = query.where(Claim.stated_on <= stated_to)
    return list(session.scalars(query))


def _review(
    claim: Claim, median: float | None, organisation: str, url: str | None
) -> dict[str, Any]:
    if median is None:
        rating = {"@type": "Rating", "alternateName": CREDIBILITY[6]}
    else:
        rounded = int(median + 0.5)
        rating = {
            "@type": "Rating",
            "ratingValue": f"{median:g}",
            "bestRating": "1",
            "worstRating": "5",
            "alternateName": CREDIBILITY[rounded],
        }
    item: dict[str, Any] = {"@type": "Claim", "author": _actor(claim.claimant)}
    if claim.stated_on:
        item["datePublished"] = claim.stated_on.isoformat()
    works = sorted(  # where the claim appears; reviews and rebuttals carry it differently
        (a for a in claim.appearances if a.source.url and a.stance in _APPEARING),
        key=lambda a: (a.stance != "origin", a.source.published_on or date.max, a.id),
    )
    if works and works[0].stance == "origin":
        item["firstAppearance"] = _work(works[0].source)
    if works:
        item["appearance"] = [_work(a.source) for a in works]
    review: dict[str, Any] = {
        "@type": "ClaimReview",
        "claimReviewed": claim.text,
        "datePublished": claim.updated_at.date().isoformat(),
        "author": {"@type": "Organization", "name": organisation},
        "reviewRating": rating,
        "itemReviewed": item,
    }
    if url:
        review = {"@id": f"{url}#claimreview", **review, "url": url}
    return review


def _actor(actor: Actor) -> dict[str, str]:
    return {"@type": _ACTOR_TYPES.get(actor.kind, "Organization"), "name": actor.name}


def _work(source: Source) -> dict[str, Any]:
    work: dict[str, Any] = {
        "@type": _WORK_TYPES.get(source.kind, "CreativeWork"),
        "url": source.url,
        "headline": source.title,
    }
    if source.published_on:
        work["datePublished"] = source.published_on.isoformat()
    if source.archived_url:
        work["archivedAt"] = source.archived_url
    if source.publisher is not None:
        work["author"] = _actor(source.publisher)
    return work
