"""Actor aliases: other names and spellings of an actor, matched on import."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .actor import Actor
from .base import NEVER_REUSE_IDS, Base, Timestamped, intpk


class ActorAlias(Timestamped, Base):
    """Another name of an actor (a spelling, a transliteration, a merged actor's name)."""

    __tablename__ = "actor_aliases"

    id: Mapped[intpk]
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"),
        index=True,
        comment="The actor this is another name of.",
    )
    alias: Mapped[str] = mapped_column(
        String(200),
        unique=True,
        comment="The other name, as written; unique (one name names one actor).",
    )
    key: Mapped[str] = mapped_column(
        String(200),
        index=True,
        comment="The name as imports compare it: case-folded, spacing collapsed.",
    )

    actor: Mapped[Actor] = relationship()

    __table_args__ = (
        CheckConstraint("length(alias) > 0", name="alias_not_empty"),
        NEVER_REUSE_IDS,
    )
