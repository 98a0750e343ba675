"""Verdict mappings: how a fact-checker's textual verdict becomes Admiralty credibility."""

from sqlalchemy import CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamped, intpk
from .vocabulary import CREDIBILITY, check_in


class VerdictMapping(Timestamped, Base):
    """The team's own mapping of one verdict, over the built-in defaults.

    `verdict` is the normalised key (case-folded, accents and punctuation removed), so
    "Pants on Fire!", "PANTS ON FIRE" and "pants-on-fire" share one row.
    """

    __tablename__ = "verdict_mappings"

    id: Mapped[intpk]
    verdict: Mapped[str] = mapped_column(
        String(200),
        unique=True,
        comment="The verdict, normalised: case-folded, without accents or punctuation; unique.",
    )
    label: Mapped[str] = mapped_column(
        String(200), comment="The verdict as the editor typed it, for display."
    )
    credibility: Mapped[int] = mapped_column(
        Integer, comment="The Admiralty credibility (1–6) that the verdict maps to."
    )
    note: Mapped[str] = mapped_column(
        Text, default="", comment="Why the verdict maps so (who decided, which fact-checker)."
    )

    __table_args__ = (
        CheckConstraint(check_in("credibility", CREDIBILITY), name="credibility"),
        CheckConstraint("length(verdict) > 0", name="verdict_not_empty"),
    )
