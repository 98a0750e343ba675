"""A seed file read and checked whole, before anything is written (services/demo/seed.py
writes it).

A seed file has the sections `users`, `actors`, `tags`, `sources`, `derivations`, `claims`,
`links`, `assessments`, `notes` and `saved_queries` (see seeds/mosul-offensive-2016.yaml).
Claims carry a `key` that links, assessments and notes refer to; actors and tags are referred
to by name, users by username and sources by title. With `excerpts_from` (a text file beside
the seed), every appearance's excerpt must be quoted exactly from that text. Every value is
checked against its vocabulary here; names that the file does not define are checked
against the database by the loader.

Longer than 400 lines for a reason: one small parser per section, in one place, each
naming the entry and field a mistake is in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

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


# --- The parsed file ---------------------------------------------------------------------


@dataclass(frozen=True)
class UserSpec:
    username: str
    display_name: str
    role: str


@dataclass(frozen=True)
class ActorSpec:
    name: str
    kind: str
    description: str
    affiliation: str | None
    where: str


@dataclass(frozen=True)
class TagSpec:
    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class SourceSpec:
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
class AppearanceSpec:
    source: str
    excerpt: str
    locator: str
    stance: str
    where: str


@dataclass(frozen=True)
class ClaimSpec:
    key: str
    text: str
    is_verbatim: bool
    claimant: str
    stated_on: date | None
    status: str
    tags: tuple[str, ...]
    appearances: tuple[AppearanceSpec, ...]
    where: str


@dataclass(frozen=True)
class LinkSpec:
    from_key: str
    to_key: str
    relation: str
    strength: str
    rationale: str


@dataclass(frozen=True)
class DerivationSpec:
    source: str
    derived_from: str
    kind: str
    where: str


@dataclass(frozen=True)
class AssessmentSpec:
    claim: str
    analyst: str
    credibility: int
    confidence: str
    rationale: str
    where: str


@dataclass(frozen=True)
class NoteSpec:
    claim: str | None
    source: str | None
    author: str
    body: str
    where: str


@dataclass(frozen=True)
class SavedQuerySpec:
    name: str
    sql: str
    description: str


@dataclass
class SeedFile:
    users: list[UserSpec] = field(default_factory=list)
    actors: list[ActorSpec] = field(default_factory=list)
    tags: list[TagSpec] = field(default_factory=list)
    sources: list[SourceSpec] = field(default_factory=list)
    derivations: list[DerivationSpec] = field(default_factory=list)
    claims: list[ClaimSpec] = field(default_factory=list)
    links: list[LinkSpec] = field(default_factory=list)
    assessments: list[AssessmentSpec] = field(default_factory=list)
    notes: list[NoteSpec] = field(default_factory=list)
    saved_queries: list[SavedQuerySpec] = field(default_factory=list)


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


def _parse(data: dict, path: Path) -> SeedFile:
    seed = SeedFile()
    excerpt_text = _excerpt_text(data.get("excerpts_from"), path)

    seen: dict[Any, str] = {}
    for i, value in _section(data, "users", path):
        entry = _Entry(value, f"users[{i}]", ("username", "display_name", "role"))
        username = entry.text("username")
        entry.where = f"users[{i}] {username!r}"
        _unique(seen, username, entry.where, "the username")
        seed.users.append(
            UserSpec(
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
            ActorSpec(
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
            TagSpec(
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
            SourceSpec(
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
            DerivationSpec(source, origin, entry.choice("kind", DERIVATION_KIND), entry.where)
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
            ClaimSpec(
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
            LinkSpec(
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
        spec = AssessmentSpec(
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
        spec = NoteSpec(
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
            SavedQuerySpec(
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
) -> tuple[AppearanceSpec, ...]:
    appearances: list[AppearanceSpec] = []
    seen: dict[Any, str] = {}
    for j, value in enumerate(claim.items("appearances")):
        where = f"{claim.where}, appearances[{j}]"
        entry = _Entry(value, where, ("source", "excerpt", "locator", "stance"))
        spec = AppearanceSpec(
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


def read_seed_file(path: Path) -> SeedFile:
    """Read and check the seed file at `path`, raising SeedError for its first mistake."""
    return _parse(_read(path), path)
