"""Apply an edit to a versioned record, refusing stale saves (optimistic locking)."""

from sqlalchemy import inspect

from .errors import StaleEdit


def apply_edit(record, loaded_version: int, changes: dict, *, entity: str) -> bool:
    """Set `changes` on `record` if it is still at `loaded_version`; return whether it changed.

    A stale save raises StaleEdit listing, for every field the editor submitted, the
    stored value and the value they typed where the two differ.
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
