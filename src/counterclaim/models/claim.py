"""Claims, their appearances in sources, and the typed links between them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .actor import Actor
from .base import NEVER_REUSE_IDS, Base, CreatedBy, Timestamped, Versioned, intpk
from .source import Source
from .tag import Tag
from .vocabulary import CLAIM_STATUS, RELATIONS, STANCE, STRENGTH, SYMMETRIC_RELATIONS, check_in


class Claim(Timestamped, CreatedBy, Base):
    """One assertion, made by one claimant."""

    __tablename__ = "claims"

    id: Mapped[intpk]
    text: Mapped[str] = mapped_column(
        Text, comment="The assertion, verbatim or as a faithful paraphrase."
    )
    is_verbatim: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="True when `text` quotes the claimant's exact words."
    )
    claimant_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="RESTRICT"), comment="The actor who made the claim."
    )
    stated_on: Mapped[date | None] = mapped_column(
        Date, comment="When the claimant made the claim, if known."
    )
    status: Mapped[str] = mapped_column(
        String(20),
        default="open",
        comment="Workflow state: " + ", ".join(CLAIM_STATUS) + ".",
    )
    external_id: Mapped[str | None] = mapped_column(
        String(500),
        unique=True,
        index=True,  # a unique index: added without rebuilding the table on SQLite
        sort_order=10,  # added by a later migration: the table's last column
        comment="The claim's id in the system it was imported from (a ClaimReview URL "
        "or another team's id); unique when set.",
    )
    version: Mapped[int] = mapped_column(
        Integer, default=1, comment="Optimistic-locking counter, raised on every save."
    )

    claimant: Mapped[Actor] = relationship()
    appearances: Mapped[list[ClaimSource]] = relationship(
        back_populates="claim", cascade="all, delete-orphan"
    )
    tags: Mapped[list[Tag]] = relationship(secondary="claim_tags", order_by="Tag.name")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(check_in("status", CLAIM_STATUS), name="status"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        Index("ix_claims_claimant_id_id", "claimant_id", "id"),
        Index("ix_claims_status_id", "status", "id"),
        Index("ix_claims_claimant_id_stated_on_id", "claimant_id", "stated_on", "id"),
        Index("ix_claims_status_stated_on_id", "status", "stated_on", "id"),
        Index("ix_claims_stated_on_id", "stated_on", "id"),
        Index("ix_claims_updated_at_id", "updated_at", "id"),
        NEVER_REUSE_IDS,
    )

    def __str__(self) -> str:
        return self.text


class ClaimSource(Timestamped, CreatedBy, Versioned, Base):
    """A claim's appearance in a source: the exact excerpt, where it is, and the stance."""

    __tablename__ = "claim_sources"

    id: Mapped[intpk]
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), comment="The claim that appears."
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"),
        index=True,
        comment="The source it appears in.",
    )
    excerpt: Mapped[str] = mapped_column(
        Text, comment="The passage of the source that carries the claim, quoted exactly."
    )
    locator: Mapped[str] = mapped_column(
        String(100), default="", comment="Where in the source: page, paragraph or timestamp."
    )
    stance: Mapped[str] = mapped_column(
        String(20),
        default="neutral",
        comment="The source's stance toward the claim: " + ", ".join(STANCE) + ".",
    )

    claim: Mapped[Claim] = relationship(back_populates="appearances")
    source: Mapped[Source] = relationship()

    __table_args__ = (
        UniqueConstraint("claim_id", "source_id", "locator"),
        CheckConstraint(check_in("stance", STANCE), name="stance"),
        CheckConstraint("length(excerpt) > 0", name="excerpt_not_empty"),
        NEVER_REUSE_IDS,
    )


class ClaimLink(Timestamped, CreatedBy, Versioned, Base):
    """A typed relation from one claim to another: the cross-reference.

    Symmetric relations are stored once, with the lower claim id first.
    """

    __tablename__ = "claim_links"

    id: Mapped[intpk]
    from_claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="RESTRICT"),
        comment="The claim the relation starts from (the lower id for symmetric relations).",
    )
    to_claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="RESTRICT"),
        index=True,
        comment="The claim the relation points to.",
    )
    relation: Mapped[str] = mapped_column(
        String(20), comment="How the claims relate: " + ", ".join(RELATIONS) + "."
    )
    strength: Mapped[str] = mapped_column(
        String(10),
        default="moderate",
        comment="How strong the relation is: weak, moderate, strong.",
    )
    rationale: Mapped[str] = mapped_column(
        Text, default="", comment="Why the analyst linked the claims."
    )

    from_claim: Mapped[Claim] = relationship(foreign_keys=[from_claim_id])
    to_claim: Mapped[Claim] = relationship(foreign_keys=[to_claim_id])

    __table_args__ = (
        UniqueConstraint("from_claim_id", "to_claim_id", "relation"),
        CheckConstraint(check_in("relation", RELATIONS), name="relation"),
        CheckConstraint(check_in("strength", STRENGTH), name="strength"),
        CheckConstraint("from_claim_id <> to_claim_id", name="not_self"),
        CheckConstraint(
            f"NOT ({check_in('relation', dict.fromkeys(SYMMETRIC_RELATIONS))})"
            " OR from_claim_id < to_claim_id",
            name="symmetric_ordered",
        ),
        NEVER_REUSE_IDS,
    )

    @property
    def is_symmetric(self) -> bool:
        return self.relation in SYMMETRIC_RELATIONS
