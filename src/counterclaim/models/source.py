"""Sources: where claims appear."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .actor import Actor
from .base import NEVER_REUSE_IDS, Base, CreatedBy, Timestamped, intpk
from .vocabulary import RELIABILITY, SOURCE_KIND, check_in


class Source(Timestamped, CreatedBy, Base):
    """An article, statement, video, report or post in which claims appear."""

    __tablename__ = "sources"

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(300), comment="The source's title or a short label.")
    kind: Mapped[str] = mapped_column(
        String(20),
        default="article",
        comment="What sort of source: " + ", ".join(SOURCE_KIND) + ".",
    )
    publisher_id: Mapped[int | None] = mapped_column(
        ForeignKey("actors.id", ondelete="SET NULL"),
        index=True,
        comment="The actor that published or issued the source.",
    )
    author: Mapped[str] = mapped_column(
        String(200), default="", comment="The named author, if any, as printed."
    )
    url: Mapped[str] = mapped_column(
        String(2000), default="", comment="Where the source is online."
    )
    archived_url: Mapped[str] = mapped_column(
        String(2000), default="", comment="An archived copy (Wayback Machine, archive.today)."
    )
    published_on: Mapped[date | None] = mapped_column(
        Date, comment="The date the source was published, if known."
    )
    reliability: Mapped[str] = mapped_column(
        String(1),
        default="F",
        comment="NATO Admiralty source reliability, A (completely reliable)"
        " to F (cannot be judged).",
    )
    notes: Mapped[str] = mapped_column(
        Text, default="", comment="Why the source has its reliability letter."
    )
    external_id: Mapped[str | None] = mapped_column(
        String(500),
        unique=True,
        index=True,  # a unique index: added without rebuilding the table on SQLite
        sort_order=10,  # added by a later migration: the table's last column
        comment="The source's id in the system it was imported from (a URL or another "
        "team's id); unique when set.",
    )
    version: Mapped[int] = mapped_column(
        Integer, default=1, comment="Optimistic-locking counter, raised on every save."
    )

    publisher: Mapped[Actor | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(check_in("reliability", RELIABILITY), name="reliability"),
        CheckConstraint(check_in("kind", SOURCE_KIND), name="kind"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_sources_reliability_id", "reliability", "id"),
        Index("ix_sources_published_on_id", "published_on", "id"),
        NEVER_REUSE_IDS,
    )

    def __str__(self) -> str:
        return self.title
