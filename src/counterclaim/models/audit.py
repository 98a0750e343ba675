"""The audit trail, written by the session itself: every create, update and delete of an
audited row adds a `revisions` row in the same transaction (so in the same commit or
rollback as the change).

A flush listener registered on every SQLAlchemy Session does it, whoever flushes: the
web, the CLI, a notebook, a test. Who acts travels in `session.info["user_id"]` (None:
the system, a seed load or a command without a user); a service that does something other
than a plain edit names it with `recorded_as(session, "restore")`. Bulk UPDATE and
DELETE statements bypass the ORM and so this trail: they are never used on audited tables.

Each revision's `changes` holds the changed fields as {field: [old, new]}: every field
(old None) on create, every field (new None) on delete, so a deleted row stays readable.
A claim's tags are part of the claim, as the sorted list of their ids under "tags".
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import MANYTOONE, Session
from sqlalchemy.orm.attributes import NO_VALUE

from .actor import Actor
from .actor_alias import ActorAlias
from .annotation import Annotation
from .assessment import Assessment
from .base import utcnow
from .claim import Claim, ClaimLink, ClaimSource
from .derivation import SourceDerivation
from .outcome import ClaimOutcome
from .relation_mapping import RelationMapping
from .review import Review
from .revision import Revision
from .saved_query import SavedQuery
from .snapshot import ReportSnapshot
from .source import Source
from .tag import Tag
from .user import User

USER_KEY = "user_id"
_ACTION_KEY = "counterclaim.audit.action"
_PENDING_KEY = "counterclaim.audit.pending"

AUDITED = (
    Actor,
    Source,
    Claim,
    ClaimSource,
    ClaimLink,
    Assessment,
    Annotation,
    Tag,
    User,
    SavedQuery,
    Review,
    ActorAlias,
    RelationMapping,
    SourceDerivation,
    ClaimOutcome,
    ReportSnapshot,
)
#: Bookkeeping that every save changes; `revisions.at` says when, the version follows.
UNRECORDED = frozenset({"id", "created_at", "updated_at", "version"})
#: Recorded as changed, never with their values: every column marked info={"secret": True}.
SECRET = frozenset(
    column.key
    for model in AUDITED
    for column in model.__table__.columns
    if column.info.get("secret")
)
HIDDEN = "(hidden)"


def entity_of(record) -> str | None:
    """Return the entity name revisions file `record` under (its table), or None."""
    return record.__tablename__ if isinstance(record, AUDITED) else None


@contextmanager
def recorded_as(session: Session, action: str) -> Iterator[None]:
    """Record the updates flushed inside the block as `action` (restore, merge)."""
    session.info[_ACTION_KEY] = action
    try:
        yield
    finally:
        session.info.pop(_ACTION_KEY, None)


def as_json(value: Any) -> Any:
    """Return a column value as revisions store it (dates as ISO text)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(record, *, created: bool = False) -> dict[str, Any]:
    """Return the recorded fields of `record` and their values, as revisions store them.

    A row just `created` holds its tags only if they were given (no empty collection is
    made for it: an import creates thousands).
    """
    fields = {
        key: HIDDEN if key in SECRET else as_json(getattr(record, key))
        for key in _recorded(type(record))
    }
    if isinstance(record, Claim):
        fields["tags"] = _tag_ids(record.__dict__.get("tags", ()) if created else record.tags)
    return fields


@cache
def _recorded(model: type) -> tuple[str, ...]:
    """Return the names of the columns a revision of `model` records, once per model."""
    return tuple(a.key for a in inspect(model).column_attrs if a.key not in UNRECORDED)


def _tag_ids(tags) -> list[int]:
    return sorted(tag.id for tag in tags)


def _changes(session: Session, record) -> dict[str, list]:
    """Return {field: [old, new]} for what an edit of `record` changed."""
    state = inspect(record)
    changes: dict[str, list] = {}
    unknown: list[str] = []
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in UNRECORDED:
            continue
        history = state.attrs[key].history
        if not history.added:
            continue
        if history.deleted and history.deleted[0] is not NO_VALUE:
            old = history.deleted[0]
        else:
            unknown.append(key)  # set without being loaded first: read the stored value
            old = None
        changes[key] = [old, history.added[0]]
    _relationship_changes(state, changes)
    if unknown:
        columns = [state.mapper.column_attrs[key].columns[0] for key in unknown]
        pk = state.mapper.primary_key[0]
        stored = session.execute(select(*columns).where(pk == state.identity[0])).one()
        for key, value in zip(unknown, stored, strict=True):
            changes[key][0] = value
    recorded = {}
    for key, (old, new) in changes.items():
        if key in SECRET:
            recorded[key] = [HIDDEN, HIDDEN]
        elif as_json(old) != as_json(new):
            recorded[key] = [as_json(old), as_json(new)]
    if isinstance(record, Claim):
        tags = state.attrs.tags.history
        if tags.added or tags.deleted:
            old_tags = _tag_ids([*tags.unchanged, *tags.deleted])
            new_tags = _tag_ids([*tags.unchanged, *tags.added])
            if old_tags != new_tags:
                recorded["tags"] = [old_tags, new_tags]
    return recorded


def _relationship_changes(state, changes: dict[str, list]) -> None:
    """Add the foreign keys that a many-to-one relationship set will change at flush.

    `appearance.claim = other` changes `claim_id` only when the flush syncs it, so the
    column has no history yet: read the old id from the column, the new from the object.
    """
    for relationship in state.mapper.relationships:
        if relationship.direction is not MANYTOONE:
            continue
        history = state.attrs[relationship.key].history
        if not history.added:
            continue
        target = history.added[0]
        for local, remote in relationship.local_remote_pairs:
            key = state.mapper.get_property_by_column(local).key
            new = None if target is None else getattr(target, remote.key)
            if key in changes or key in UNRECORDED or (target is not None and new is None):
                continue  # set directly too, or the target has no id yet
            changes[key] = [state.dict.get(key), new]


def _row(session: Session, record, action: str, changes: dict) -> dict:
    return {
        "entity": entity_of(record),
        "entity_id": record.id,
        "action": action,
        "changes": changes,
        "user_id": session.info.get(USER_KEY),
        "at": utcnow(),
    }


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    """Stamp who created new rows; note updates and deletes while the old values exist."""
    user_id = session.info.get(USER_KEY)
    pending: list[dict] = []
    with session.no_autoflush:
        for record in session.new:
            if user_id is not None and getattr(record, "created_by", False) is None:
                record.created_by = user_id
        action = session.info.get(_ACTION_KEY, "update")
        for record in session.dirty:
            if entity_of(record) and session.is_modified(record):
                changes = _changes(session, record)
                if changes:
                    pending.append(_row(session, record, action, changes))
        for record in session.deleted:
            if entity_of(record):
                old = snapshot(record)
                pending.append(
                    _row(session, record, "delete", {k: [v, None] for k, v in old.items()})
                )
    session.info[_PENDING_KEY] = pending


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    """Write the revisions of the flush, creations included now that they have ids."""
    rows = session.info.pop(_PENDING_KEY, [])
    with session.no_autoflush:
        for record in session.new:
            if entity_of(record):
                new = snapshot(record, created=True)
                rows.append(_row(session, record, "create", {k: [None, v] for k, v in new.items()}))
    if rows:
        session.connection().execute(insert(Revision), rows)
