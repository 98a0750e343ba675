"""Assessments: one analyst's rating of one claim, kept over time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import NEVER_REUSE_IDS, Base, Timestamped, Versioned, intpk
from .claim import Claim
from .user import User
from .vocabulary import CONFIDENCE, CREDIBILITY, check_in


class Assessment(Timestamped, Versioned, Base):
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

    withdrawn_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True),
        sort_order=21,
        comment="When the analyst withdrew the judgment (null: it stands). Withdrawn "
        "judgments stay, for the record, and count in no consensus.",
    )
    withdrawn_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"),
        index=True,
        sort_order=22,
        comment="Who withdrew the judgment.",
    )

    claim: Mapped[Claim] = relationship()
    analyst: Mapped[User] = relationship(foreign_keys=[analyst_id])

    __table_args__ = (
        CheckConstraint(check_in("credibility", CREDIBILITY), name="credibility"),
        CheckConstraint(check_in("confidence", CONFIDENCE), name="confidence"),
        CheckConstraint("length(rationale) > 0", name="rationale_not_empty"),
        Index("ix_assessments_claim_id_analyst_id", "claim_id", "analyst_id", "id"),
        NEVER_REUSE_IDS,
    )
