"""Claim outcomes: what a settled claim turned out to be, kept over time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, intpk, utcnow
from .claim import Claim
from .user import User
from .vocabulary import OUTCOME, check_in


class ClaimOutcome(Base):
    """A decision on a claim's outcome; a new decision is a new row, the latest counts."""

    __tablename__ = "claim_outcomes"

    id: Mapped[intpk]
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="RESTRICT"), comment="The decided claim."
    )
    outcome: Mapped[str] = mapped_column(
        String(20), comment="What the claim turned out to be: " + ", ".join(OUTCOME) + "."
    )
    rationale: Mapped[str] = mapped_column(
        Text, comment="Why: the judgment or evidence the outcome rests on."
    )
    decided_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"),
        index=True,
        comment="The editor who decided (null: loaded, imported or a removed user).",
    )
    decided_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, comment="When the outcome was decided (UTC)."
    )

    claim: Mapped[Claim] = relationship()
    decider: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(check_in("outcome", OUTCOME), name="outcome"),
        CheckConstraint("length(rationale) > 0", name="rationale_not_empty"),
        Index("ix_claim_outcomes_claim_id_id", "claim_id", "id"),
        {"sqlite_autoincrement": True},
    )
