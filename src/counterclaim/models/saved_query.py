"""Saved queries: named research SQL."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import NEVER_REUSE_IDS, Base, Timestamped, intpk


class SavedQuery(Timestamped, Base):
    """A named, described SQL query that researchers run again."""

    __tablename__ = "saved_queries"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200), unique=True, comment="The query's name; unique.")
    sql: Mapped[str] = mapped_column(Text, comment="The SELECT statement, with :named parameters.")
    description: Mapped[str] = mapped_column(Text, default="", comment="What the query answers.")

    __table_args__ = (NEVER_REUSE_IDS,)
