"""What a parsed file holds before anything is written: records and problems.

Every reader (ClaimReview, the Fact Check API, CSV/TSV) turns a file into a `Plan`:
records shaped like Counterclaim's rows, and every problem found, each naming the record
or line, the field and what is wrong. Parsing never touches the database; `apply` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from counterclaim.models.vocabulary import (
    ACTOR_KIND,
    CLAIM_STATUS,
    RELIABILITY,
    SOURCE_KIND,
    STANCE,
)

#: Column widths the records must fit (the schema's String lengths).
LIMITS = {"actor": 200, "title": 300, "author": 200, "url": 2000, "locator": 100, "tag": 100}
EXTERNAL_ID_LIMIT = 500
UNKNOWN_CLAIMANT = "Unknown claimant"


class ImportFileError(ValueError):
    """A file that cannot be read at all: its name, the problem and where it is."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record: where (record or line), which field, what."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}, {self.field}: {self.message}" if self.field else (
            f"{self.where}: {self.message}"
        )  # fmt: skip


@dataclass
class ActorRecord:
    name: str
    kind: str = "other"
    external_id: str | None = None
    description: str = ""  # job, party or place, when the file says
    affiliation: str = ""  # the name of the actor this one belongs to


@dataclass
class SourceRecord:
    title: str
    url: str = ""
    kind: str = "article"
    publisher: ActorRecord | None = None
    author: str = ""
    archived_url: str = ""
    published_on: date | None = None
    reliability: str = "F"
    notes: str = ""
    external_id: str | None = None
    where: str = ""


@dataclass
class AppearanceRecord:
    """A claim's appearance in a source (a `claim_sources` row)."""

    source: SourceRecord
    excerpt: str
    locator: str = ""
    stance: str = "neutral"


@dataclass
class ReviewRecord:
    """A fact-checker's review of a claim: their article and their verdict, verbatim."""

    reviewer: ActorRecord
    article: SourceRecord
    verdict: str = ""
    rating: tuple[str, str, str] | None = None  # value, best, worst, as published
    language: str = ""


