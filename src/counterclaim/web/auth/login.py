"""Flask-Login set-up: a session remembers the user's id *and* session token.

`User.get_id()` is "id:token". The loader accepts a session only while the token is the
user's current one and the account is active, so signing out, changing the password or
disabling the account (each of which replaces the token) ends every session issued
before, including cookies copied elsewhere.
"""

import hmac

from flask import Flask
from flask_login import AnonymousUserMixin, LoginManager

from counterclaim.models import User
from counterclaim.models.audit import USER_KEY

from ..database import get_session

login_manager = LoginManager()


class Anonymous(AnonymousUserMixin):
    """Someone not signed in: no role."""

    role = None
    id = None
    must_change_password = False

    def has_role(self, _role: str) -> bool:
        return False


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.anonymous_user = Anonymous
    login_manager.login_view = "auth.login"
    login_manager.user_loader(load_user)


def load_user(session_id: str) -> User | None:
    """Return the active user a session's "id:token" names, or None."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    session = get_session()
    user = session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    session.info[USER_KEY] = user.id  # the audit trail records who acts
    return user
