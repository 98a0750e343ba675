"""Reading the audit trail: a record's revisions, its state at any of them, and restoring
an earlier version of a claim or a source (the restore is itself a revision).

`replay` applies revisions in order: a create sets every field, an update, restore or
merge sets the fields it changed, a delete leaves nothing. Replaying all of a record's
revisions gives its current recorded fields (models/audit.py::snapshot).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, func, or_, select, tuple_
from sqlalchemy.orm import Session, joinedload

from counterclaim.models import (
    Actor,
    Annotation,
    Assessment,
    Claim,
    ClaimLink,
    ClaimSource,
    Revision,
    Source,
    Tag,
    User,
)
from counterclaim.models.audit import AUDITED, HIDDEN, recorded_as
from counterclaim.models.base import utcnow

from ..catalogue.sources import SOURCE_FIELDS
from ..claims.claims import CLAIM_FIELDS
from ..errors import NotAllowed, StaleEdit

ENTITIES = tuple(model.__tablename__ for model in AUDITED)
MODELS = {model.__tablename__: model for model in AUDITED}
#: What an editor may restore: the model and the fields a restore puts back.
RESTORABLE = {"claims": (Claim, CLAIM_FIELDS + ("tags",)), "sources": (Source, SOURCE_FIELDS)}
#: Foreign keys a restore checks first, so that it refuses instead of failing.
_REFERENCES = {"claimant_id": Actor, "publisher_id": Actor}


@dataclass
class Change:
    """One field of a revision: its name and the values before and after."""

    field: str
    old: Any
    new: Any


def history(session: Session, entity: str, entity_id: int) -> list[Revision]:
    """Return a record's revisions, oldest first, with who made them (deleted records too)."""
    stmt = (
        select(Revision)
        .where(Revision.entity == entity, Revision.entity_id == entity_id)
        .options(joinedload(Revision.user))
        .order_by(Revision.id)
    )
    return list(session.scalars(stmt))


def recent(
    session: Session,
    *,
    entities: tuple[str, ...] = ENTITIES,
    action: str | None = None,
    limit: int = 100,
) -> list[Revision]:
    """Return the latest revisions of `entities`, newest first, optionally of one action."""
    stmt = (
        select(Revision)
        .where(Revision.entity.in_(entities))
        .options(joinedload(Revision.user))
        .order_by(Revision.id.desc())
    )
    if action:
        stmt = stmt.where(Revision.action == action)
    return list(session.scalars(stmt.limit(limit)))


#: Fields that hold another record's id: how to call them and where the name is.
REFERENCES = {
    "claimant_id": ("claimant", Actor, Actor.name),
    "publisher_id": ("publisher", Actor, Actor.name),
    "affiliation_id": ("affiliation", Actor, Actor.name),
    "source_id": ("source", Source, Source.title),
    "claim_id": ("claim", Claim, Claim.text),
    "from_claim_id": ("from claim", Claim, Claim.text),
    "to_claim_id": ("to claim", Claim, Claim.text),
    "analyst_id": ("analyst", User, func.coalesce(User.display_name, User.username)),
    "author_id": ("author", User, func.coalesce(User.display_name, User.username)),
}
#: The rows that hang on a claim, whose changes its history shows with its own.
CLAIM_PARTS = {
    "claim_sources": (ClaimSource.id, ClaimSource.claim_id),
    "assessments": (Assessment.id, Assessment.claim_id),
    "annotations": (Annotation.id, Annotation.claim_id),
}
PAGE_SIZE = 50


@dataclass
class RevisionPage:
    """One page of revisions, newest first, with the ids to page on from."""

    items: list[Revision] = field(default_factory=list)
    older_than: int | None = None  # the Next page: revisions before this id
    newer_than: int | None = None  # the Previous page: revisions after this id


