"""Settings, read from the environment with sensible defaults for one analyst's laptop."""

import os
import secrets
from pathlib import Path

DEFAULTS = {
    "PAGE_SIZE": 50,
    # The home page's row counts are counted again when older than this (counting a
    # million rows takes a noticeable fraction of a second); 0 counts on every visit.
    "TOTALS_SECONDS": 60,
    # The claims list's facet counts for one set of filters are counted again when older
    # than this (a sample of 2,000 claims counted six ways: tens of ms); 0: every visit.
    "FACETS_SECONDS": 60,
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "ORGANISATION": "Counterclaim",
    # The workbench's public address: our own ClaimReviews' url (claims' pages) in exports.
    "BASE_URL": None,
    "IMPORT_UPLOAD_MAX_BYTES": 32 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SQL_TIME_LIMIT": 5.0,
    "SQL_ROW_LIMIT": 1000,
    "SQL_CONCURRENCY": 2,
    "SQL_VALUE_MAX_BYTES": 4_000_000,
    "SQL_PAGE_MAX_BYTES": 4_000_000,
    "SQL_DOWNLOAD_MAX_BYTES": 100_000_000,
    "READONLY_DATABASE_URL": None,
    "SESSION_COOKIE_SECURE": None,  # None: Secure whenever the request came over HTTPS
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PROXY_FIX": False,
    "LOGIN_RATE_LIMIT": "10 per minute",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Heavy requests (SQL console runs and downloads, reports, exports): see web/heavy.py.
    "STREAM_TIME_LIMIT": 300.0,  # seconds any streamed response may take, client included
    "HEAVY_PER_USER": 2,  # heavy requests one user may have running at once
    "REPORT_CONCURRENCY": 2,  # reports built at once per process; the rest wait briefly
}

#: Limits on heavy requests, each read from COUNTERCLAIM_<name>: (name, type, minimum).
HEAVY_SETTINGS = (
    ("STREAM_TIME_LIMIT", float, 1.0),
    ("HEAVY_PER_USER", int, 1),
    ("REPORT_CONCURRENCY", int, 1),
)

#: Settings of the SQL console, each read from COUNTERCLAIM_<name> when it is set; the
#: console checks their values when it starts (services/research/sql_console.py).
CONSOLE_SETTINGS = (
    "SQL_TIME_LIMIT",
    "SQL_ROW_LIMIT",
    "SQL_CONCURRENCY",
    "SQL_VALUE_MAX_BYTES",
    "SQL_PAGE_MAX_BYTES",
    "SQL_DOWNLOAD_MAX_BYTES",
    "READONLY_DATABASE_URL",
)

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _flag(value: str | None) -> bool | None:
    """Read an on/off setting; None when unset or neither."""
    value = (value or "").strip().lower()
    return True if value in _TRUE else False if value in _FALSE else None


def instance_path() -> str:
    """Return the instance folder: COUNTERCLAIM_INSTANCE, else ./instance."""
    return str(Path(os.environ.get("COUNTERCLAIM_INSTANCE") or Path.cwd() / "instance").resolve())


def default_database_url(instance_path: str | Path) -> str:
    """Return the embedded default: a SQLite file in the instance folder."""
    return f"sqlite:///{Path(instance_path) / 'counterclaim.db'}"


def from_environment(instance_path: str | Path) -> dict:
    """Return the settings that the environment gives, over the defaults."""
    settings = dict(DEFAULTS)
    settings["DATABASE_URL"] = os.environ.get("DATABASE_URL") or default_database_url(instance_path)
    for name in CONSOLE_SETTINGS:
        if os.environ.get(f"COUNTERCLAIM_{name}"):
            settings[name] = os.environ[f"COUNTERCLAIM_{name}"]
    settings["ORGANISATION"] = os.environ.get("COUNTERCLAIM_ORGANISATION", DEFAULTS["ORGANISATION"])
    settings["BASE_URL"] = os.environ.get("COUNTERCLAIM_BASE_URL") or None
    if os.environ.get("COUNTERCLAIM_IMPORT_UPLOAD_MAX_BYTES", "").isdigit():
        settings["IMPORT_UPLOAD_MAX_BYTES"] = int(
            os.environ["COUNTERCLAIM_IMPORT_UPLOAD_MAX_BYTES"]
        )
    settings["SESSION_COOKIE_SECURE"] = _flag(os.environ.get("COUNTERCLAIM_SESSION_COOKIE_SECURE"))
    settings["PROXY_FIX"] = bool(_flag(os.environ.get("COUNTERCLAIM_PROXY_FIX")))
    for setting in ("LOGIN_RATE_LIMIT", "RATELIMIT_STORAGE_URI"):
        if os.environ.get(f"COUNTERCLAIM_{setting}"):
            settings[setting] = os.environ[f"COUNTERCLAIM_{setting}"]
    for name, _kind, _minimum in HEAVY_SETTINGS:
        if os.environ.get(f"COUNTERCLAIM_{name}"):
            settings[name] = os.environ[f"COUNTERCLAIM_{name}"]  # checked by web/heavy.py
    if os.environ.get("COUNTERCLAIM_SECRET_KEY"):
        settings["SECRET_KEY"] = os.environ["COUNTERCLAIM_SECRET_KEY"]
    return settings


def instance_secret_key(instance_path: str | Path) -> str:
    """Return the secret key kept in the instance folder, creating it on first use.

    Keeping it on disk (readable by the owner only) lets sessions and CSRF tokens
    survive restarts and be shared by several worker processes.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker wrote it first
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
