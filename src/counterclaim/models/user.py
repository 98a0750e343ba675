"""Users: the people who work in the database."""

from sqlalchemy import Boolean, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import SECRET, Base, Timestamped, intpk
from .vocabulary import ROLES, check_in


class User(Timestamped, Base):
    """Someone who works in Counterclaim, with one role."""

    __tablename__ = "users"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(80), unique=True, comment="Login name; unique.")
    display_name: Mapped[str] = mapped_column(
        String(200), default="", comment="The name shown beside the user's work."
    )
    password_hash: Mapped[str | None] = mapped_column(
        String(300),
        comment="Password hash (never the password); secret, hidden from SQL.",
        info=SECRET,
    )
    role: Mapped[str] = mapped_column(
        String(10), default="analyst", comment="What the user may do: " + ", ".join(ROLES) + "."
    )
    is_active: Mapped[bool] = mapped_column(
        Boolean, default=True, comment="False when the account is disabled."
    )

    __table_args__ = (CheckConstraint(check_in("role", ROLES), name="role"),)

    def __str__(self) -> str:
        return self.display_name or self.username
