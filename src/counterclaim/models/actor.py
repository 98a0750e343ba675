"""Actors: who makes claims and who publishes sources."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import NEVER_REUSE_IDS, Base, CreatedBy, Timestamped, intpk
from .vocabulary import ACTOR_KIND, check_in


class Actor(Timestamped, CreatedBy, Base):
    """A person, government, armed group, outlet or organisation that claims or publishes."""

    __tablename__ = "actors"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(
        String(200), unique=True, comment="The actor's name as analysts refer to it; unique."
    )
    kind: Mapped[str] = mapped_column(
        String(20), default="other", comment="What sort of actor: " + ", ".join(ACTOR_KIND) + "."
    )
    description: Mapped[str] = mapped_column(
        Text, default="", comment="Who the actor is, in the analysts' words."
    )
    external_id: Mapped[str | None] = mapped_column(
        String(500),
        unique=True,
        index=True,  # a unique index: added without rebuilding the table on SQLite
        sort_order=10,  # added by a later migration: the table's last column
        comment="The actor's id in the system it was imported from (a URL or another "
        "team's id); unique when set.",
    )
    affiliation_id: Mapped[int | None] = mapped_column(
        ForeignKey("actors.id", ondelete="SET NULL"),
        index=True,
        comment="The actor this one belongs to or speaks for (a spokesman's government).",
    )

    affiliation: Mapped[Actor | None] = relationship(remote_side="Actor.id")

    __table_args__ = (CheckConstraint(check_in("kind", ACTOR_KIND), name="kind"), NEVER_REUSE_IDS)

    def __str__(self) -> str:
        return self.name
