"""Source derivations: recording that a source quotes, cites, republishes, summarises or
translates another, never in a circle.

The cycle check and the insert must see the same graph. On SQLite every write
transaction begins IMMEDIATE (db.py), so the check runs under the write lock already; on
PostgreSQL a transaction-scoped advisory lock serialises every derivation insert, so two
editors recording A→B and B→A at once cannot both pass the check.
"""

from sqlalchemy import func, literal, select, text
from sqlalchemy.orm import Session, joinedload

from counterclaim.models import Source, SourceDerivation
from counterclaim.models.vocabulary import DERIVATION_KIND

from ..errors import Duplicate, NotAllowed

#: The advisory lock key of derivation inserts on PostgreSQL ("deriv" in ASCII).
_LOCK_KEY = 0x6465726976


def add_derivation(
    session: Session, source: Source, derived_from: Source, kind: str
) -> SourceDerivation:
    """Record that `source` derives from `derived_from`; refuse a self-loop or a cycle."""
    if kind not in DERIVATION_KIND:
        raise NotAllowed(f"Choose how it derives: {', '.join(DERIVATION_KIND)}.")
    if source.id == derived_from.id:
        raise NotAllowed("A source cannot derive from itself.")
    _lock(session)
    existing = session.scalar(
        select(SourceDerivation).where(
            SourceDerivation.source_id == source.id,
            SourceDerivation.derived_from_id == derived_from.id,
        )
    )
    if existing is not None:
        raise Duplicate(
            f"«{source.title}» is already recorded as derived from «{derived_from.title}» "
            f"({existing.kind})."
        )
    if derives_from(session, derived_from.id, source.id):
        raise NotAllowed(
            f"«{derived_from.title}» already derives, directly or through a chain, from "
            f"«{source.title}»: recording the reverse would make a circle. Check which "
            "came first."
        )
    derivation = SourceDerivation(source_id=source.id, derived_from_id=derived_from.id, kind=kind)
    session.add(derivation)
    session.flush()
    return derivation


def remove_derivation(session: Session, derivation: SourceDerivation) -> None:
    """Remove a derivation (the audit trail keeps it)."""
    session.delete(derivation)
    session.flush()


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def derives_from(session: Session, source_id: int, ancestor_id: int) -> bool:
    """Tell whether `source_id` derives from `ancestor_id`, directly or through a chain."""
    up = select(literal(source_id).label("id")).cte("up", recursive=True)
    up = up.union(
        select(SourceDerivation.derived_from_id).where(SourceDerivation.source_id == up.c.id)
    )
    return session.scalar(select(func.count()).select_from(up).where(up.c.id == ancestor_id)) > 0


def derivations_of(session: Session, source_id: int):
    """Return (what `source_id` derives from, what derives from it), with sources loaded."""
    base = select(SourceDerivation).options(
        joinedload(SourceDerivation.source), joinedload(SourceDerivation.derived_from)
    )
    parents = session.scalars(
        base.where(SourceDerivation.source_id == source_id).order_by(SourceDerivation.id)
    )
    children = session.scalars(
        base.where(SourceDerivation.derived_from_id == source_id).order_by(SourceDerivation.id)
    )
    return list(parents), list(children)
