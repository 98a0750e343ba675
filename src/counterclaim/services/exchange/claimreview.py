"""Reading schema.org ClaimReview (JSON-LD) as fact-checkers publish it.

Accepted as found in the wild: one object, an array, an `@graph`, or an HTML page whose
`<script type="application/ld+json">` blocks hold it (read with the standard library's
HTML parser); `@context` as http or https schema.org, a string, an object or an array;
terms bare, prefixed (`schema:`) or as full IRIs; `itemReviewed` as a `Claim` or the
older `CreativeWork`; `author` as a string, an object, an array or an `@id` reference
into the graph; with or without rating numbers; `appearance` and `firstAppearance` as a
URL or a CreativeWork (url, headline, datePublished, archivedAt).

Each ClaimReview becomes a claim (`claimReviewed`, its claimant from the item's author,
its date from the item's `datePublished`), the claim's appearances (sources), and the
review: the reviewer (an actor), their article (a source) and their verdict, verbatim.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from .reading import parse_date, parse_json
from .records import (
    ActorRecord,
    AppearanceRecord,
    ClaimRecord,
    ImportFileError,
    Plan,
    Problem,
    ReviewRecord,
    SourceRecord,
    check_claim,
    short_title,
)

_PREFIXES = ("http://schema.org/", "https://schema.org/", "schema:")
_ACTOR_KINDS = {
    "Person": "person",
    "Organization": "organisation",
    "NGO": "organisation",
    "Corporation": "organisation",
    "GovernmentOrganization": "government",
    "NewsMediaOrganization": "media",
}
_SOURCE_KINDS = {
    "SocialMediaPosting": "post",
    "DiscussionForumPosting": "post",
    "BlogPosting": "post",
    "VideoObject": "video",
    "Clip": "video",
    "Article": "article",
    "NewsArticle": "article",
    "ReportageNewsArticle": "article",
    "Report": "report",
    "Speech": "statement",
    "Event": "statement",
    "ImageObject": "other",
    "WebPage": "article",
}


def parse(text: str, name: str) -> Plan:
    """Return the claims and problems of a JSON-LD or HTML file holding ClaimReviews."""
    if _looks_like_html(text):
        blocks = _html_blocks(text, name)
        documents = [(parse_json(block, name, first_line=line), line) for block, line in blocks]
        return parse_documents(documents, name)
    return parse_documents([(parse_json(text, name), 1)], name)


def parse_documents(documents: list[tuple[Any, int]], name: str) -> Plan:
    """Return the claims and problems of parsed JSON-LD documents, each with its line."""
    plan = Plan("claimreview")
    count = 0
    blocks = documents
    for document, line in documents:
        index: dict[str, dict] = {}
        _index(document, index)
        context_ok = _names_schema_org(document)
        for review in _claim_reviews(document, index):
            count += 1
            where = f"ClaimReview {count}" + (
                f" (line {line})" if len(blocks) > 1 or line > 1 else ""
            )
            if not context_ok:
                plan.add(None, [Problem(where, "@context", "does not name schema.org")], where)
                continue
            record, problems = _claim(_Node(review, index), where)
            plan.add(record, problems, where)
    if count == 0:
        place = "its JSON-LD blocks" if len(blocks) != 1 or blocks[0][1] != 1 else "it"
        raise ImportFileError(f"{name} holds no ClaimReview: none of {place} has that @type")
    return plan


# --- the JSON-LD shapes ------------------------------------------------------------------


def _looks_like_html(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith("<")


class _JsonLdBlocks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks: list[tuple[str, int]] = []
        self._parts: list[str] | None = None
        self._line = 0

    def handle_starttag(self, tag, attrs):
        kind = (dict(attrs).get("type") or "").split(";")[0].strip().lower()
        if tag == "script" and kind == "application/ld+json":
            self._parts, self._line = [], self.getpos()[0]

    def handle_data(self, data):
        if self._parts is not None:
            self._parts.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._parts is not None:
            self.blocks.append(("".join(self._parts), self._line))
            self._parts = None


def _html_blocks(text: str, name: str) -> list[tuple[str, int]]:
    parser = _JsonLdBlocks()
    parser.feed(text)
    parser.close()
    blocks = [(block, line) for block, line in parser.blocks if block.strip()]
    if not blocks:
        raise ImportFileError(f'{name} is HTML without a <script type="application/ld+json">')
    return blocks


def _local(term: str) -> str:
    for prefix in _PREFIXES:
        if term.startswith(prefix):
            return term[len(prefix) :]
    return term


def _types(node: dict) -> set[str]:
    value = node.get("@type", [])
    return {
        _local(t) for t in (value if isinstance(value, list) else [value]) if isinstance(t, str)
    }


def _index(value: Any, index: dict[str, dict]) -> None:
    """Collect every node with an `@id` and more than an id, for references to it."""
    if isinstance(value, list):
        for item in value:
            _index(item, index)
    elif isinstance(value, dict):
        if isinstance(value.get("@id"), str) and len(value) > 1:
            index.setdefault(value["@id"], value)
        for item in value.values():
            _index(item, index)


def _claim_reviews(value: Any, index: dict, seen: set[int] | None = None) -> list[dict]:
    """Every ClaimReview node, wherever it is nested, each once."""
    seen = set() if seen is None else seen
    found = []
    if isinstance(value, list):
        for item in value:
            found += _claim_reviews(item, index, seen)
    elif isinstance(value, dict):
        if "ClaimReview" in _types(value) and id(value) not in seen:
            seen.add(id(value))
            found.append(value)
        for key, item in value.items():
            if key != "@context":
                found += _claim_reviews(item, index, seen)
    return found


def _names_schema_org(document: Any) -> bool:
    """Tell whether every `@context` at the top names schema.org (or none is given)."""
    contexts = [d["@context"] for d in (document if isinstance(document, list) else [document])
                if isinstance(d, dict) and "@context" in d]  # fmt: skip
    return all("schema.org" in str(context) for context in contexts)


class _Node:
    """A JSON-LD node whose terms are read whatever their prefix, references resolved."""

    def __init__(self, node: dict, index: dict):
        self.node, self.index = node, index
        self.terms = {_local(key): value for key, value in node.items()}

    @property
    def types(self) -> set[str]:
        return _types(self.node)

    def values(self, term: str) -> list[Any]:
        """Every value of `term`: strings (from @value too) and nodes (references resolved)."""
        value = self.terms.get(term)
        out = []
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                if "@value" in item:
                    item = item["@value"]
                elif set(item) == {"@id"} and item["@id"] in self.index:
                    item = self.index[item["@id"]]
            if isinstance(item, dict):
                out.append(_Node(item, self.index))
            elif isinstance(item, str | int | float) and not isinstance(item, bool):
                out.append(str(item).strip())
        return [item for item in out if item != ""]

    def text(self, *terms: str) -> str:
        """The first string value among `terms`, or ""."""
        for term in terms:
            for value in self.values(term):
                if isinstance(value, str):
                    return value
        return ""

    def nodes(self, term: str) -> list[_Node]:
        return [value for value in self.values(term) if isinstance(value, _Node)]

    def url(self) -> str:
        """The node's `url`, else its `@id` when that is a plain web address."""
        identifier = self.text("@id")
        plain = _is_url(identifier) and "#" not in identifier
        return self.text("url") or (identifier if plain else "")


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


