"""Load demo data from a YAML seed file, creating only what is missing.

The file is read and checked whole first (services/demo/seed_file.py), so nothing is
written from a file with a mistake. Names the file uses but does not define must name rows
already in the database. Loading is idempotent: rows are matched on their natural keys, so
loading the same file twice creates nothing the second time (a saved query is matched on
its name, and one already there is left as it is). The loader flushes but never commits;
the caller does.

Over 400 lines for a reason: one `_Loader` method per section of the seed file, in the
order the rows are created, sharing the loader's lookups.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterclaim.models import (
    Actor,
    Annotation,
    Assessment,
    Claim,
    ClaimLink,
    ClaimSource,
    SavedQuery,
    Source,
    SourceDerivation,
    Tag,
    User,
)
from counterclaim.models.vocabulary import SYMMETRIC_RELATIONS
from counterclaim.paths import resource_dir

from ..catalogue.derivations import add_derivation
from ..errors import DomainError
from .seed_file import (
    ActorSpec,
    AppearanceSpec,
    AssessmentSpec,
    ClaimSpec,
    DerivationSpec,
    LinkSpec,
    NoteSpec,
    SavedQuerySpec,
    SeedError,
    SeedFile,
    SourceSpec,
    TagSpec,
    UserSpec,
    read_seed_file,
)

DEFAULT_SEED = "mosul-offensive-2016.yaml"

_Row = TypeVar("_Row")

#: What a load can create, by table, in the order it is created.
ENTITIES = (
    "users",
    "actors",
    "tags",
    "sources",
    "source_derivations",
    "claims",
    "claim_tags",
    "claim_sources",
    "claim_links",
    "assessments",
    "annotations",
    "saved_queries",
)


@dataclass
class SeedReport:
    """How many rows of each table a load created."""

    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTITIES, 0))

    @property
    def total(self) -> int:
        """Return the number of rows created, all tables together."""
        return sum(self.created.values())

    def __str__(self) -> str:
        if not self.total:
            return "Nothing to create: everything in the seed is already there."
        made = ", ".join(f"{count} {name}" for name, count in self.created.items() if count)
        return f"Created {made} ({self.total} rows)."


def default_seed_path() -> Path:
    """Return the path of the demo seed shipped with Counterclaim."""
    return resource_dir("seeds") / DEFAULT_SEED


def is_empty(session: Session) -> bool:
    """Tell whether the database holds no claim, source or actor yet."""
    return all(
        session.scalar(select(model.id).limit(1)) is None for model in (Claim, Source, Actor)
    )


def load_seed(session: Session, path: str | os.PathLike[str]) -> SeedReport:
    """Load the seed file at `path` into `session`, creating only what is missing."""
    path = Path(path)
    seed = read_seed_file(path)
    loader = _Loader(session)
    loader.check_references(seed)
    loader.load(seed)
    return loader.report


# --- Writing -----------------------------------------------------------------------------


class _Loader:
    """Creates the rows a parsed seed describes that the database does not have yet."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.report = SeedReport()
        self.users: dict[str, User] = {}
        self.actors: dict[str, Actor] = {}
        self.tags: dict[str, Tag] = {}
        self.sources: dict[str, Source] = {}
        self.claims: dict[str, Claim] = {}

    def check_references(self, seed: SeedFile) -> None:
        """Raise SeedError for a name the file uses but neither it nor the database defines."""
        actors = {actor.name for actor in seed.actors}
        tags = {tag.name for tag in seed.tags}
        users = {user.username for user in seed.users}
        sources = {source.title for source in seed.sources}

        def require(
            name: str | None,
            known: set[str],
            find: Callable[[str], object | None],
            where: str,
            what: str,
        ) -> None:
            if name is None or name in known:
                return
            if find(name) is None:
                raise SeedError(f"{where}: {what} {name!r} is not in the seed file or the database")
            known.add(name)

        for actor in seed.actors:
            require(actor.affiliation, actors, self._find_actor, actor.where, "affiliation")
        for source in seed.sources:
            require(source.publisher, actors, self._find_actor, source.where, "publisher")
        for derivation in seed.derivations:
            for name in (derivation.source, derivation.derived_from):
                require(name, sources, self._find_source, derivation.where, "source")
        for claim in seed.claims:
            require(claim.claimant, actors, self._find_actor, claim.where, "claimant")
            for tag in claim.tags:
                require(tag, tags, self._find_tag, claim.where, "tag")
            for appearance in claim.appearances:
                require(appearance.source, sources, self._find_source, appearance.where, "source")
        for assessment in seed.assessments:
            require(assessment.analyst, users, self._find_user, assessment.where, "analyst")
        for note in seed.notes:
            require(note.author, users, self._find_user, note.where, "author")
            require(note.source, sources, self._find_source, note.where, "source")

    def load(self, seed: SeedFile) -> None:
        """Create what is missing, section by section, flushing as it goes."""
        self._load_users(seed.users)
        self._load_actors(seed.actors)
        self._load_tags(seed.tags)
        self._load_sources(seed.sources)
        self._load_derivations(seed.derivations)
        self._load_claims(seed.claims)
        self._load_links(seed.links)
        self._load_assessments(seed.assessments)
        self._load_notes(seed.notes)
        self._load_saved_queries(seed.saved_queries)

    # Lookups: the file's own rows first, then the database.

    def _find_actor(self, name: str) -> Actor | None:
        return self.session.scalars(select(Actor).where(Actor.name == name)).first()

    def _find_tag(self, name: str) -> Tag | None:
        return self.session.scalars(select(Tag).where(Tag.name == name)).first()

    def _find_user(self, username: str) -> User | None:
        return self.session.scalars(select(User).where(User.username == username)).first()

    def _find_source(self, title: str, url: str = "") -> Source | None:
        query = select(Source).where(Source.title == title)
        if url:
            query = query.where(Source.url == url)
        return self.session.scalars(query.order_by(Source.id)).first()

    def _actor(self, name: str) -> Actor:
        if name not in self.actors:
            self.actors[name] = self._must(self._find_actor(name), "actor", name)
        return self.actors[name]

    def _tag(self, name: str) -> Tag:
        if name not in self.tags:
            self.tags[name] = self._must(self._find_tag(name), "tag", name)
        return self.tags[name]

    def _user(self, username: str) -> User:
        if username not in self.users:
            self.users[username] = self._must(self._find_user(username), "user", username)
        return self.users[username]

    def _source(self, title: str) -> Source:
        if title not in self.sources:
            self.sources[title] = self._must(self._find_source(title), "source", title)
        return self.sources[title]

    @staticmethod
    def _must(row: _Row | None, what: str, name: str) -> _Row:
        if row is None:  # check_references has ruled this out
            raise SeedError(f"unknown {what} {name!r}")
        return row

    def _add(self, row: Any, table: str) -> None:
        self.session.add(row)
        self.report.created[table] += 1

    # Sections.

    def _load_users(self, specs: list[UserSpec]) -> None:
        for spec in specs:
            user = self._find_user(spec.username)
            if user is None:
                user = User(
                    username=spec.username,
                    display_name=spec.display_name,
                    role=spec.role,
                    password_hash=None,
                )
                self._add(user, "users")
            self.users[spec.username] = user
        self.session.flush()

    def _load_actors(self, specs: list[ActorSpec]) -> None:
        created = []
        for spec in specs:
            actor = self._find_actor(spec.name)
            if actor is None:
                actor = Actor(name=spec.name, kind=spec.kind, description=spec.description)
                self._add(actor, "actors")
                created.append((actor, spec))
            self.actors[spec.name] = actor
        for actor, spec in created:  # affiliations may name actors defined further down
            if spec.affiliation is not None:
                actor.affiliation = self._actor(spec.affiliation)
        self.session.flush()

    def _load_tags(self, specs: list[TagSpec]) -> None:
        for spec in specs:
            tag = self._find_tag(spec.name)
            if tag is None:
                tag = Tag(name=spec.name, kind=spec.kind, description=spec.description)
                self._add(tag, "tags")
            self.tags[spec.name] = tag
        self.session.flush()

    def _load_sources(self, specs: list[SourceSpec]) -> None:
        for spec in specs:
            source = self._find_source(spec.title, spec.url)
            if source is None:
                source = Source(
                    title=spec.title,
                    kind=spec.kind,
                    publisher=self._actor(spec.publisher) if spec.publisher else None,
                    author=spec.author,
                    url=spec.url,
                    archived_url=spec.archived_url,
                    published_on=spec.published_on,
                    reliability=spec.reliability,
                    notes=spec.notes,
                )
                self._add(source, "sources")
            self.sources[spec.title] = source
        self.session.flush()

    def _load_derivations(self, specs: list[DerivationSpec]) -> None:
        for spec in specs:
            source, origin = self._source(spec.source), self._source(spec.derived_from)
            exists = self.session.scalars(
                select(SourceDerivation.id).where(
                    SourceDerivation.source_id == source.id,
                    SourceDerivation.derived_from_id == origin.id,
                )
            ).first()
            if exists is None:
                try:  # the service refuses cycles, also against derivations already stored
                    add_derivation(self.session, source, origin, spec.kind)
                except DomainError as refusal:
                    raise SeedError(f"{spec.where}: {refusal}") from refusal
                self.report.created["source_derivations"] += 1
        self.session.flush()

    def _load_claims(self, specs: list[ClaimSpec]) -> None:
        for spec in specs:
            claimant = self._actor(spec.claimant)
            claim = self.session.scalars(
                select(Claim)
                .where(Claim.text == spec.text, Claim.claimant_id == claimant.id)
                .order_by(Claim.id)
            ).first()
            if claim is None:
                claim = Claim(
                    text=spec.text,
                    is_verbatim=spec.is_verbatim,
                    claimant=claimant,
                    stated_on=spec.stated_on,
                    status=spec.status,
                )
                self._add(claim, "claims")
            self.claims[spec.key] = claim
        self.session.flush()
        for spec in specs:
            claim = self.claims[spec.key]
            self._load_claim_tags(claim, spec.tags)
            self._load_appearances(claim, spec.appearances)
        self.session.flush()

    def _load_claim_tags(self, claim: Claim, names: tuple[str, ...]) -> None:
        # Through the relationship, not ClaimTag rows: a claim's tags are in its history.
        tagged = {tag.id for tag in claim.tags}
        for name in names:
            tag = self._tag(name)
            if tag.id not in tagged:
                claim.tags.append(tag)
                self.report.created["claim_tags"] += 1
                tagged.add(tag.id)

    def _load_appearances(self, claim: Claim, specs: tuple[AppearanceSpec, ...]) -> None:
        added = False
        for spec in specs:
            source = self._source(spec.source)
            exists = self.session.scalars(
                select(ClaimSource.id).where(
                    ClaimSource.claim_id == claim.id,
                    ClaimSource.source_id == source.id,
                    ClaimSource.locator == spec.locator,
                )
            ).first()
            if exists is None:
                appearance = ClaimSource(
                    claim_id=claim.id,
                    source_id=source.id,
                    excerpt=spec.excerpt,
                    locator=spec.locator,
                    stance=spec.stance,
                )
                self._add(appearance, "claim_sources")
                added = True
        if added:
            self.session.expire(claim, ["appearances"])

    def _load_links(self, specs: list[LinkSpec]) -> None:
        for spec in specs:
            from_id, to_id = self.claims[spec.from_key].id, self.claims[spec.to_key].id
            if spec.relation in SYMMETRIC_RELATIONS and from_id > to_id:
                from_id, to_id = to_id, from_id
            exists = self.session.scalars(
                select(ClaimLink.id).where(
                    ClaimLink.from_claim_id == from_id,
                    ClaimLink.to_claim_id == to_id,
                    ClaimLink.relation == spec.relation,
                )
            ).first()
            if exists is None:
                link = ClaimLink(
                    from_claim_id=from_id,
                    to_claim_id=to_id,
                    relation=spec.relation,
                    strength=spec.strength,
                    rationale=spec.rationale,
                )
                self._add(link, "claim_links")
        self.session.flush()

    def _load_assessments(self, specs: list[AssessmentSpec]) -> None:
        for spec in specs:
            claim, analyst = self.claims[spec.claim], self._user(spec.analyst)
            exists = self.session.scalars(
                select(Assessment.id).where(
                    Assessment.claim_id == claim.id,
                    Assessment.analyst_id == analyst.id,
                    Assessment.credibility == spec.credibility,
                    Assessment.rationale == spec.rationale,
                )
            ).first()
            if exists is None:
                assessment = Assessment(
                    claim_id=claim.id,
                    analyst_id=analyst.id,
                    credibility=spec.credibility,
                    confidence=spec.confidence,
                    rationale=spec.rationale,
                )
                self._add(assessment, "assessments")
                # One flush each, so ids (which the views read as recency) follow the file.
                self.session.flush()

    def _load_notes(self, specs: list[NoteSpec]) -> None:
        for spec in specs:
            author = self._user(spec.author)
            claim_id = self.claims[spec.claim].id if spec.claim else None
            source_id = self._source(spec.source).id if spec.source else None
            subject = (
                Annotation.claim_id == claim_id
                if claim_id is not None
                else Annotation.source_id == source_id
            )
            exists = self.session.scalars(
                select(Annotation.id).where(
                    subject, Annotation.author_id == author.id, Annotation.body == spec.body
                )
            ).first()
            if exists is None:
                note = Annotation(
                    claim_id=claim_id, source_id=source_id, author_id=author.id, body=spec.body
                )
                self._add(note, "annotations")
        self.session.flush()

    def _load_saved_queries(self, specs: list[SavedQuerySpec]) -> None:
        for spec in specs:
            exists = self.session.scalars(
                select(SavedQuery.id).where(SavedQuery.name == spec.name)
            ).first()
            if exists is None:
                query = SavedQuery(name=spec.name, sql=spec.sql, description=spec.description)
                self._add(query, "saved_queries")
        self.session.flush()
