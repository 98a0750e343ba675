"""Claims as schema.org ClaimReview JSON-LD: the fact-checkers' reviews and the team's own.

Every stored review (a fact-checker's, imported) is exported as its own ClaimReview, as
published: its author, URL, date, headline, language and verbatim verdict as the rating's
`alternateName` (with `ratingValue` where the fact-checker gave a number). The team's own
judgment is one more ClaimReview whose `url` is the claim's page: without that address
(`--base-url`, COUNTERCLAIM_BASE_URL) it is left out. A fact-check article is never an
appearance of the claim (`itemReviewed.appearance` is where the claim was made).

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

from counterclaim.models import Actor, Claim, ClaimSource, Review, Source, Tag, claim_consensus
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


def export_reviews(
    session: Session,
    claim_ids: list[int],
    *,
    organisation: str,
    urls: dict[int, str] | None = None,
) -> list[dict[str, Any]]:
    """Return every stored review of the claims as ClaimReview, then the team's own where
    the claim's page address is known (`urls`), claim by claim in the order given."""
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
    stored: dict[int, list[Review]] = {}
    for review in session.scalars(
        select(Review)
        .where(Review.claim_id.in_(list(claims)))
        .options(joinedload(Review.reviewer))
        .order_by(Review.claim_id, Review.id)
    ):
        stored.setdefault(review.claim_id, []).append(review)
    own = claim_reviews(session, [i for i in claim_ids if urls and i in urls],
                        organisation=organisation, urls=urls)  # fmt: skip
    own_by_claim = {}
    for i, document in zip([i for i in claim_ids if urls and i in urls and i in claims], own,
                           strict=True):  # fmt: skip
        own_by_claim[i] = document
    documents = []
    for i in claim_ids:
        if i not in claims:
            continue
        claim = claims[i]
        articles = {r.url for r in stored.get(i, []) if r.url}
        item = _item(claim, articles)
        documents += [_stored(claim, review, item) for review in stored.get(i, [])]
        if i in own_by_claim:
            documents.append(own_by_claim[i])
    return documents


def _stored(claim: Claim, review: Review, item: dict[str, Any]) -> dict[str, Any]:
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": review.verdict}
    if review.rating:
        value, best, worst = (review.rating.split("/") + ["", "", ""])[:3]
        for term, number in (("ratingValue", value), ("bestRating", best), ("worstRating", worst)):
            if number:
                rating[term] = number
    document: dict[str, Any] = {"@type": "ClaimReview"}
    if review.url:
        document["url"] = review.url
    if review.title:
        document["headline"] = review.title
    document["claimReviewed"] = claim.text
    if review.review_date:
        document["datePublished"] = review.review_date.isoformat()
    document["author"] = _actor(review.reviewer)
    if review.language:
        document["inLanguage"] = review.language
    document["reviewRating"] = rating
    document["itemReviewed"] = item
    return document


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
    item = _item(claim, set())
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


def _item(claim: Claim, articles: set[str]) -> dict[str, Any]:
    """Return the claim as `itemReviewed`: its claimant, date and where it appeared.

    A source whose address is a review's article is not where the claim was made: left out.
    """
    item: dict[str, Any] = {"@type": "Claim", "author": _actor(claim.claimant)}
    if claim.stated_on:
        item["datePublished"] = claim.stated_on.isoformat()
    works = sorted(  # where the claim appears; reviews and rebuttals carry it differently
        (a for a in claim.appearances
         if a.source.url and a.stance in _APPEARING and a.source.url not in articles),
        key=lambda a: (a.stance != "origin", a.source.published_on or date.max, a.id),
    )  # fmt: skip
    if works and works[0].stance == "origin":
        item["firstAppearance"] = _work(works[0].source)
    if works:
        item["appearance"] = [_work(a.source) for a in works]
    return item


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
