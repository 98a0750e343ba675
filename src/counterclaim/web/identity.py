"""Who is working: the signed-in user (Flask-Login's current user)."""

from flask_login import current_user

from counterclaim.models import User


def current_analyst() -> User:
    """Return the user making this request (views that call it require a role)."""
    return current_user._get_current_object()
