"""Sources: where claims appear, with their Admiralty reliability."""

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from counterclaim.models import Annotation, Claim, ClaimSource, Source

from ..claims.editing import Merged, save_edit
from ..errors import NotAllowed
from ..pagination import Page, Sort, paginate

SOURCE_FIELDS = (
    "title", "kind", "publisher_id", "author", "url", "archived_url", "published_on",
    "reliability", "notes",
)  # fmt: skip

SORTS = {
    s.key: s
    for s in (
        Sort("published-desc", "Published, newest first", Source.published_on, descending=True),
        Sort("published-asc", "Published, oldest first", Source.published_on),
        Sort("reliability", "Most reliable first", Source.reliability),
        Sort("added-desc", "Recently added", Source.id, descending=True),
    )
}
DEFAULT_SORT = "published-desc"


@dataclass
class SourceFilters:
    text: str | None = None
    reliability: str | None = None
    kind: str | None = None
    publisher_id: int | None = None


def create_source(session: Session, **values) -> Source:
    """Add a source."""
    source = Source(**{name: values[name] for name in SOURCE_FIELDS if name in values})
    session.add(source)
    session.flush()
    return source


def update_source(
    session: Session,
    source: Source,
    loaded_version: int,
    *,
    base: dict | None = None,
    keep=(),
    **values,
) -> Merged:
    """Save an edit of a source made at `loaded_version`, merged with any save since."""
    mine = {name: values[name] for name in SOURCE_FIELDS if name in values}
    return save_edit(session, source, loaded_version, mine, base=base, keep=keep, entity="source")


def source_values(source: Source) -> dict:
    """Return the source's editable values, the form's base."""
    return {name: getattr(source, name) for name in SOURCE_FIELDS}


def delete_source(session: Session, source: Source) -> None:
    """Delete a source that carries no claim and has no notes."""
    carried = session.scalar(select(func.count()).where(ClaimSource.source_id == source.id))
    notes = session.scalar(select(func.count()).where(Annotation.source_id == source.id))
    if carried or notes:
        raise NotAllowed(
            f"This source carries {carried} claim appearance(s) and has {notes} note(s); "
            "detach them first."
        )
    session.delete(source)
    session.flush()


def list_sources(
    session: Session,
    filters: SourceFilters,
    *,
    sort: str = DEFAULT_SORT,
    after: str | None = None,
    size: int = 50,
    before: str | None = None,
) -> Page:
    """Return one page of sources matching `filters`, with publishers loaded."""
    stmt = select(Source).options(joinedload(Source.publisher))
    if filters.text:
        for word in filters.text.split():
            stmt = stmt.where(Source.title.icontains(word, autoescape=True))
    if filters.reliability:
        stmt = stmt.where(Source.reliability == filters.reliability)
    if filters.kind:
        stmt = stmt.where(Source.kind == filters.kind)
    if filters.publisher_id is not None:
        stmt = stmt.where(Source.publisher_id == filters.publisher_id)
    return paginate(session, stmt, SORTS[sort], Source.id, after=after, size=size, before=before)


def source_with_publisher(session: Session, source_id: int) -> Source | None:
    """Return a source with its publisher read in the same statement, or None."""
    return session.scalar(
        select(Source).where(Source.id == source_id).options(joinedload(Source.publisher))
    )


def source_appearances(session: Session, source_id: int, *, limit: int = 200) -> list[ClaimSource]:
    """Return the claims a source carries, with their excerpts, in source order."""
    stmt = (
        select(ClaimSource)
        .where(ClaimSource.source_id == source_id)
        .options(joinedload(ClaimSource.claim).joinedload(Claim.claimant))
        .order_by(ClaimSource.id)
        .limit(limit)
    )
    return sorted(session.scalars(stmt), key=lambda a: (locator_order(a.locator), a.id))


def locator_order(locator: str | None) -> tuple:
    """Sort key putting "para 2" before "para 10", and appearances without a locator last."""
    if not locator:
        return ((2, ""),)
    parts = re.split(r"(\d+)", locator.casefold())
    return tuple((0, int(p)) if p.isdigit() else (1, p.strip()) for p in parts if p.strip())


def source_choices(session: Session, *, include_id: int | None = None, recent: int = 100):
    """Return the most recent sources as (id, title) for pickers, with `include_id` first."""
    stmt = select(Source.id, Source.title).order_by(Source.id.desc()).limit(recent)
    rows = list(session.execute(stmt))
    if include_id is not None and all(row[0] != include_id for row in rows):
        chosen = session.execute(select(Source.id, Source.title).where(Source.id == include_id))
        rows = list(chosen) + rows
    return rows
