"""Writing a parsed import: create what is missing, match what is there, or only count.

Rows are matched on stable keys, so importing the same data twice creates nothing the
second time: an actor by external id, else by name or alias (case-insensitively); a
source by external id, else by URL (compared normalised: addresses.py), else by title,
publisher and date; a claim by external id, else by text, claimant and date; an
appearance by claim, source and locator; a review by claim, reviewer, URL and verdict; a
link by its two claims and relation. Reviews published by our own organisation (our own
export read back) are recognised and skipped.

A dry run reads the database to tell what exists but creates nothing (not even an ORM
object that could be flushed by accident): what would be created is counted.

The real import is all-or-nothing: a plan with any problem is refused before anything is
written, unless `skip_invalid`, and then the invalid records are listed as skipped. The
caller owns the transaction: it commits when `apply` returns.

Over 400 lines for a reason: the matching rules for every kind of row (_Store) and the
apply loop that uses them change together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from counterclaim.models import (
    Actor,
    ActorAlias,
    Annotation,
    Claim,
    ClaimLink,
    ClaimSource,
    Review,
    Source,
    Tag,
    User,
)
from counterclaim.models.vocabulary import SYMMETRIC_RELATIONS

from ..errors import DomainError
from ..ids import Numbering
from .addresses import name_key, url_key
from .records import (
    UNKNOWN_CLAIMANT,
    ActorRecord,
    AppearanceRecord,
    ClaimRecord,
    LinkRecord,
    Plan,
    Problem,
    ReviewRecord,
    SourceRecord,
    short_title,
)
from .relations import NO_LINK, RelationMap
from .verdicts import VerdictMap

ENTITIES = ("actors", "users", "tags", "sources", "claims", "claim_sources", "reviews",
            "claim_links", "annotations", "assessments")  # fmt: skip
NOTES_ACCOUNT = "import:notes"
BATCH = 500


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
    invalid: int = 0
    salvaged: int = 0  # claims imported without their invalid reviews
    own_reviews: int = 0  # our own organisation's reviews, recognised and skipped
    unlinked: int = 0  # evidence whose label means "no link", kept as an appearance

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
        if made:
            text = f"{verb} {made}."
        elif self.invalid and not (self.records - self.invalid):
            text = f"{verb} nothing: every record is invalid."
        else:
            text = f"{verb} nothing: everything is already there."
        if found:
            text += f" Already there: {self.matched['claims']:,} claims, "
            text += f"{self.matched['sources']:,} sources."
        if self.skipped:
            text += f" Skipped {len(self.skipped):,} invalid record(s)"
            text += (f", of which {self.salvaged:,} imported without their invalid review."
                     if self.salvaged else ".")  # fmt: skip
        elif self.invalid:
            text += f" {self.invalid:,} invalid record(s)."
        if self.unlinked:
            text += f" {self.unlinked:,} evidence item(s) kept as appearances, unlinked."
        if self.own_reviews:
            text += f" Recognised {self.own_reviews:,} review(s) of our own and skipped them."
        if self.unmapped_verdicts:
            count = sum(self.unmapped_verdicts.values())
            text += (f" {count:,} review(s) with {len(self.unmapped_verdicts):,} unmapped "
                     "verdict(s): see `counterclaim verdicts unmapped`.")  # fmt: skip
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
    organisation: str | None = None,
) -> ImportReport:
    """Import `plan` (or, with `dry_run`, count what it would create); flush, never commit.

    Reviews published by `organisation` (our own export read back) are skipped.
    """
    relations = RelationMap.load(session)
    records, invalid = _known_relations(plan, relations)
    report = ImportReport(plan.format, dry_run, records=plan.total,
                          problems=list(plan.problems) + [p for _, p in invalid],
                          invalid=len(plan.invalid) + len(invalid))  # fmt: skip
    if report.problems and not skip_invalid and not dry_run:
        raise ImportRefused(report)
    if skip_invalid:
        report.skipped = list(plan.invalid) + [p.where for _, p in invalid]
        report.salvaged = len(plan.salvaged)
        records += plan.salvaged
    store = _Store(session, report, write=not dry_run, verdicts=VerdictMap.load(session),
                   relations=relations, organisation=organisation)  # fmt: skip
    total = len(records)
    numbering = None
    if not dry_run and session.get_bind().dialect.name == "sqlite":
        numbering = Numbering(session.connection())  # one INSERT per table per batch
    for start in range(0, total, BATCH):
        batch = records[start : start + BATCH]
        for record in batch:
            if isinstance(record, ClaimRecord):
                store.claim(record)
            elif isinstance(record, LinkRecord):
                store.link(record)
            else:
                store.source(record)
        if not dry_run:
            try:
                _flush(session, numbering)
                if store.pending_links:
                    store.write_links()
                    _flush(session, numbering)
            except DBAPIError as error:
                first, last = batch[0], batch[-1]
                raise ImportRefused(
                    report,
                    f"the database refused a record between {_where(first)} and {_where(last)}: "
                    f"{error.orig}; nothing was imported",
                ) from error
        progress(min(start + BATCH, total), total)
    return report


def _flush(session: Session, numbering: Numbering | None) -> None:
    if numbering is not None:
        numbering.number(session.new)
    session.flush()


def _known_relations(plan: Plan, relations: RelationMap):
    """Return the plan's records whose link label is known, and the others with a problem."""
    known, unknown = [], []
    for record in plan.records:
        if isinstance(record, LinkRecord) and relations.map(record.relation) is None:
            message = (f"{record.relation[:60]!r} is not a known relation label: map it with "
                       "`counterclaim relations set LABEL RELATION`")  # fmt: skip
            unknown.append((record, Problem(record.where, "relation", message)))
        else:
            known.append(record)
    return known, unknown


