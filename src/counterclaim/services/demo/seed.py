"""Load demo data from a YAML seed file, creating only what is missing.

A seed file has the sections `users`, `actors`, `tags`, `sources`, `claims`, `links`,
`assessments`, `notes` and `saved_queries` (see seeds/mosul-offensive-2016.yaml). Claims
carry a `key` that links, assessments and notes refer to; actors and tags are referred to
by name, users by username and sources by title. A name that the file does not define may
name a row already in the database. With `excerpts_from` (a text file beside the seed), every
appearance's excerpt must be quoted exactly from that text.

The whole file is checked before anything is written, and loading is idempotent: rows are
matched on their natural keys, so loading the same file twice creates nothing the second
time (a saved query is matched on its name, and one already there is left as it is).
The loader flushes but never commits; the caller does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml
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
from counterclaim.models.vocabulary import (
    ACTOR_KIND,
    CLAIM_STATUS,
    CONFIDENCE,
    CREDIBILITY,
    DERIVATION_KIND,
    RELATIONS,
    RELIABILITY,
    ROLES,
    SOURCE_KIND,
    STANCE,
    STRENGTH,
    SYMMETRIC_RELATIONS,
    TAG_KIND,
)
from counterclaim.paths import resource_dir

from ..catalogue.derivations import add_derivation
from ..errors import DomainError

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

_SECTIONS = (
    "excerpts_from",
    "users",
    "actors",
    "tags",
    "sources",
    "derivations",
    "claims",
    "links",
    "assessments",
    "notes",
    "saved_queries",
)


class SeedError(ValueError):
    """A seed file that cannot be loaded: unreadable, malformed, or naming unknown things."""


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
    seed = _parse(_read(path), path)
    loader = _Loader(session)
    loader.check_references(seed)
    loader.load(seed)
    return loader.report


# --- The parsed file ---------------------------------------------------------------------


@dataclass(frozen=True)
class _UserSpec:
    username: str
    display_name: str
    role: str


@dataclass(frozen=True)
class _ActorSpec:
    name: str
    kind: str
    description: str
    affiliation: str | None
    where: str


@dataclass(frozen=True)
class _TagSpec:
    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class _SourceSpec:
    title: str
    kind: str
    publisher: str | None
    author: str
    url: str
    archived_url: str
    published_on: date | None
    reliability: str
    notes: str
    where: str


@dataclass(frozen=True)
class _AppearanceSpec:
    source: str
    excerpt: str
    locator: str
    stance: str
    where: str


@dataclass(frozen=True)
class _ClaimSpec:
    key: str
    text: str
    is_verbatim: bool
    claimant: str
    stated_on: date | None
    status: str
    tags: tuple[str, ...]
    appearances: tuple[_AppearanceSpec, ...]
    where: str


@dataclass(frozen=True)
class _LinkSpec:
    from_key: str
    to_key: str
    relation: str
    strength: str
    rationale: str


@dataclass(frozen=True)
class _DerivationSpec:
    source: str
    derived_from: str
    kind: str
    where: str


@dataclass(frozen=True)
class _AssessmentSpec:
    claim: str
    analyst: str
    credibility: int
    confidence: str
    rationale: str
    where: str


@dataclass(frozen=True)
class _NoteSpec:
    claim: str | None
    source: str | None
    author: str
    body: str
    where: str


@dataclass(frozen=True)
class _SavedQuerySpec:
    name: str
    sql: str
    description: str


@dataclass
class _Seed:
    users: list[_UserSpec] = field(default_factory=list)
    actors: list[_ActorSpec] = field(default_factory=list)
    tags: list[_TagSpec] = field(default_factory=list)
    sources: list[_SourceSpec] = field(default_factory=list)
    derivations: list[_DerivationSpec] = field(default_factory=list)
    claims: list[_ClaimSpec] = field(default_factory=list)
    links: list[_LinkSpec] = field(default_factory=list)
    assessments: list[_AssessmentSpec] = field(default_factory=list)
    notes: list[_NoteSpec] = field(default_factory=list)
    saved_queries: list[_SavedQuerySpec] = field(default_factory=list)


class _Entry:
    """One mapping of the seed file, read field by field; errors name the entry."""

    def __init__(self, value: Any, where: str, allowed: Iterable[str]) -> None:
        if not isinstance(value, dict):
            raise SeedError(f"{where}: expected a mapping of fields, got {_kind_of(value)}")
        known = set(allowed)
        unknown = sorted(str(name) for name in value if name not in known)
        if unknown:
            raise SeedError(f"{where}: unknown field(s): {', '.join(unknown)}")
        self.data = value
        self.where = where

    def fail(self, field_name: str, problem: str) -> SeedError:
        """Return the error for a bad `field_name` of this entry."""
        return SeedError(f"{self.where}: {field_name} {problem}")

    def text(self, field_name: str, *, required: bool = True, default: str = "") -> str:
        """Return a text field, stripped; raise if a required one is missing or empty."""
        value = self.data.get(field_name)
        if value is None:
            if required:
                raise self.fail(field_name, "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(field_name, f"must be text, got {_kind_of(value)}")
        value = str(value).strip()
        if required and not value:
            raise self.fail(field_name, "must not be empty")
        return value

    def optional_text(self, field_name: str) -> str | None:
        """Return a text field, or None when it is missing or empty."""
        return self.text(field_name, required=False) or None

    def choice(self, field_name: str, vocabulary: dict, default: Any = None) -> Any:
        """Return a field that must be one of the vocabulary's codes."""
        value = self.data.get(field_name, default)
        if value is None:
            raise self.fail(field_name, "is required")
        if isinstance(value, str) and all(isinstance(code, int) for code in vocabulary):
            value = int(value) if value.strip().isdigit() else value
        if isinstance(value, bool) or value not in vocabulary:
            codes = ", ".join(str(code) for code in vocabulary)
            raise self.fail(field_name, f"{value!r} is not one of: {codes}")
        return value

    def date(self, field_name: str) -> date | None:
        """Return a date field given as a YAML date or an ISO string; None when empty."""
        value = self.data.get(field_name)
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(field_name, f"{value!r} is not a date (use YYYY-MM-DD)")

    def flag(self, field_name: str, default: bool = False) -> bool:
        """Return a true/false field."""
        value = self.data.get(field_name, default)
        if not isinstance(value, bool):
            raise self.fail(field_name, f"must be true or false, got {value!r}")
        return value

    def items(self, field_name: str) -> list:
        """Return a list field; missing means empty."""
        value = self.data.get(field_name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(field_name, f"must be a list, got {_kind_of(value)}")
        return value


def _kind_of(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def _read(path: Path) -> dict:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SeedError(f"cannot read the seed file {path}: {error}") from error
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise SeedError(f"{path} is not valid YAML: {error}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SeedError(f"{path}: the top level must be a mapping of sections")
    unknown = sorted(str(name) for name in data if name not in _SECTIONS)
    if unknown:
        raise SeedError(f"{path}: unknown section(s): {', '.join(unknown)}")
    return data


def _section(data: dict, name: str, path: Path) -> list[tuple[int, Any]]:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise SeedError(f"{path}: section {name} must be a list, got {_kind_of(value)}")
    return list(enumerate(value))


def _unique(seen: dict[Any, str], key: Any, where: str, what: str) -> None:
    if key in seen:
        raise SeedError(f"{where}: repeats {what} of {seen[key]}")
    seen[key] = where


def _parse(data: dict, path: Path) -> _Seed:
    seed = _Seed()
    excerpt_text = _excerpt_text(data.get("excerpts_from"), path)

    seen: dict[Any, str] = {}
    for i, value in _section(data, "users", path):
        entry = _Entry(value, f"users[{i}]", ("username", "display_name", "role"))
        username = entry.text("username")
        entry.where = f"users[{i}] {username!r}"
        _unique(seen, username, entry.where, "the username")
        seed.users.append(
            _UserSpec(
                username=username,
                display_name=entry.text("display_name", required=False),
                role=entry.choice("role", ROLES, default="analyst"),
            )
        )

    seen = {}
    for i, value in _section(data, "actors", path):
        entry = _Entry(value, f"actors[{i}]", ("name", "kind", "description", "affiliation"))
        name = entry.text("name")
        entry.where = f"actors[{i}] {name!r}"
        _unique(seen, name, entry.where, "the name")
        seed.actors.append(
            _ActorSpec(
                name=name,
                kind=entry.choice("kind", ACTOR_KIND, default="other"),
                description=entry.text("description", required=False),
                affiliation=entry.optional_text("affiliation"),
                where=entry.where,
            )
        )
        if seed.actors[-1].affiliation == name:
            raise entry.fail("affiliation", "names the actor itself")

    seen = {}
    for i, value in _section(data, "tags", path):
        entry = _Entry(value, f"tags[{i}]", ("name", "kind", "description"))
        name = entry.text("name")
        entry.where = f"tags[{i}] {name!r}"
        _unique(seen, name, entry.where, "the name")
        seed.tags.append(
            _TagSpec(
                name=name,
                kind=entry.choice("kind", TAG_KIND, default="topic"),
                description=entry.text("description", required=False),
            )
        )

    seen = {}
    source_fields = (
        "title",
        "kind",
        "publisher",
        "author",
        "url",
        "archived_url",
        "published_on",
        "reliability",
        "notes",
    )
    for i, value in _section(data, "sources", path):
        entry = _Entry(value, f"sources[{i}]", source_fields)
        title = entry.text("title")
        entry.where = f"sources[{i}] {title!r}"
        _unique(seen, title, entry.where, "the title")
        seed.sources.append(
            _SourceSpec(
                title=title,
                kind=entry.choice("kind", SOURCE_KIND, default="article"),
                publisher=entry.optional_text("publisher"),
                author=entry.text("author", required=False),
                url=entry.text("url", required=False),
                archived_url=entry.text("archived_url", required=False),
                published_on=entry.date("published_on"),
                reliability=entry.choice("reliability", RELIABILITY, default="F"),
                notes=entry.text("notes", required=False),
                where=entry.where,
            )
        )

    seen = {}
    for i, value in _section(data, "derivations", path):
        entry = _Entry(value, f"derivations[{i}]", ("source", "derived_from", "kind"))
        source, origin = entry.text("source"), entry.text("derived_from")
        entry.where = f"derivations[{i}] ({source!r} from {origin!r})"
        if source == origin:
            raise entry.fail(
                "derived_from", "is the source itself: a source cannot derive from itself"
            )
        _unique(seen, (source, origin), entry.where, "the derivation")
        seed.derivations.append(
            _DerivationSpec(source, origin, entry.choice("kind", DERIVATION_KIND), entry.where)
        )

    seen, seen_claims = {}, {}
    claim_fields = (
        "key",
        "text",
        "is_verbatim",
        "claimant",
        "stated_on",
        "status",
        "tags",
        "appearances",
    )
    for i, value in _section(data, "claims", path):
        entry = _Entry(value, f"claims[{i}]", claim_fields)
        key = entry.text("key")
        entry.where = f"claims[{i}] {key!r}"
        _unique(seen, key, entry.where, "the key")
        text, claimant = entry.text("text"), entry.text("claimant")
        _unique(seen_claims, (text, claimant), entry.where, "the text and claimant")
        tags = []
        for j, tag in enumerate(entry.items("tags")):
            if not isinstance(tag, str | int) or isinstance(tag, bool) or not str(tag).strip():
                raise entry.fail(f"tags[{j}]", f"must be a tag name, got {tag!r}")
            tags.append(str(tag).strip())
        seed.claims.append(
            _ClaimSpec(
                key=key,
                text=text,
                is_verbatim=entry.flag("is_verbatim"),
                claimant=claimant,
                stated_on=entry.date("stated_on"),
                status=entry.choice("status", CLAIM_STATUS, default="open"),
                tags=tuple(dict.fromkeys(tags)),
                appearances=_parse_appearances(entry, excerpt_text),
                where=entry.where,
            )
        )
    keys = {claim.key for claim in seed.claims}

    seen = {}
    for i, value in _section(data, "links", path):
        entry = _Entry(value, f"links[{i}]", ("from", "to", "relation", "strength", "rationale"))
        from_key, to_key = entry.text("from"), entry.text("to")
        entry.where = f"links[{i}] ({from_key} -> {to_key})"
        for field_name, key in (("from", from_key), ("to", to_key)):
            if key not in keys:
                raise entry.fail(field_name, f"{key!r} is not a claim key in this file")
        if from_key == to_key:
            raise entry.fail("to", "is the same claim as from: a claim cannot link to itself")
        relation = entry.choice("relation", RELATIONS)
        pair = (from_key, to_key)
        if relation in SYMMETRIC_RELATIONS:
            pair = tuple(sorted(pair))
        _unique(seen, (pair, relation), entry.where, "the link")
        seed.links.append(
            _LinkSpec(
                from_key=from_key,
                to_key=to_key,
                relation=relation,
                strength=entry.choice("strength", STRENGTH, default="moderate"),
                rationale=entry.text("rationale", required=False),
            )
        )

    seen = {}
    assessment_fields = ("claim", "analyst", "credibility", "confidence", "rationale")
    for i, value in _section(data, "assessments", path):
        entry = _Entry(value, f"assessments[{i}]", assessment_fields)
        claim, analyst = entry.text("claim"), entry.text("analyst")
        entry.where = f"assessments[{i}] ({claim} by {analyst})"
        if claim not in keys:
            raise entry.fail("claim", f"{claim!r} is not a claim key in this file")
        spec = _AssessmentSpec(
            claim=claim,
            analyst=analyst,
            credibility=entry.choice("credibility", CREDIBILITY),
            confidence=entry.choice("confidence", CONFIDENCE),
            rationale=entry.text("rationale"),
            where=entry.where,
        )
        key = (claim, analyst, spec.credibility, spec.rationale)
        _unique(seen, key, entry.where, "the claim, analyst, credibility and rationale")
        seed.assessments.append(spec)

    seen = {}
    for i, value in _section(data, "notes", path):
        entry = _Entry(value, f"notes[{i}]", ("claim", "source", "author", "body"))
        claim, source = entry.optional_text("claim"), entry.optional_text("source")
        if (claim is None) == (source is None):
            raise SeedError(f"{entry.where}: give exactly one of claim and source")
        if claim is not None and claim not in keys:
            raise entry.fail("claim", f"{claim!r} is not a claim key in this file")
        spec = _NoteSpec(
            claim=claim,
            source=source,
            author=entry.text("author"),
            body=entry.text("body"),
            where=entry.where,
        )
        _unique(seen, (claim, source, spec.author, spec.body), entry.where, "the note")
        seed.notes.append(spec)

    seen = {}
    for i, value in _section(data, "saved_queries", path):
        entry = _Entry(value, f"saved_queries[{i}]", ("name", "description", "sql"))
        name = entry.text("name")
        entry.where = f"saved_queries[{i}] {name!r}"
        _unique(seen, name, entry.where, "the name")
        seed.saved_queries.append(
            _SavedQuerySpec(
                name=name,
                sql=entry.text("sql"),
                description=entry.text("description", required=False),
            )
        )
    return seed


def _excerpt_text(value: Any, path: Path) -> tuple[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SeedError(f"{path}: excerpts_from must name a text file beside the seed")
    text_path = path.parent / value.strip()
    try:
        return value.strip(), text_path.read_text(encoding="utf-8")
    except OSError as error:
        raise SeedError(f"{path}: excerpts_from: cannot read {text_path}: {error}") from error


def _parse_appearances(
    claim: _Entry, excerpt_text: tuple[str, str] | None
) -> tuple[_AppearanceSpec, ...]:
    appearances: list[_AppearanceSpec] = []
    seen: dict[Any, str] = {}
    for j, value in enumerate(claim.items("appearances")):
        where = f"{claim.where}, appearances[{j}]"
        entry = _Entry(value, where, ("source", "excerpt", "locator", "stance"))
        spec = _AppearanceSpec(
            source=entry.text("source"),
            excerpt=entry.text("excerpt"),
            locator=entry.text("locator", required=False),
            stance=entry.choice("stance", STANCE, default="neutral"),
            where=where,
        )
        _unique(seen, (spec.source, spec.locator), where, "the source and locator")
        if excerpt_text is not None and spec.excerpt not in excerpt_text[1]:
            raise entry.fail("excerpt", f"is not quoted exactly from {excerpt_text[0]}")
        appearances.append(spec)
    return tuple(appearances)


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

    def check_references(self, seed: _Seed) -> None:
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

    def load(self, seed: _Seed) -> None:
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

    def _load_users(self, specs: list[_UserSpec]) -> None:
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

    def _load_actors(self, specs: list[_ActorSpec]) -> None:
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

    def _load_tags(self, specs: list[_TagSpec]) -> None:
        for spec in specs:
            tag = self._find_tag(spec.name)
            if tag is None:
                tag = Tag(name=spec.name, kind=spec.kind, description=spec.description)
                self._add(tag, "tags")
            self.tags[spec.name] = tag
        self.session.flush()

    def _load_sources(self, specs: list[_SourceSpec]) -> None:
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

    def _load_derivations(self, specs: list[_DerivationSpec]) -> None:
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

    def _load_claims(self, specs: list[_ClaimSpec]) -> None:
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

    def _load_appearances(self, claim: Claim, specs: tuple[_AppearanceSpec, ...]) -> None:
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

    def _load_links(self, specs: list[_LinkSpec]) -> None:
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

    def _load_assessments(self, specs: list[_AssessmentSpec]) -> None:
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

    def _load_notes(self, specs: list[_NoteSpec]) -> None:
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

    def _load_saved_queries(self, specs: list[_SavedQuerySpec]) -> None:
        for spec in specs:
            exists = self.session.scalars(
                select(SavedQuery.id).where(SavedQuery.name == spec.name)
            ).first()
            if exists is None:
                query = SavedQuery(name=spec.name, sql=spec.sql, description=spec.description)
                self._add(query, "saved_queries")
        self.session.flush()