def recent_page(
    session: Session,
    *,
    entities: tuple[str, ...] = ENTITIES,
    action: str | None = None,
    user_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    older_than: int | None = None,
    newer_than: int | None = None,
    size: int = PAGE_SIZE,
) -> RevisionPage:
    """Return a page of the latest revisions, filtered by kind, action, person and day."""
    stmt = select(Revision).where(Revision.entity.in_(entities))
    if action:
        stmt = stmt.where(Revision.action == action)
    if user_id is not None:
        stmt = stmt.where(Revision.user_id == user_id)
    if since:
        stmt = stmt.where(Revision.at >= datetime.combine(since, time.min))
    if until:
        stmt = stmt.where(Revision.at < datetime.combine(until + timedelta(days=1), time.min))
    stmt = stmt.options(joinedload(Revision.user))
    if newer_than is not None:  # walking back towards the newest
        rows = list(
            session.scalars(
                stmt.where(Revision.id > newer_than).order_by(Revision.id).limit(size + 1)
            )
        )
        more_newer = len(rows) > size
        items = rows[:size][::-1]
        return RevisionPage(
            items,
            older_than=items[-1].id if items else None,
            newer_than=items[0].id if items and more_newer else None,
        )
    if older_than is not None:
        stmt = stmt.where(Revision.id < older_than)
    rows = list(session.scalars(stmt.order_by(Revision.id.desc()).limit(size + 1)))
    items = rows[:size]
    return RevisionPage(
        items,
        older_than=items[-1].id if len(rows) > size else None,
        newer_than=items[0].id if items and older_than is not None else None,
    )


def claim_history(session: Session, claim_id: int) -> list[Revision]:
    """Return a claim's revisions with those of its links, appearances, assessments and
    notes that still exist, oldest first."""
    parts = [("claims", claim_id)]
    for entity, (id_column, claim_column) in CLAIM_PARTS.items():
        ids = session.scalars(select(id_column).where(claim_column == claim_id))
        parts += [(entity, i) for i in ids]
    links = session.scalars(
        select(ClaimLink.id).where(
            or_(ClaimLink.from_claim_id == claim_id, ClaimLink.to_claim_id == claim_id)
        )
    )
    parts += [("claim_links", i) for i in links]
    stmt = (
        select(Revision)
        .where(tuple_(Revision.entity, Revision.entity_id).in_(parts))
        .options(joinedload(Revision.user))
        .order_by(Revision.id)
    )
    return list(session.scalars(stmt))


def names_of(session: Session, revisions: list[Revision]) -> dict[tuple[str, int], str]:
    """Return the names of the records that `revisions` refer to by id: one query a kind."""
    wanted: dict[str, set[int]] = {}
    for revision in revisions:
        for name, values in revision.changes.items():
            if name in REFERENCES:
                wanted.setdefault(name, set()).update(
                    v for v in values if isinstance(v, int) and not isinstance(v, bool)
                )
    by_model: dict[type, tuple[Any, set[int]]] = {}
    for name, ids in wanted.items():
        _label, model, column = REFERENCES[name]
        by_model.setdefault(model, (column, set()))[1].update(ids)
    names = {}
    for model, (column, ids) in by_model.items():
        if ids:
            rows = session.execute(select(model.id, column).where(model.id.in_(ids)))
            names.update(((model.__tablename__, i), label) for i, label in rows)
    return names


def replay(revisions: list[Revision]) -> dict[str, Any] | None:
    """Return the recorded fields after `revisions` (in order); None if it ends deleted."""
    state: dict[str, Any] | None = None
    for revision in revisions:
        if revision.action == "delete":
            state = None
        elif revision.action == "create":
            state = {name: new for name, (_old, new) in revision.changes.items()}
        else:
            state = dict(state or {})
            state.update({name: new for name, (_old, new) in revision.changes.items()})
    return state


def changes_of(revision: Revision) -> list[Change]:
    """Return a revision's changed fields, in a stable order, for display."""
    return [Change(name, old, new) for name, (old, new) in sorted(revision.changes.items())]


