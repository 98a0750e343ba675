"""Who may use a view: each view declares the least role it needs.

Roles are ordered: viewer < analyst < editor < admin. Every view of the app is
decorated with `@requires(role)` (or `@requires(PUBLIC)`: the sign-in page); a test
walks the URL map and fails on any view that declares nothing, so no new route escapes
the rule. Someone not signed in is sent to the sign-in page, which brings them back;
someone signed in without the role gets 403. What an analyst created, only they and the
editors may change (`check_may_change`).
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from counterclaim.models.vocabulary import ROLE_ORDER
from counterclaim.services.accounts import policy

PUBLIC = "anyone"
# What someone signed in with a one-time password may do before choosing their own.
_WHILE_ONE_TIME = {"auth.account", "auth.logout"}
DECLARATIONS = (PUBLIC, *ROLE_ORDER)

__all__ = ["DECLARATIONS", "PUBLIC", "ROLE_ORDER", "requires", "required_role"]


def requires(role: str) -> Callable:
    """Declare that a view needs at least `role`, and check it before the view runs."""
    if role not in DECLARATIONS:
        raise ValueError(f"unknown role {role!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            refusal = _check(role)
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        checked.required_role = role
        return checked

    return decorate


def required_role(view: Callable) -> str | None:
    """Return the role a view declared, or None when it declared none."""
    return getattr(view, "required_role", None)


def _check(role: str):
    """Return the answer for a request that may not go on, or None when it may."""
    if role == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=_here()))
    if current_user.must_change_password and request.endpoint not in _WHILE_ONE_TIME:
        flash("You signed in with a one-time password: choose your own to go on.", "error")
        return redirect(url_for("auth.account", next=_here()))
    if not current_user.has_role(role):
        abort(403, description=f"This needs the {role} role; you are signed in as "
              f"{with_article(current_user.role)}.")  # fmt: skip
    return None


def with_article(word: str) -> str:
    """Put "a" or "an" before a role's name: an analyst, an editor, a viewer."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _here() -> str:
    """Return the path (and query) of this request, to come back to after signing in."""
    return request.full_path.rstrip("?") if request.query_string else request.path


def may_change(record) -> bool:
    """Tell whether the signed-in user may edit or remove `record` (for templates)."""
    return policy.may_change(current_user, record)


def check_may_change(record) -> None:
    """Answer 403 unless the signed-in user may edit or remove `record`."""
    if not policy.may_change(current_user, record):
        abort(403, description="Analysts change only what they created; ask an editor.")


def safe_next(target: str | None) -> str:
    """Return `target` if it is a path on this site, else the home page.

    Only a path that starts with one slash qualifies: `//host`, `/\\host` (which browsers
    read as `//host`), `https:x`, `javascript:` and anything with a scheme, a host, a
    backslash or a control character land on the home page.
    """
    home = url_for("main.index")
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return home
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return home
    return target
