"""Who may use a view: each view declares the least role it needs.

Roles are ordered: viewer < analyst < editor < admin. Every view of the app is
decorated with `@requires(role)`; a test walks the URL map and fails on any view that
declares nothing, so no new route escapes the rule.

Until sign-in exists the workbench runs as one local analyst and the check allows all;
the accounts issue replaces `_check` with the real one.
"""

from collections.abc import Callable
from functools import wraps

ROLE_ORDER = ("viewer", "analyst", "editor", "admin")


def requires(role: str) -> Callable:
    """Declare that a view needs at least `role`, and check it before the view runs."""
    if role not in ROLE_ORDER:
        raise ValueError(f"unknown role {role!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            _check(role)
            return view(*args, **kwargs)

        checked.required_role = role
        return checked

    return decorate


def required_role(view: Callable) -> str | None:
    """Return the role a view declared, or None when it declared none."""
    return getattr(view, "required_role", None)


def _check(role: str) -> None:
    """Allow everything: the workbench has one local analyst until sign-in exists."""