# --- one ClaimReview -> one claim record -------------------------------------------------


def _claim(review: _Node, where: str) -> tuple[ClaimRecord | None, list[Problem]]:
    problems: list[Problem] = []

    def when(node: _Node | None, term: str, field: str):
        value = node.text(term) if node else ""
        if not value:
            return None
        try:
            return parse_date(value)
        except ValueError as error:
            problems.append(Problem(where, field, str(error)))
            return None

    items = review.nodes("itemReviewed")
    item = items[0] if items else None
    text = review.text("claimReviewed") or (item.text("text", "name") if item else "")
    if not text:
        problems.append(Problem(where, "claimReviewed", "is missing: the claim has no text"))
    claimants = _actors(item, "author", "creator") if item else []
    appearances = _appearances(item, where, problems, when) if item else []
    first = item.nodes("firstAppearance") if item else []
    stated_on = when(item, "datePublished", "itemReviewed.datePublished")
    if stated_on is None and first:
        stated_on = when(first[0], "datePublished", "firstAppearance.datePublished")

    reviewer = _reviewer(review)
    if reviewer is None:
        problems.append(Problem(where, "author", "names no reviewer (no author, no publisher)"))
    review_record = None
    if reviewer is not None:
        people = [a.name for a in _actors(review, "author") if a.kind == "person"]
        article = SourceRecord(
            title=short_title(review.text("headline", "name") or f"Fact check: {text}"),
            url=review.url(),
            kind="article",
            publisher=reviewer,
            author=short_title(", ".join(people), 200),
            published_on=when(review, "datePublished", "datePublished"),
            where=where,
        )
        rating = (review.nodes("reviewRating") or [None])[0]
        numbers = None
        if rating and rating.text("ratingValue"):
            numbers = tuple(rating.text(t) for t in ("ratingValue", "bestRating", "worstRating"))
        review_record = ReviewRecord(
            reviewer=reviewer,
            article=article,
            verdict=rating.text("alternateName", "name") if rating else "",
            rating=numbers,
            language=_language(review),
        )
    for appearance in appearances:
        appearance.excerpt = text  # the reviewer's wording of what the source carries
    record = ClaimRecord(
        where=where,
        text=text,
        claimant=claimants[0] if claimants else None,
        stated_on=stated_on,
        appearances=appearances,
        reviews=[review_record] if review_record else [],
    )
    return record, problems + check_claim(record)


