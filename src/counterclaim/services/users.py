"""Users, as far as the workbench needs them before sign-in exists."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterclaim.models import User


def local_analyst(session: Session, username: str) -> User:
    """Return the workbench's local analyst, creating the account on first use."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name=username.title(), role="analyst")
        session.add(user)
        session.flush()
    return user
