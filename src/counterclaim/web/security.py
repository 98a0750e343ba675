"""Hardening that holds for every response: security headers, the session cookie's flags,
the sign-in rate limiter, and the client address behind a proxy.

The headers are added by a WSGI middleware around the whole app, so that every
response carries them: pages, error pages, and a 500 that Flask itself could not render
(the middleware answers a bare 500 of its own, with the headers, when the app raises).
"""

import logging

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

log = logging.getLogger(__name__)
limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask) -> None:
    app.wsgi_app = SecurityHeaders(app.wsgi_app)
    if app.config.get("PROXY_FIX"):
        # Behind one reverse proxy: trust its X-Forwarded-For and -Proto, so the rate
        # limit counts clients (not the proxy) and HTTPS is seen for the cookie flag.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    app.session_interface = _SessionCookie()
    limiter.init_app(app)


def login_rate_limit() -> str:
    """Return the sign-in rate limit of the running app (a Flask-Limiter string)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


class SecurityHeaders:
    """WSGI middleware: add the security headers a response lacks, whoever made it."""

    FALLBACK = (
        b"<!doctype html><title>500 Internal Server Error</title>"
        b"<h1>500 Internal Server Error</h1><p>Something went wrong; it has been logged.</p>"
    )

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        secure = environ.get("wsgi.url_scheme") == "https"
        started = []

        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            extra = [(n, v) for n, v in HEADERS.items() if n.lower() not in present]
            if secure and "strict-transport-security" not in present:
                extra.append(("Strict-Transport-Security", "max-age=31536000"))
            started.append(status)
            return start_response(status, [*headers, *extra], exc_info)

        try:
            return self.wsgi_app(environ, start)
        except Exception:
            if started:
                raise  # the status line is out: nothing else can be said
            log.exception("The app raised out of WSGI")
            start("500 Internal Server Error",
                  [("Content-Type", "text/html; charset=utf-8"),
                   ("Content-Length", str(len(self.FALLBACK)))])  # fmt: skip
            return [self.FALLBACK]


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
