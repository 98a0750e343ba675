"""Report snapshots: what a saved report showed, to tell later what changed since."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, intpk, utcnow
from .user import User


class ReportSnapshot(Base):
    """A report as it was when an editor saved it: its scope and its JSON."""

    __tablename__ = "report_snapshots"

    id: Mapped[intpk]
    scope: Mapped[str] = mapped_column(
        String(2000), comment="The report's scope as a query string (topic=...&actor=...)."
    )
    taken_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, comment="When the snapshot was saved (UTC)."
    )
    taken_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"),
        index=True,
        comment="Who saved it (null: the command line without a user, or a removed user).",
    )
    content: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, comment="The report as JSON, as `counterclaim report --format json`."
    )

    taker: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_report_snapshots_taken_at_id", "taken_at", "id"),
        {"sqlite_autoincrement": True},
    )
