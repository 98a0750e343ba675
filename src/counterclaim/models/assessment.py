"""Assessments: one analyst's rating of one claim, kept over time."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped, intpk
from .claim import Claim
from .user import User
from .vocabulary import CONFIDENCE, CREDIBILITY, check_in


class Assessment(Timestamped, Base):
    """An analyst's judgment of a claim's credibility; a new judgment is a new row."""

    __tablename__ = "assessments"

    id: Mapped[intpk]
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="RESTRICT"), comment="The assessed claim."
    )
    analyst_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"),
        index=True,
        comment="The analyst who made the judgment.",
    )
    credibility: Mapped[int] = mapped_column(
        Integer,
        comment="Admiralty information credibility, 1 (confirmed) to 6 (cannot be judged).",
    )
    confidence: Mapped[str] = mapped_column(
        String(10), comment="The analyst's confidence in the judgment: low, moderate, high."
    )
    rationale: Mapped[str] = mapped_column(
        Text, comment="Why the analyst judged so: the evidence and reasoning."
    )

    claim: Mapped[Claim] = relationship()
    analyst: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint(check_in("credibility", CREDIBILITY), name="credibility"),
        CheckConstraint(check_in("confidence", CONFIDENCE), name="confidence"),
        CheckConstraint("length(rationale) > 0", name="rationale_not_empty"),
        Index("ix_assessments_claim_id_analyst_id", "claim_id", "analyst_id", "id"),
    )
