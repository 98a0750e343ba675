"""The declarative base, shared column shapes and the constraint naming convention."""

from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


#: Column `info` of a secret column (a password hash, a token): never readable from the
#: SQL console, on either engine, nor granted to the read-only role.
SECRET = {"secret": True}

#: The last item of an audited table's `__table_args__`: on SQLite, AUTOINCREMENT, so an
#: id is never handed out again after its row is deleted (revisions and shared links name
#: ids). PostgreSQL's identity sequences never go back by themselves.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}
#: The largest integer both engines store (PostgreSQL BIGINT, SQLite INTEGER): any id or
#: number from outside is checked against it before it reaches a statement.
MAX_INT = 2**63 - 1

intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
str200 = Annotated[str, mapped_column(String(200))]
text = Annotated[str, mapped_column(Text, default="")]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def secret_columns(metadata: MetaData) -> frozenset[tuple[str, str]]:
    """Return the (table, column) pairs of `metadata` marked SECRET."""
    return frozenset(
        (table.name, column.name)
        for table in metadata.tables.values()
        for column in table.columns
        if column.info.get("secret")
    )


class Timestamped:
    """Adds `created_at` and `updated_at`, both in UTC."""

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, comment="When the row was created (UTC)."
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        default=utcnow,
        onupdate=utcnow,
        comment="When the row was last changed (UTC).",
    )


class CreatedBy:
    """Adds `created_by`: the user who created the row, which decides who may edit it.

    The audit trail's flush listener fills it from the acting user of the session
    (`session.info["user_id"]`), so no form or service ever takes it as input.
    """

    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"),
        index=True,
        comment="The user who created the row (null: loaded, imported or a removed user).",
    )


class Versioned:
    """Adds `version`, raised on every save, so that a stale edit is caught (optimistic
    locking) and merged with the newer one (services/claims/editing.py)."""

    version: Mapped[int] = mapped_column(
        Integer,
        default=1,
        server_default="1",
        sort_order=20,  # added by migration 0011: the table's last column
        comment="Optimistic-locking counter, raised on every save.",
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}