def _actors(node: _Node, *terms: str) -> list[ActorRecord]:
    found = []
    for term in terms:
        for value in node.values(term):
            if isinstance(value, str):
                found.append(ActorRecord(name=value))
            elif name := value.text("name", "alternateName", "legalName"):
                kinds = [_ACTOR_KINDS[t] for t in value.types if t in _ACTOR_KINDS]
                found.append(ActorRecord(name=" ".join(name.split()), kind=(kinds or ["other"])[0]))
    return found


def _reviewer(review: _Node) -> ActorRecord | None:
    """The organisation behind the review: an author or publisher, else the site's host."""
    candidates = _actors(review, "author", "publisher")
    for actor in candidates:
        if actor.kind != "person":
            return actor
    if candidates:
        return candidates[0]
    host = urlsplit(review.url()).hostname
    return ActorRecord(name=host.removeprefix("www."), kind="media") if host else None


def _appearances(item: _Node, where: str, problems: list[Problem], when) -> list[AppearanceRecord]:
    claimants = {actor.name for actor in _actors(item, "author", "creator")}
    found: dict[str, AppearanceRecord] = {}
    works = [("first appearance", v) for v in item.values("firstAppearance")]
    works += [("appearance", v) for v in item.values("appearance")]
    if "CreativeWork" in item.types and item.url():
        works.insert(0, ("item reviewed", item))
    for locator, work in works:
        if isinstance(work, str):
            url, source = work, SourceRecord(title=short_title(work), url=work, kind="other")
        else:
            url = work.url()
            if not url:
                continue
            authors = _actors(work, "author", "creator", "publisher")
            kinds = [_SOURCE_KINDS[t] for t in work.types if t in _SOURCE_KINDS]
            source = SourceRecord(
                title=short_title(work.text("headline", "name") or url),
                url=url,
                kind=(kinds or ["other"])[0],
                publisher=authors[0] if authors else None,
                archived_url=work.text("archivedAt"),
                published_on=when(work, "datePublished", f"{locator}.datePublished"),
                where=where,
            )
        if url in found:
            continue
        by_claimant = source.publisher is not None and source.publisher.name in claimants
        found[url] = AppearanceRecord(
            source=source,
            excerpt="",
            locator=locator,
            stance="origin" if by_claimant else "neutral",
        )
    return list(found.values())


def _language(review: _Node) -> str:
    for value in review.values("inLanguage"):
        if isinstance(value, str):
            return value
        if code := value.text("alternateName", "name"):
            return code
    return ""
