"""Reviews: a fact-checker's published verdict on a claim, kept apart from analysts' ratings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .actor import Actor
from .base import NEVER_REUSE_IDS, Base, Timestamped, intpk
from .claim import Claim
from .vocabulary import CREDIBILITY, check_in

#: Where a review's credibility came from: the team's mapping, a built-in default, a
#: verdict word found inside a longer rating, or nothing (6, "cannot be judged").
MAPPING_ORIGINS = ("team", "default", "inferred", "unmapped")


class Review(Timestamped, Base):
    """One fact-checker's review of one claim: their article, their verdict verbatim."""

    __tablename__ = "reviews"

    id: Mapped[intpk]
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="RESTRICT"), comment="The reviewed claim."
    )
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="RESTRICT"),
        index=True,
        comment="Who published the review: the fact-checking organisation (an actor).",
    )
    url: Mapped[str] = mapped_column(
        String(2000), default="", comment="The fact-check article's address ('' if none)."
    )
    title: Mapped[str] = mapped_column(
        String(300), default="", comment="The fact-check article's title, as published."
    )
    review_date: Mapped[date | None] = mapped_column(
        Date, comment="When the fact-checker published the review, if known."
    )
    verdict: Mapped[str] = mapped_column(
        Text, default="", comment="The fact-checker's verdict, verbatim (textualRating)."
    )
    rating: Mapped[str] = mapped_column(
        String(100),
        default="",
        comment="The numeric rating as published: 'value/best/worst' ('' if none).",
    )
    language: Mapped[str] = mapped_column(
        String(20), default="", comment="The review's language code (en, ar…), if given."
    )
    credibility: Mapped[int] = mapped_column(
        Integer,
        comment="The verdict mapped to Admiralty credibility, 1 (confirmed) to 6 (cannot be "
        "judged); re-mapped by `counterclaim verdicts reapply`.",
    )
    mapping_origin: Mapped[str] = mapped_column(
        String(10),
        comment="Where the credibility came from: team (the team's mapping), default "
        "(built in), inferred (a verdict word in a longer rating) or unmapped.",
    )

    claim: Mapped[Claim] = relationship()
    reviewer: Mapped[Actor] = relationship()

    __table_args__ = (
        CheckConstraint(check_in("credibility", CREDIBILITY), name="credibility"),
        CheckConstraint(
            check_in("mapping_origin", dict.fromkeys(MAPPING_ORIGINS)), name="mapping_origin"
        ),  # fmt: skip
        Index("ix_reviews_claim_id_reviewer_id", "claim_id", "reviewer_id"),
        NEVER_REUSE_IDS,
    )
