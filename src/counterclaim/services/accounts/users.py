"""Users: accounts, passwords (argon2id) and roles.

Passwords are hashed with argon2id (argon2-cffi's defaults, rehashed when they change).
Changing a password or disabling an account replaces the user's session token, which
ends every session signed in before.
"""

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from counterclaim.models import User
from counterclaim.models.vocabulary import ROLES

from ..errors import Duplicate, NotAllowed

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # hashing a megabyte "password" is a denial of service
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")

_hasher = PasswordHasher()
# Verified when the username is unknown, so that a wrong username costs the time a wrong
# password costs and the answer's delay does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def check_password(password: str) -> str:
    """Return `password` if it is long enough (and not absurdly long), else refuse it."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise NotAllowed(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise NotAllowed(f"A password has at most {MAX_PASSWORD_LENGTH} characters.")
    return password


def check_username(username: str) -> str:
    """Return `username` normalised (lower case) if it is a valid login name."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise NotAllowed(
            "A username is 1–80 lower-case letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit."
        )
    return username


def check_role(role: str) -> str:
    """Return `role` if it is one of the roles, else refuse it."""
    if role not in ROLES:
        raise NotAllowed(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    return role


def find_user(session: Session, username: str) -> User | None:
    """Return the user with `username` (any case), or None."""
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def create_user(
    session: Session, username: str, password: str | None, *, role: str, display_name: str = ""
) -> User:
    """Add an account; without a password it cannot sign in until one is set."""
    username = check_username(username)
    if find_user(session, username) is not None:
        raise Duplicate(f"There is already a user {username!r}.")
    user = User(
        username=username,
        display_name=(display_name or "").strip(),  # None: a form posted without the field
        role=check_role(role),
        password_hash=_hasher.hash(check_password(password)) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Give `user` a new password and end every session signed in with the old one."""
    user.password_hash = _hasher.hash(check_password(password))
    user.must_change_password = False
    user.end_sessions()
    session.flush()


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active user whose username and password these are, else None."""
    user = find_user(session, username) if len(password) <= MAX_PASSWORD_LENGTH else None
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.flush()
    return user


def end_sessions(session: Session, user: User) -> None:
    """Sign `user` out everywhere."""
    user.end_sessions()
    session.flush()


def update_user(
    session: Session,
    user: User,
    *,
    by: User | None,
    role: str | None = None,
    display_name: str | None = None,
    is_active: bool | None = None,
) -> User:
    """Change a user's role, name or state; disabling (or a new role) ends their sessions."""
    if by is not None and by.id == user.id and (is_active is False or role not in (None, "admin")):
        raise NotAllowed("You cannot disable your own account or take away your own admin role.")
    if role is not None and role != user.role:
        user.role = check_role(role)
        user.end_sessions()
    if display_name is not None:
        user.display_name = display_name.strip()
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        user.end_sessions()
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    """Return every user, by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def ensure_first_admin(
    session: Session, username: str = "admin", password: str | None = None
) -> tuple[User, str] | None:
    """Create the first administrator when there is none; return it and its password.

    Without `password` a random one is made: the caller shows it once, and it is good
    for one sign-in only, which must choose a new password. When an admin exists
    (active or not), nothing is done and None is returned.
    """
    if session.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None:
        return None
    one_time = not password
    password = password or secrets.token_urlsafe(15)
    if find_user(session, username) is not None:
        raise Duplicate(
            f"There is no administrator and the username {username!r} is taken: "
            "use `counterclaim user add NAME --role admin`."
        )
    admin = create_user(session, username, password, role="admin", display_name="Administrator")
    admin.must_change_password = one_time
    session.flush()
    return admin, password
