"""Hardening that holds for every response: security headers, the session cookie's flags,
the sign-in rate limiter, and the client address behind a proxy.

The headers are added in `after_request`, which Flask runs for error pages too.
"""

from flask import Flask, current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline script or style anywhere (templates and static JS only), no framing, no
# plugins, forms post only here. `data:` images are the empty favicon.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask) -> None:
    if app.config.get("PROXY_FIX"):
        # Behind one reverse proxy: trust its X-Forwarded-For and -Proto, so the rate
        # limit counts clients (not the proxy) and HTTPS is seen for the cookie flag.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    app.session_interface = _SessionCookie()
    limiter.init_app(app)
    app.after_request(_add_headers)


def login_rate_limit() -> str:
    """Return the sign-in rate limit of the running app (a Flask-Limiter string)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def _add_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


class _SessionCookie(SecureCookieSessionInterface):
    """Flask's signed cookie, Secure whenever the request came over HTTPS.

    SESSION_COOKIE_SECURE True or False forces the flag; None (the default) follows
    the request's scheme.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = app.config.get("SESSION_COOKIE_SECURE")
        if configured is None:
            return has_request_context() and request.is_secure
        return bool(configured)
