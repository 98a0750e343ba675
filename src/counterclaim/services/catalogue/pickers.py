"""Record pickers: find any actor, source or tag by part of its name, at any scale.

A picker offers the records chosen already plus the first matches of what was typed,
so every record can be reached however many there are (the old selects listed the
100 newest sources only, or all 5,000 actors at once).
"""

from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from counterclaim.models import Actor, Source, Tag
from counterclaim.models.base import MAX_INT

LIMIT = 50
MAX_QUERY_CHARS = 200


@dataclass
class Found:
    """The choices a picker offers: (id, label) pairs, and whether more matched."""

    choices: list[tuple[int, str]] = field(default_factory=list)
    more: bool = False


def _source_label(row) -> str:
    date = f", {row.published_on}" if row.published_on else ""
    return f"{row.title} ({row.reliability}{date}) #{row.id}"


# kind -> (model, the column typed against, the order of the choices, columns, label)
KINDS = {
    "actor": (Actor, Actor.name, (Actor.name, Actor.id), (Actor.id, Actor.name),
              lambda row: row.name),
    "source": (Source, Source.title, (Source.id.desc(),),
               (Source.id, Source.title, Source.reliability, Source.published_on),
               _source_label),
    "tag": (Tag, Tag.name, (Tag.name, Tag.id), (Tag.id, Tag.name), lambda row: row.name),
}  # fmt: skip


def words(query: str) -> list[str]:
    """Split what was typed into the words that must each appear."""
    return (query or "")[:MAX_QUERY_CHARS].split()


def find(
    session: Session,
    kind: str,
    query: str = "",
    *,
    include=(),
    exclude: int | None = None,
    limit: int = LIMIT,
) -> Found:
    """Return the records of `kind` matching every word of `query`, `include` first."""
    model, column, order, columns, label = KINDS[kind]
    include = [i for i in include if i is not None and i != exclude]
    chosen = []
    if include:
        rows = session.execute(select(*columns).where(model.id.in_(include)).order_by(*order))
        chosen = [(row.id, label(row)) for row in rows]
    stmt = select(*columns).order_by(*order).limit(limit + 1)
    conditions = []
    for word in words(query):
        match = func.lower(column).contains(word.lower(), autoescape=True)
        number = word.lstrip("#")
        if number.isascii() and number.isdigit() and int(number) <= MAX_INT:
            match = or_(match, model.id == int(number))
        conditions.append(match)
    if conditions:
        stmt = stmt.where(and_(*conditions))
    if exclude is not None:
        stmt = stmt.where(model.id != exclude)
    rows = list(session.execute(stmt))
    ids = {i for i, _ in chosen}
    found = [(row.id, label(row)) for row in rows[:limit] if row.id not in ids]
    return Found(chosen + found, more=len(rows) > limit)
