"""Annotations: analysts' notes on a claim or a source."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import NEVER_REUSE_IDS, Base, Timestamped, Versioned, intpk
from .claim import Claim
from .source import Source
from .user import User


class Annotation(Timestamped, Versioned, Base):
    """A note in Markdown on exactly one claim or one source."""

    __tablename__ = "annotations"

    id: Mapped[intpk]
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("claims.id", ondelete="RESTRICT"),
        index=True,
        comment="The annotated claim (set when the note is on a claim).",
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"),
        index=True,
        comment="The annotated source (set when the note is on a source).",
    )
    author_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True, comment="Who wrote the note."
    )
    body: Mapped[str] = mapped_column(Text, comment="The note, in Markdown; rendered sanitised.")

    author: Mapped[User] = relationship()
    claim: Mapped[Claim | None] = relationship()
    source: Mapped[Source | None] = relationship()

    __table_args__ = (
        CheckConstraint("(claim_id IS NULL) <> (source_id IS NULL)", name="exactly_one_subject"),
        CheckConstraint("length(body) > 0", name="body_not_empty"),
        NEVER_REUSE_IDS,
    )
