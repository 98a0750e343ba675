"""Writing a parsed import: create what is missing, match what is there, or only count.

Rows are matched on stable keys, so importing the same data twice creates nothing the
second time: an actor by external id, else by name (case-insensitively); a source by
external id, else by URL, else by title, publisher and date; a claim by external id,
else by text, claimant and date; an appearance by claim, source and locator; a review's
assessment by claim, reviewer and rationale.

A dry run reads the database to tell what exists but creates nothing (not even an ORM
object that could be flushed by accident): what would be created is counted.

The real import is all-or-nothing: a plan with any problem is refused before anything is
written, unless `skip_invalid`, and then the invalid records are listed as skipped. The
caller owns the transaction: it commits when `apply` returns.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from counterclaim.models import Actor, Assessment, Claim, ClaimSource, Source, Tag, User

from ..errors import DomainError
from .records import (
    UNKNOWN_CLAIMANT,
    ActorRecord,
    ClaimRecord,
    Plan,
    Problem,
    ReviewRecord,
    SourceRecord,
)
from .verdicts import VerdictMap

ENTITIES = ("actors", "users", "tags", "sources", "claims", "claim_sources", "assessments")
BATCH = 500
REVIEWER_PREFIX = "reviewer:"


@dataclass
class ImportReport:
    """What an import created (or a dry run would create), matched, and skipped."""

    format: str
    dry_run: bool
    records: int = 0
    created: Counter = field(default_factory=Counter)
    matched: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unmapped_verdicts: Counter = field(default_factory=Counter)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    def summary(self) -> str:
        """One sentence: what was (or would be) created and what was already there."""
        verb = "Would create" if self.dry_run else "Created"
        order = [e for e in ENTITIES if e in self.created]
        order += [e for e in self.created if e not in ENTITIES]  # a dump's other tables
        made = ", ".join(f"{self.created[e]:,} {e}" for e in order if self.created[e])
        found = sum(self.matched[e] for e in ("claims", "sources"))
        text = f"{verb} {made}." if made else f"{verb} nothing: everything is already there."
        if found:
            text += f" Already there: {self.matched['claims']:,} claims, "
            text += f"{self.matched['sources']:,} sources."
        if self.skipped:
            text += f" Skipped {len(self.skipped):,} invalid record(s)."
        return text


class ImportRefused(DomainError):
    """The import was refused: nothing was written. `report.problems` says why."""

    def __init__(self, report: ImportReport, message: str | None = None):
        self.report = report
        count = len(report.problems)
        super().__init__(
            message
            or f"{count} problem(s) in {len(set(p.where for p in report.problems))} record(s): "
            "nothing was imported (fix them, or import the rest with --skip-invalid)"
        )


class _New:
    """What a dry run would create: stands where a row would be, with no id."""

    id = None

    def __init__(self, kind: str):
        self.kind = kind


def apply(
    session: Session,
    plan: Plan,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> ImportReport:
    """Import `plan` (or, with `dry_run`, count what it would create); flush, never commit."""
    report = ImportReport(plan.format, dry_run, records=plan.total, problems=list(plan.problems))
    if plan.problems and not skip_invalid and not dry_run:
        raise ImportRefused(report)
    if skip_invalid:
        report.skipped = list(plan.invalid)
    store = _Store(session, report, write=not dry_run, verdicts=VerdictMap.load(session))
    total = len(plan.records)
    for start in range(0, total, BATCH):
        batch = plan.records[start : start + BATCH]
        for record in batch:
            if isinstance(record, ClaimRecord):
                store.claim(record)
            else:
                store.source(record)
        if not dry_run:
            try:
                session.flush()
            except DBAPIError as error:
                first, last = batch[0], batch[-1]
                raise ImportRefused(
                    report,
                    f"the database refused a record between {_where(first)} and {_where(last)}: "
                    f"{error.orig}; nothing was imported",
                ) from error
        progress(min(start + BATCH, total), total)
    return report


def _where(record) -> str:
    return record.where or "?"


class _Store:
    """Finds or creates rows by their stable keys, remembering what this import made."""

    def __init__(self, session: Session, report: ImportReport, *, write: bool, verdicts):
        self.session, self.report, self.write, self.verdicts = session, report, write, verdicts
        self.cache: dict[tuple, Any] = {}
        self.new: set[int] = set()  # id() of the rows this import creates
        self._urls: dict[str, int] | None = None

    # --- generic find-or-create --------------------------------------------------------

    def _get(self, entity: str, keys: list[tuple], find: Callable[[], Any], make: Callable):
        for key in keys:
            if key in self.cache:
                return self.cache[key]
        row = find()
        if row is not None:
            self.report.matched[entity] += 1
        else:
            self.report.created[entity] += 1
            row = make() if self.write else _New(entity)
            if self.write:
                self.session.add(row)
            self.new.add(id(row))
        for key in keys:
            self.cache[key] = row
        return row

    def is_new(self, row) -> bool:
        return id(row) in self.new

    # --- rows --------------------------------------------------------------------------

    def actor(self, record: ActorRecord):
        name = " ".join(record.name.split())
        keys = [("actor-name", name.casefold())]
        if record.external_id:
            keys.insert(0, ("actor-id", record.external_id))

        def find():
            if record.external_id:
                row = self._one(select(Actor).where(Actor.external_id == record.external_id))
                if row is not None:
                    return row
            return self._one(select(Actor).where(Actor.name == name)) or self._one(
                select(Actor).where(func.lower(Actor.name) == name.lower()).order_by(Actor.id)
            )

        return self._get(
            "actors", keys, find,
            lambda: Actor(name=name, kind=record.kind, external_id=record.external_id),
        )  # fmt: skip

    def source(self, record: SourceRecord):
        publisher = self.actor(record.publisher) if record.publisher else None
        keys = []
        if record.external_id:
            keys.append(("source-id", record.external_id))
        if record.url:
            keys.append(("source-url", record.url))
        else:
            publisher_key = record.publisher.name.casefold() if record.publisher else ""
            keys.append(("source-title", record.title, publisher_key, record.published_on))

        def find():
            if record.external_id:
                row = self._one(select(Source).where(Source.external_id == record.external_id))
                if row is not None:
                    return row
            if record.url:
                source_id = self._url_index().get(record.url)
                return self.session.get(Source, source_id) if source_id else None
            if publisher is not None and self.is_new(publisher):
                return None
            return self._one(
                select(Source)
                .where(
                    Source.title == record.title,
                    Source.publisher_id == getattr(publisher, "id", None)
                    if publisher
                    else Source.publisher_id.is_(None),
                    Source.published_on == record.published_on
                    if record.published_on
                    else Source.published_on.is_(None),
                )
                .order_by(Source.id)
            )

        def make():
            return Source(
                title=record.title, kind=record.kind, publisher=publisher, author=record.author,
                url=record.url, archived_url=record.archived_url,
                published_on=record.published_on, reliability=record.reliability,
                notes=record.notes, external_id=record.external_id,
            )  # fmt: skip

        return self._get("sources", keys, find, make)

    def claim(self, record: ClaimRecord):
        claimant = self.actor(record.claimant or ActorRecord(UNKNOWN_CLAIMANT))
        keys = [("claim", record.text, id(claimant), record.stated_on)]
        if record.external_id:
            keys.insert(0, ("claim-id", record.external_id))

        def find():
            if record.external_id:
                row = self._one(select(Claim).where(Claim.external_id == record.external_id))
                if row is not None:
                    return row
            if self.is_new(claimant):
                return None
            return self._one(
                select(Claim)
                .where(
                    Claim.claimant_id == claimant.id,
                    Claim.text == record.text,
                    Claim.stated_on == record.stated_on
                    if record.stated_on
                    else Claim.stated_on.is_(None),
                )
                .order_by(Claim.id)
            )

        def make():
            # An id rather than the relationship when the claimant is flushed already:
            # the unit of work then has no dependency to sort out (imports run 2x faster).
            by = {"claimant_id": claimant.id} if claimant.id else {"claimant": claimant}
            return Claim(
                text=record.text, stated_on=record.stated_on, status=record.status,
                is_verbatim=record.is_verbatim, external_id=record.external_id, **by,
            )  # fmt: skip

        claim = self._get("claims", keys, find, make)
        for name in record.tags:
            self._tag(claim, name)
        for appearance in record.appearances:
            source = self.source(appearance.source)
            self._appearance(claim, source, appearance.excerpt, appearance.locator,
                             appearance.stance)  # fmt: skip
        for review in record.reviews:
            self._review(claim, record, review)
        return claim

    def _tag(self, claim, name: str) -> None:
        tag = self._get(
            "tags", [("tag", name)], lambda: self._one(select(Tag).where(Tag.name == name)),
            lambda: Tag(name=name, kind="topic"),
        )  # fmt: skip
        key = ("claim-tag", id(claim), id(tag))
        if key in self.cache:
            return
        self.cache[key] = True
        if self.write and tag not in claim.tags:
            claim.tags.append(tag)

    def _appearance(self, claim, source, excerpt: str, locator: str, stance: str) -> None:
        def find():
            if self.is_new(claim) or self.is_new(source):
                return None
            return self._one(
                select(ClaimSource).where(
                    ClaimSource.claim_id == claim.id,
                    ClaimSource.source_id == source.id,
                    ClaimSource.locator == locator,
                )
            )

        self._get(
            "claim_sources", [("appearance", id(claim), id(source), locator)], find,
            lambda: ClaimSource(claim=claim, source=source, excerpt=excerpt, locator=locator,
                                stance=stance),
        )  # fmt: skip

    def _review(self, claim, record: ClaimRecord, review: ReviewRecord) -> None:
        mapping = self.verdicts.map(review.verdict)
        if not mapping.is_mapped and review.verdict:
            self.report.unmapped_verdicts[review.verdict] += 1
        article = self.source(review.article)  # its publisher is the reviewer
        self._appearance(claim, article, record.text, "", mapping.stance)
        analyst = self._reviewer_account(review.reviewer.name)
        rationale = review_rationale(review)

        def find():
            if self.is_new(claim) or self.is_new(analyst):
                return None
            return self._one(
                select(Assessment).where(
                    Assessment.claim_id == claim.id,
                    Assessment.analyst_id == analyst.id,
                    Assessment.rationale == rationale,
                )
            )

        self._get(
            "assessments", [("assessment", id(claim), id(analyst), rationale)], find,
            lambda: Assessment(claim=claim, analyst=analyst, credibility=mapping.credibility,
                               confidence="moderate", rationale=rationale),
        )  # fmt: skip

    def _reviewer_account(self, name: str):
        username = reviewer_username(name)
        return self._get(
            "users", [("user", username)],
            lambda: self._one(select(User).where(User.username == username)),
            lambda: User(username=username, display_name=name[:200], role="viewer",
                         is_active=False, password_hash=None),
        )  # fmt: skip

    # --- lookups -------------------------------------------------------------------------

    def _one(self, statement):
        with self.session.no_autoflush:
            return self.session.scalars(statement.limit(1)).first()

    def _url_index(self) -> dict[str, int]:
        """Every source's URL and id, read once: URLs are not indexed, sources are few."""
        if self._urls is None:
            rows = self.session.execute(
                select(Source.url, Source.id).where(Source.url != "").order_by(Source.id.desc())
            )
            self._urls = {url: source_id for url, source_id in rows}
        return self._urls


def reviewer_username(name: str) -> str:
    """Return the inactive account that holds a fact-checker's assessments."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.casefold()).strip("-")
    if not slug:  # a name in another script: keep it, it is unique all the same
        slug = "-".join(name.casefold().split())
    return (REVIEWER_PREFIX + slug)[:80]


def review_rationale(review: ReviewRecord) -> str:
    """Return an imported assessment's rationale: the verdict verbatim and its provenance."""
    lines = [f"Verdict: {review.verdict}" if review.verdict else "No textual verdict given."]
    by = f"Reviewed by {review.reviewer.name}"
    if review.article.published_on:
        by += f" on {review.article.published_on.isoformat()}"
    lines.append(by + (f": {review.article.url}" if review.article.url else "."))
    if review.rating:
        value, best, worst = review.rating
        scale = f" (best {best}, worst {worst})" if best or worst else ""
        lines.append(f"Rating: {value}{scale}")
    if review.language:
        lines.append(f"Language: {review.language}")
    return "\n".join(lines)
