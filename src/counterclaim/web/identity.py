"""Who is working: until sign-in exists, the workbench's single local analyst."""

from flask import current_app, g

from counterclaim.models import User
from counterclaim.services.users import local_analyst

from .database import get_session


def current_analyst() -> User:
    """Return the analyst making this request."""
    if "analyst" not in g:
        g.analyst = local_analyst(get_session(), current_app.config["LOCAL_USER"])
    return g.analyst