@dataclass
class ClaimRecord:
    where: str
    text: str
    claimant: ActorRecord | None = None
    stated_on: date | None = None
    external_id: str | None = None
    is_verbatim: bool = False
    status: str = "open"
    tags: list[str] = field(default_factory=list)
    appearances: list[AppearanceRecord] = field(default_factory=list)
    reviews: list[ReviewRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class LinkRecord:
    """A claim-to-claim link: each side found or created, the relation label verbatim."""

    where: str
    from_claim: ClaimRecord
    to_claim: ClaimRecord
    relation: str
    strength: str = "moderate"
    rationale: str = ""


Record = ClaimRecord | SourceRecord | LinkRecord


@dataclass
class Plan:
    """A parsed file: the valid records, every problem, and how many records were invalid."""

    format: str
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # where each invalid record is
    #: Invalid records whose problems are all in their reviews: without the reviews they
    #: are valid, and --skip-invalid imports them so (the claim is not lost with its verdict).
    salvaged: list[Record] = field(default_factory=list)

    def add(
        self,
        record: Record | None,
        problems: list[Problem],
        where: str,
        salvage: Record | None = None,
    ) -> None:
        """Keep a record if it has no problem; otherwise keep its problems (and a salvage)."""
        if problems or record is None:
            self.problems.extend(problems)
            self.invalid.append(where)
            if salvage is not None:
                self.salvaged.append(salvage)
        else:
            self.records.append(record)

    def problem_groups(self, shown: int = 3) -> list[tuple[str, int, list[Problem]]]:
        """Group the problems by field and message kind: (kind, count, the first few)."""
        return group_problems(self.problems, shown)

    @property
    def total(self) -> int:
        return len(self.records) + len(self.invalid)


def group_problems(problems: list[Problem], shown: int = 3) -> list[tuple[str, int, list]]:
    """Group problems by field and kind of message: (kind, count, the first few), most first."""
    groups: dict[str, list[Problem]] = {}
    for problem in problems:
        kind = _kind(problem.message)
        groups.setdefault(f"{problem.field}: {kind}" if problem.field else kind, []).append(problem)
    ordered = sorted(groups.items(), key=lambda item: -len(item[1]))
    return [(kind, len(items), items[:shown]) for kind, items in ordered]


def _kind(message: str) -> str:
    """Return a problem's message without the value it quotes: what kind of problem it is."""
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d[\d,.]*", "…", message)


# --- validation shared by every reader --------------------------------------------------


def check_claim(record: ClaimRecord) -> list[Problem]:
    """Return what would stop `record` from being stored."""
    where = record.where
    problems = []
    if not record.text.strip():
        problems.append(Problem(where, "text", "the claim's text is empty"))
    if record.status not in CLAIM_STATUS:
        problems.append(Problem(where, "status", _not_one_of(record.status, CLAIM_STATUS)))
    problems += _check_external_id(where, "external_id", record.external_id)
    if record.claimant is not None:
        problems += _check_actor(where, "claimant", record.claimant)
    for tag in record.tags:
        if len(tag) > LIMITS["tag"]:
            problems.append(Problem(where, "tags", f"tag {tag[:40]!r}… is over 100 characters"))
    for n, appearance in enumerate(record.appearances):
        name = f"appearance[{n}]" if len(record.appearances) > 1 else "appearance"
        problems += check_source(appearance.source, where, name)
        if appearance.stance not in STANCE:
            problems.append(Problem(where, "stance", _not_one_of(appearance.stance, STANCE)))
        if len(appearance.locator) > LIMITS["locator"]:
            problems.append(Problem(where, "locator", "is over 100 characters"))
    for n, review in enumerate(record.reviews):
        name = f"review[{n}]" if len(record.reviews) > 1 else "review"
        problems += _check_actor(where, f"{name}.reviewer", review.reviewer)
        problems += check_source(review.article, where, name)
    return problems


def check_source(source: SourceRecord, where: str, prefix: str = "") -> list[Problem]:
    """Return what would stop `source` from being stored."""
    dot = f"{prefix}." if prefix else ""
    problems = []
    if not source.title.strip():
        problems.append(Problem(where, f"{dot}title", "the source has no title"))
    if source.kind not in SOURCE_KIND:
        problems.append(Problem(where, f"{dot}kind", _not_one_of(source.kind, SOURCE_KIND)))
    if source.reliability not in RELIABILITY:
        problems.append(
            Problem(where, f"{dot}reliability", _not_one_of(source.reliability, RELIABILITY))
        )
    for name in ("url", "archived_url"):
        value = getattr(source, name)
        if len(value) > LIMITS["url"]:
            problems.append(Problem(where, f"{dot}{name}", "is over 2,000 characters"))
        elif value and not value.startswith(("http://", "https://")):
            problems.append(Problem(where, f"{dot}{name}", f"{value[:60]!r} is not a web address"))
    if len(source.author) > LIMITS["author"]:
        problems.append(Problem(where, f"{dot}author", "is over 200 characters"))
    if source.publisher is not None:
        problems += _check_actor(where, f"{dot}publisher", source.publisher)
    problems += _check_external_id(where, f"{dot}external_id", source.external_id)
    return problems


def _check_actor(where: str, name: str, actor: ActorRecord) -> list[Problem]:
    problems = []
    if not actor.name.strip():
        problems.append(Problem(where, name, "the name is empty"))
    elif len(actor.name) > LIMITS["actor"]:
        problems.append(Problem(where, name, f"{actor.name[:40]!r}… is over 200 characters"))
    if actor.kind not in ACTOR_KIND:
        problems.append(Problem(where, f"{name}.kind", _not_one_of(actor.kind, ACTOR_KIND)))
    return problems + _check_external_id(where, f"{name}.external_id", actor.external_id)


def _check_external_id(where: str, name: str, value: str | None) -> list[Problem]:
    if value is not None and len(value) > EXTERNAL_ID_LIMIT:
        return [Problem(where, name, "is over 500 characters")]
    return []


def _not_one_of(value: object, vocabulary: dict) -> str:
    return f"{value!r} is not one of {', '.join(map(str, vocabulary))}"


def short_title(text: str, limit: int = LIMITS["title"]) -> str:
    """Return `text` on one line, cut to fit a title column with an ellipsis."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"
