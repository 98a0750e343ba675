"""Reading the JSON that Google's Fact Check Tools API returns for `claims:search`.

A response is `{"claims": [...], "nextPageToken": "..."}`; a file may hold one response
or an array of them (several pages saved together). Each claim has `text`, `claimant`,
`claimDate` and `claimReview[]`, each review `publisher {name, site}`, `url`, `title`,
`reviewDate`, `textualRating` and `languageCode`.
"""

from __future__ import annotations

from typing import Any

from .reading import parse_date, parse_json
from .records import (
    ActorRecord,
    ClaimRecord,
    ImportFileError,
    Plan,
    Problem,
    ReviewRecord,
    SourceRecord,
    check_claim,
    short_title,
)
from .tabular import normal_address


def parse(text: str, name: str) -> Plan:
    """Return the claims and problems of a saved `claims:search` response."""
    return parse_document(parse_json(text, name), name)


def is_response(document: Any) -> bool:
    """Tell whether a parsed JSON document looks like `claims:search` responses."""
    pages = document if isinstance(document, list) else [document]
    return bool(pages) and all(isinstance(p, dict) and isinstance(p.get("claims"), list)
                               for p in pages)  # fmt: skip


def is_claim_array(document: Any) -> bool:
    """Tell whether a document is the API's claims saved as a bare array (pages joined)."""
    return (
        isinstance(document, list)
        and bool(document)
        and all(isinstance(c, dict) and "claimReview" in c and "@type" not in c for c in document)
    )


def is_claims(document: Any) -> bool:
    """Tell whether a document holds the API's claims: responses or a bare array of claims."""
    return is_response(document) or is_claim_array(document)


def parse_document(document: Any, name: str) -> Plan:
    """Return the claims and problems of parsed `claims:search` responses or claim arrays."""
    if is_claim_array(document):
        document = {"claims": document}
    pages = document if isinstance(document, list) else [document]
    if not is_response(document):
        raise ImportFileError(
            f'{name} is not a Fact Check Tools API response: it has no "claims" list'
        )
    plan = Plan("factcheck-api")
    for p, page in enumerate(pages):
        for i, claim in enumerate(page["claims"]):
            where = f"claims[{i}]" if len(pages) == 1 else f"page {p + 1}, claims[{i}]"
            if not isinstance(claim, dict):
                plan.add(None, [Problem(where, "", "is not an object")], where)
                continue
            plan.add(*_claim(claim, where), where)
    return plan


def _claim(claim: dict[str, Any], where: str) -> tuple[ClaimRecord, list[Problem]]:
    problems: list[Problem] = []

    def text(container: dict, key: str, field: str) -> str:
        value = container.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            problems.append(Problem(where, field, f"is {type(value).__name__}, not text"))
            return ""
        return value.strip()

    def when(container: dict, key: str, field: str):
        value = text(container, key, field)
        try:
            return parse_date(value) if value else None
        except ValueError as error:
            problems.append(Problem(where, field, str(error)))
            return None

    body = text(claim, "text", "text")
    claimant = text(claim, "claimant", "claimant")
    record = ClaimRecord(
        where=where,
        text=body,
        claimant=ActorRecord(name=" ".join(claimant.split())) if claimant else None,
        stated_on=when(claim, "claimDate", "claimDate"),
    )
    reviews = claim.get("claimReview") or []
    if not isinstance(reviews, list):
        reviews = [reviews]
    for n, review in enumerate(reviews):
        field = f"claimReview[{n}]"
        if not isinstance(review, dict):
            problems.append(Problem(where, field, "is not an object"))
            continue
        publisher = review.get("publisher") if isinstance(review.get("publisher"), dict) else {}
        name = text(publisher, "name", f"{field}.publisher.name") or text(
            publisher, "site", f"{field}.publisher.site"
        )
        if not name:
            problems.append(Problem(where, f"{field}.publisher", "names no fact-checker"))
            continue
        reviewer = ActorRecord(name=" ".join(name.split()), kind="media")
        title = text(review, "title", f"{field}.title")
        record.reviews.append(
            ReviewRecord(
                reviewer=reviewer,
                article=SourceRecord(
                    title=short_title(title or f"{name}: fact check of “{body}”"),
                    url=normal_address(text(review, "url", f"{field}.url")),
                    kind="article",
                    publisher=reviewer,
                    published_on=when(review, "reviewDate", f"{field}.reviewDate"),
                    where=where,
                ),
                verdict=text(review, "textualRating", f"{field}.textualRating"),
                language=text(review, "languageCode", f"{field}.languageCode"),
            )
        )
    return record, problems + check_claim(record)
