"""Users: the people who work in the database."""

import secrets

from sqlalchemy import Boolean, CheckConstraint, String, false
from sqlalchemy.orm import Mapped, mapped_column

from .base import NEVER_REUSE_IDS, SECRET, Base, Timestamped, intpk
from .vocabulary import ROLES, check_in, role_rank


def new_session_token() -> str:
    """Return a fresh, unguessable session token."""
    return secrets.token_hex(16)


class User(Timestamped, Base):
    """Someone who works in Counterclaim, with one role.

    It speaks the protocol of Flask-Login (`is_authenticated`, `is_active`,
    `is_anonymous`, `get_id`) without importing it. `get_id` carries the session token:
    a new token (sign-out, password change, disabling) makes every session cookie
    issued before it worthless.
    """

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
    session_token: Mapped[str] = mapped_column(
        String(64),
        default=new_session_token,
        sort_order=1,  # after the timestamps: the migration that added it appended it
        comment="Secret that signed-in sessions carry; replacing it ends them all.",
        info=SECRET,  # never shown: not in SQL, not in revisions
    )

    must_change_password: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        sort_order=1,
        comment="True while the password is a one-time one: the user must choose their own.",
    )

    __table_args__ = (CheckConstraint(check_in("role", ROLES), name="role"), NEVER_REUSE_IDS)

    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """Return the id a session stores: the user's id and current session token."""
        return f"{self.id}:{self.session_token}"

    def has_role(self, role: str) -> bool:
        """Tell whether the user's role is `role` or one above it."""
        return role_rank(self.role) >= role_rank(role)

    def end_sessions(self) -> None:
        """Invalidate every session signed in as this user."""
        self.session_token = new_session_token()

    def __str__(self) -> str:
        return self.display_name or self.username
