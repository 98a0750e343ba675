"""Source derivations: a source that quotes, cites, republishes, summarises or translates
another, so that repeating one origin is never mistaken for independent corroboration."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CreatedBy, Timestamped, intpk
from .source import Source
from .vocabulary import DERIVATION_KIND, check_in


class SourceDerivation(Timestamped, CreatedBy, Base):
    """One source derived from another; the graph they make has no cycle."""

    __tablename__ = "source_derivations"

    id: Mapped[intpk]
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"),
        comment="The derived source: the one that quotes, cites, republishes...",
    )
    derived_from_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"),
        index=True,
        comment="The source it derives from.",
    )
    kind: Mapped[str] = mapped_column(
        String(20), comment="How it derives: " + ", ".join(DERIVATION_KIND) + "."
    )

    source: Mapped[Source] = relationship(foreign_keys=[source_id])
    derived_from: Mapped[Source] = relationship(foreign_keys=[derived_from_id])

    __table_args__ = (
        UniqueConstraint("source_id", "derived_from_id"),
        CheckConstraint(check_in("kind", DERIVATION_KIND), name="kind"),
        CheckConstraint("source_id <> derived_from_id", name="not_self"),
        {"sqlite_autoincrement": True},
    )
