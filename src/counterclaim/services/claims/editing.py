"""Save an edit of a versioned record without ever losing anyone's work: a three-way merge.

The form carries the version the editor loaded and the values they started from (the
base). When someone saved in between, each field is decided on its own:

- the editor left it as it was (mine == base): the stored value stays, a colleague's
  change included;
- only the editor changed it (stored == base), or both made the same change: theirs;
- both changed it, differently: a clash, shown for a choice. Nothing is saved until the
  editor chooses (`keep` names the fields where they keep the stored value).

Values are compared as revisions store them (dates as ISO text), so a base travels as
JSON in a hidden field (`encode_base` / `decode_base`).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from counterclaim.models import Revision, User

from ..errors import StaleEdit


def as_json(value: Any) -> Any:
    """Return a value as a base holds it: dates ISO, everything else as it is."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return sorted(value)
    return value


def snapshot(values: dict) -> dict[str, Any]:
    """Return `values` as a base holds them."""
    return {name: as_json(value) for name, value in values.items()}


def encode_base(values: dict) -> str:
    """Return the base of a form: the values the editor starts from, as JSON."""
    return json.dumps(snapshot(values), sort_keys=True, separators=(",", ":"))


def decode_base(text: str | None, fields: Iterable[str]) -> dict[str, Any] | None:
    """Return the base a form carried, or None when it is missing or not one of ours."""
    try:
        base = json.loads(text or "")
    except ValueError:
        return None
    if not isinstance(base, dict) or not set(fields) <= set(base):
        return None
    return base


@dataclass
class Clash:
    """A field both editors changed, differently."""

    name: str
    base: Any
    theirs: Any
    mine: Any


@dataclass
class Save:
    """Who saved a record, and when (from its revisions)."""

    who: str
    at: datetime
    fields: list[str]


@dataclass
class EditConflict(StaleEdit):
    """Both the editor and someone else changed the same fields; nothing was saved."""

    clashes: dict[str, Clash] = field(default_factory=dict)
    #: What the form should show now: the stored values, with the editor's own changes.
    merged: dict[str, Any] = field(default_factory=dict)
    #: The values stored now: the base of the next attempt.
    stored: dict[str, Any] = field(default_factory=dict)
    saves: list[Save] = field(default_factory=list)

    def __str__(self) -> str:
        names = ", ".join(name.replace("_", " ") for name in self.clashes)
        return (
            f"This {self.entity} was saved by someone else since you opened it, and you both "
            f"changed {names}. Nothing was saved yet: choose which value to keep for each, "
            "then save again. Your other changes are in the form; theirs are kept."
        )


@dataclass
class Merged:
    """A saved edit: what the editor changed, and the colleagues' changes it kept."""

    changed: list[str]
    kept_theirs: list[str]
    saves: list[Save] = field(default_factory=list)


def three_way(base: dict, mine: dict, stored: dict) -> tuple[dict, dict[str, Clash], list[str]]:
    """Return (changes to make, clashes, fields whose stored change is kept)."""
    changes, clashes, kept = {}, {}, []
    for name, value in mine.items():
        original, now, wanted = base[name], as_json(stored[name]), as_json(value)
        if wanted == original:
            if now != original:
                kept.append(name)
        elif now in (original, wanted):
            if now != wanted:
                changes[name] = value
        else:
            clashes[name] = Clash(name, original, now, wanted)
    return changes, clashes, kept


def merge_edit(
    session: Session,
    record,
    loaded_version: int,
    mine: dict,
    *,
    stored: dict,
    base: dict | None,
    keep: Iterable[str] = (),
    entity: str,
) -> tuple[dict, Merged]:
    """Return the changes to make to `record` (an edit made at `loaded_version`).

    `mine` holds the editor's values, `stored` the record's values now (with any field
    that is not a column, such as a claim's tags), `base` what the editor started from
    (None: not known, so every field that differs from the stored value is theirs to
    choose), `keep` the fields where the editor chose the stored value. A clash raises
    EditConflict; nothing is changed then.
    """
    current = record.version
    if base is None:
        unknown = object()  # equals nothing: every field that differs is a clash
        base = snapshot(stored) if current == loaded_version else dict.fromkeys(mine, unknown)
    keep = set(keep)
    mine = {name: (stored[name] if name in keep else value) for name, value in mine.items()}
    base = {name: (as_json(stored[name]) if name in keep else base[name]) for name in mine}
    changes, clashes, kept = three_way(base, mine, stored)
    saves = saves_since(session, record, loaded_version) if current != loaded_version else []
    if clashes:
        merged = {name: changes.get(name, stored[name]) for name in mine}
        merged.update({name: mine[name] for name in clashes})
        changed = {n: (as_json(stored[n]), as_json(mine[n])) for n in clashes}
        raise EditConflict(
            entity, loaded_version, current, changed, clashes=clashes, merged=merged,
            stored=dict(stored), saves=saves,
        )  # fmt: skip
    return changes, Merged(sorted(changes), kept, saves)


def save_edit(
    session: Session,
    record,
    loaded_version: int,
    mine: dict,
    *,
    base: dict | None,
    keep: Iterable[str] = (),
    entity: str,
) -> Merged:
    """Merge and set an edit of `record`'s columns (see merge_edit); flush; return the outcome."""
    stored = {name: getattr(record, name) for name in mine}
    changes, merged = merge_edit(
        session, record, loaded_version, mine, stored=stored, base=base, keep=keep, entity=entity
    )
    apply_changes(record, changes)
    session.flush()
    return merged


def apply_changes(record, changes: dict) -> bool:
    """Set `changes` on `record`; return whether a column changed."""
    for name, value in changes.items():
        setattr(record, name, value)
    return inspect(record).modified


def saves_since(session: Session, record, loaded_version: int, *, limit: int = 20) -> list[Save]:
    """Return who saved `record` since `loaded_version`, newest first (from revisions).

    Each save raised the version by one, so they are the record's latest saves.
    """
    count = max(0, min(record.version - loaded_version, limit))
    if not count:
        return []
    rows = session.execute(
        select(Revision.changes, Revision.at, User.display_name, User.username)
        .outerjoin(User, User.id == Revision.user_id)
        .where(
            Revision.entity == record.__tablename__,
            Revision.entity_id == record.id,
            Revision.action != "create",
        )
        .order_by(Revision.id.desc())
        .limit(count)
    ).all()
    return [
        Save(name or username or "the system", at, sorted(changes or {}))
        for changes, at, name, username in rows
    ]


def apply_edit(record, loaded_version: int, changes: dict, *, entity: str) -> bool:
    """Set `changes` on `record` if it is still at `loaded_version`; return whether it changed.

    For callers without a base (imports, scripts): a stale save raises StaleEdit listing,
    for every field the editor submitted, the stored value and the value they typed where
    the two differ.
    """
    if record.version != loaded_version:
        changed = {
            name: (getattr(record, name), value)
            for name, value in changes.items()
            if getattr(record, name) != value
        }
        raise StaleEdit(entity, loaded_version, record.version, changed)
    for name, value in changes.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
    return inspect(record).modified
