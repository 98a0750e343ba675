"""Revisions: the audit trail of every create, update and delete."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, intpk, utcnow
from .user import User
from .vocabulary import REVISION_ACTIONS, check_in


class Revision(Base):
    """One change to one row: what changed, old and new, by whom and when."""

    __tablename__ = "revisions"

    id: Mapped[intpk]
    entity: Mapped[str] = mapped_column(String(50), comment="The changed row's table name.")
    entity_id: Mapped[int] = mapped_column(Integer, comment="The changed row's id.")
    action: Mapped[str] = mapped_column(
        String(10), comment="What happened: " + ", ".join(REVISION_ACTIONS) + "."
    )
    changes: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, comment="The changed fields as {field: [old, new]}."
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, comment="Who made the change."
    )
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, comment="When the change was made (UTC)."
    )

    user: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(check_in("action", REVISION_ACTIONS), name="action"),
        Index("ix_revisions_entity_entity_id", "entity", "entity_id", "id"),
    )
