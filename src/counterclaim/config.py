"""Settings, read from the environment with sensible defaults for one analyst's laptop."""

import os
import secrets
from pathlib import Path

DEFAULTS = {
    "PAGE_SIZE": 50,
    # The home page's row counts are counted again when older than this (counting a
    # million rows takes a noticeable fraction of a second); 0 counts on every visit.
    "TOTALS_SECONDS": 60,
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "LOCAL_USER": "analyst",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
}


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
    settings["LOCAL_USER"] = os.environ.get("COUNTERCLAIM_LOCAL_USER", DEFAULTS["LOCAL_USER"])
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
