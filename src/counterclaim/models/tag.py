"""Tags: topics, places, events and operations that claims are filed under."""

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import NEVER_REUSE_IDS, Base, Timestamped, intpk
from .vocabulary import TAG_KIND, check_in


class Tag(Timestamped, Base):
    """A topic, place, event or operation."""

    __tablename__ = "tags"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100), unique=True, comment="The tag; unique.")
    kind: Mapped[str] = mapped_column(
        String(20), default="topic", comment="What the tag names: " + ", ".join(TAG_KIND) + "."
    )
    description: Mapped[str] = mapped_column(Text, default="", comment="What the tag covers.")

    __table_args__ = (CheckConstraint(check_in("kind", TAG_KIND), name="kind"), NEVER_REUSE_IDS)

    def __str__(self) -> str:
        return self.name


class ClaimTag(Base):
    """A claim filed under a tag."""

    __tablename__ = "claim_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), comment="The tagged claim."
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), comment="The tag."
    )

    # (tag_id, claim_id): a tag's claims come from the index alone (migration 0014).
    __table_args__ = (
        UniqueConstraint("claim_id", "tag_id"),
        Index("ix_claim_tags_tag_id_claim_id", "tag_id", "claim_id"),
    )