def tag_names(session: Session, revisions: list[Revision]) -> dict[int, str]:
    """Return the names of the tags that `revisions` mention, by id."""
    ids = {
        tag_id
        for revision in revisions
        for values in [revision.changes.get("tags") or [None, None]]
        for tag_ids in values
        if tag_ids
        for tag_id in tag_ids
    }
    if not ids:
        return {}
    return dict(session.execute(select(Tag.id, Tag.name).where(Tag.id.in_(ids))).all())


@dataclass
class RestorePlan:
    """What restoring a revision would change: the record, and per field now → restored."""

    record: Any
    values: dict[str, Any]
    tags: list[Tag] | None
    changes: list[Change]


def restore_plan(session: Session, entity: str, entity_id: int, revision_id: int) -> RestorePlan:
    """Return what restoring revision `revision_id` would change; refuse what cannot be."""
    if entity not in RESTORABLE:
        raise NotAllowed(f"Only claims and sources can be restored, not {entity}.")
    model, fields = RESTORABLE[entity]
    record = session.get(model, entity_id)
    if record is None:
        raise NotAllowed(f"This {model.__name__.lower()} was deleted; its history stays readable.")
    revisions = history(session, entity, entity_id)
    upto = [r for r in revisions if r.id <= revision_id]
    if not upto or upto[-1].id != revision_id:
        raise NotAllowed(f"There is no revision #{revision_id} of this record.")
    state = replay(upto)
    if not state:
        raise NotAllowed("The record did not exist at that revision.")
    values = {name: _from_json(model, name, state[name]) for name in fields if name in state}
    tag_ids = values.pop("tags", None)
    for name, referred in _REFERENCES.items():
        if values.get(name) is not None and session.get(referred, values[name]) is None:
            raise NotAllowed(f"That version's {name.removesuffix('_id')} no longer exists.")
    # Read everything first: a query after the first change would flush it on its own
    # and raise the version twice.
    values = {n: v for n, v in values.items() if v != HIDDEN and getattr(record, n) != v}
    changes = [
        Change(name, _readable(session, name, getattr(record, name)), _readable(session, name, v))
        for name, v in values.items()
    ]
    tags = None
    if tag_ids is not None:
        tags = [tag for tag in (session.get(Tag, i) for i in tag_ids) if tag is not None]
        if {t.id for t in tags} != {t.id for t in record.tags}:
            changes.append(Change("tags", _names(record.tags), _names(tags)))
        else:
            tags = None
    if not changes:
        raise NotAllowed("The record is already as it was at that revision.")
    return RestorePlan(record, values, tags, changes)


def restore(
    session: Session,
    entity: str,
    entity_id: int,
    revision_id: int,
    *,
    expected_version: int | None = None,
):
    """Put a claim or source back as it was after revision `revision_id`.

    With `expected_version` (the version the editor saw the preview of), a record saved
    since is refused: the preview no longer says what the restore would do.
    """
    plan = restore_plan(session, entity, entity_id, revision_id)
    record = plan.record
    if expected_version is not None and record.version != expected_version:
        raise StaleEdit(entity.rstrip("s"), expected_version, record.version)
    with recorded_as(session, "restore"):
        for name, value in plan.values.items():
            setattr(record, name, value)
        if plan.tags is not None:
            record.tags = plan.tags
            if not plan.values:
                record.updated_at = utcnow()  # a tag change raises the version too
        session.flush()
    return record


def _readable(session: Session, name: str, value) -> Any:
    """Return a value as a person reads it: a referenced actor by name."""
    if value is not None and name in _REFERENCES:
        referred = session.get(_REFERENCES[name], value)
        return f"{referred.name} (#{value})" if referred is not None else f"#{value}"
    return value.isoformat() if isinstance(value, date) else value


def _names(tags) -> str:
    return ", ".join(sorted(tag.name for tag in tags)) or "none"


def _from_json(model, name: str, value):
    column = model.__table__.columns.get(name)
    if value is not None and column is not None and isinstance(column.type, Date):
        return date.fromisoformat(value)
    return value