def _where(record) -> str:
    return record.where or "?"


class _Store:
    """Finds or creates rows by their stable keys, remembering what this import made."""

    def __init__(self, session: Session, report: ImportReport, *, write: bool, verdicts,
                 relations: RelationMap, organisation: str | None = None):  # fmt: skip
        self.session, self.report, self.write, self.verdicts = session, report, write, verdicts
        self.relations = relations
        self.organisation = name_key(organisation) if organisation else None
        self.cache: dict[tuple, Any] = {}
        self.new: set[int] = set()  # id() of the rows this import creates
        self._urls: dict[str, int] | None = None
        self.pending_links: list[tuple[Any, Any, str, str, str]] = []

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
            return (
                self._one(select(Actor).where(Actor.name == name))
                or self._one(
                    select(Actor).where(func.lower(Actor.name) == name.lower()).order_by(Actor.id)
                )
                or self._one(
                    select(Actor).join(ActorAlias, ActorAlias.actor_id == Actor.id)
                    .where(ActorAlias.key == name_key(name))
                )
            )  # fmt: skip

        def make():
            return Actor(name=name, kind=record.kind, external_id=record.external_id,
                         description=record.description)  # fmt: skip

        actor = self._get("actors", keys, find, make)
        if self.write and record.description and not actor.description:
            actor.description = record.description
        if record.affiliation and name_key(record.affiliation) != name_key(name):
            parent = self.actor(ActorRecord(record.affiliation, kind="organisation"))
            if self.write and actor.affiliation_id is None and actor.affiliation is None:
                actor.affiliation = parent
        return actor

    def source(self, record: SourceRecord):
        publisher = self.actor(record.publisher) if record.publisher else None
        keys = []
        if record.external_id:
            keys.append(("source-id", record.external_id))
        if record.url:
            keys.append(("source-url", url_key(record.url)))
        else:
            publisher_key = record.publisher.name.casefold() if record.publisher else ""
            keys.append(("source-title", record.title, publisher_key, record.published_on))

        def find():
            if record.external_id:
                row = self._one(select(Source).where(Source.external_id == record.external_id))
                if row is not None:
                    return row
            if record.url:
                source_id = self._url_index().get(url_key(record.url))
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
            self._review(claim, review)
        for body in record.notes:
            self._note(claim, body)
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

    def _review(self, claim, review: ReviewRecord) -> None:
        if self.organisation and name_key(review.reviewer.name) == self.organisation:
            self.report.own_reviews += 1
            return
        mapping = self.verdicts.map(review.verdict)
        if not mapping.is_mapped and review.verdict:
            self.report.unmapped_verdicts[review.verdict] += 1
        reviewer = self.actor(review.reviewer)
        article = review.article
        key = ("review", id(claim), id(reviewer), url_key(article.url), review.verdict)

        def find():
            if self.is_new(claim) or self.is_new(reviewer):
                return None
            candidates = self.session.scalars(
                select(Review).where(
                    Review.claim_id == claim.id,
                    Review.reviewer_id == reviewer.id,
                    Review.verdict == review.verdict,
                )
            )
            return next((r for r in candidates if url_key(r.url) == key[3]), None)

        def make():
            return Review(
                claim=claim, reviewer=reviewer, url=article.url, title=article.title,
                review_date=article.published_on, verdict=review.verdict,
                rating="/".join(review.rating) if review.rating else "",
                language=review.language[:20], credibility=mapping.credibility,
                mapping_origin=mapping.origin,
            )  # fmt: skip

        self._get("reviews", [key], find, make)

    def _note(self, claim, body: str) -> None:
        def find():
            if self.is_new(claim):
                return None
            return self._one(
                select(Annotation).where(Annotation.claim_id == claim.id, Annotation.body == body)
            )

        def make():
            return Annotation(claim=claim, author=self._account(NOTES_ACCOUNT, "Imported notes"),
                              body=body)  # fmt: skip

        self._get("annotations", [("note", id(claim), body)], find, make)

    def _account(self, username: str, display_name: str):
        return self._get(
            "users", [("user", username)],
            lambda: self._one(select(User).where(User.username == username)),
            lambda: User(username=username, display_name=display_name[:200], role="viewer",
                         is_active=False, password_hash=None),
        )  # fmt: skip

    def link(self, record: LinkRecord) -> None:
        """Find or create both claims, then link the evidence to the claim as labelled."""
        entry = self.relations.map(record.relation)
        from_claim = self._side(record.from_claim)
        if entry is not None and entry.relation == NO_LINK:
            self.report.unlinked += 1
            evidence = record.to_claim
            for appearance in evidence.appearances or [_untitled(evidence)]:
                source = self.source(appearance.source)
                self._appearance(from_claim, source, appearance.excerpt, appearance.locator,
                                 "neutral")  # fmt: skip
            return
        # The label says how the evidence (the `to` side) bears on the claim: "SUPPORTS" is
        # the evidence supporting the claim, so the link runs from the evidence.
        evidence = self._side(record.to_claim)
        relation = entry.relation
        from_claim, to_claim = evidence, from_claim
        ends = (id(from_claim), id(to_claim))
        if relation in SYMMETRIC_RELATIONS:
            ends = tuple(sorted(ends))
        key = ("link", *ends, relation)
        if key in self.cache:
            return
        self.cache[key] = True
        if from_claim is to_claim:
            return
        if not self.write:
            if self.is_new(from_claim) or self.is_new(to_claim) or self._link_of(
                from_claim, to_claim, relation) is None:  # fmt: skip
                self.report.created["claim_links"] += 1
            else:
                self.report.matched["claim_links"] += 1
            return
        self.pending_links.append((from_claim, to_claim, relation, record.strength,
                                   record.rationale))  # fmt: skip

    def _side(self, record: ClaimRecord):
        if record.external_id and not record.text.strip():
            row = self.cache.get(("claim-id", record.external_id)) or self._one(
                select(Claim).where(Claim.external_id == record.external_id)
            )
            if row is not None:
                return row
        return self.claim(record)

    def _link_of(self, from_claim, to_claim, relation: str):
        first, second = from_claim, to_claim
        if relation in SYMMETRIC_RELATIONS and first.id > second.id:
            first, second = second, first
        return self._one(
            select(ClaimLink).where(
                ClaimLink.from_claim_id == first.id,
                ClaimLink.to_claim_id == second.id,
                ClaimLink.relation == relation,
            )
        )

    def write_links(self) -> None:
        """Create the links of the batch just flushed: both ends have their ids now."""
        for from_claim, to_claim, relation, strength, rationale in self.pending_links:
            made_here = self.is_new(from_claim) or self.is_new(to_claim)  # no link to find
            if not made_here and self._link_of(from_claim, to_claim, relation) is not None:
                self.report.matched["claim_links"] += 1
                continue
            first, second = from_claim, to_claim
            if relation in SYMMETRIC_RELATIONS and first.id > second.id:
                first, second = second, first
            self.report.created["claim_links"] += 1
            self.session.add(ClaimLink(from_claim_id=first.id, to_claim_id=second.id,
                                       relation=relation, strength=strength,
                                       rationale=rationale))  # fmt: skip
        self.pending_links.clear()

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
            self._urls = {url_key(url): source_id for url, source_id in rows}
        return self._urls


def _untitled(evidence: ClaimRecord) -> AppearanceRecord:
    """Return an appearance for evidence with no source: the evidence is its own source."""
    return AppearanceRecord(
        source=SourceRecord(title=short_title(evidence.text) or "Evidence", kind="other"),
        excerpt=evidence.text,
    )
