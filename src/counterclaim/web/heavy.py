"""Limits on heavy requests: SQL console runs and downloads, reports, exports.

Two limits, checked before the view runs and held until its response is sent (to the
end of a streamed body):

- per user, at most HEAVY_PER_USER heavy requests at once; the next one gets 429 with
  Retry-After. The count lives in the shared rate-limit storage when
  RATELIMIT_STORAGE_URI is `redis://…` (a counter per user with an expiry, so that a
  worker killed mid-request cannot hold a slot for ever), so that it holds across
  gunicorn workers; otherwise, and if Redis cannot be reached, in the process.
- per process, at most REPORT_CONCURRENCY reports are built at once; the next one waits
  up to REPORT_WAIT seconds for a turn, then gets 503 with Retry-After.

A streamed body also ends at STREAM_TIME_LIMIT (web/streaming.py), so that neither limit
can be held for ever by a client that stops reading.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import wraps

from flask import Flask, current_app, make_response, render_template

from counterclaim import config

from .identity import current_analyst

log = logging.getLogger(__name__)
_EXTENSION = "counterclaim.heavy"
REPORT_WAIT = 3.0  # seconds a report waits for a turn before the 503
RETRY_AFTER = {429: 10, 503: 10}


class Busy(Exception):
    """A heavy request refused for now: 429 (this user's limit) or 503 (everyone's)."""

    def __init__(self, status: int, title: str, message: str):
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def init_app(app: Flask) -> None:
    """Check the heavy-request settings and make the app's counters."""
    for name, kind, minimum in config.HEAVY_SETTINGS:
        raw = app.config[name]
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or value < minimum or value != value:
            raise ValueError(
                f"COUNTERCLAIM_{name} must be a {'whole ' if kind is int else ''}number "
                f"of at least {minimum:g}, not {raw!r}."
            )
        app.config[name] = value
    ttl = int(app.config["STREAM_TIME_LIMIT"]) + 60
    app.extensions[_EXTENSION] = Limits(
        per_user=_counter(app.config.get("RATELIMIT_STORAGE_URI") or "", ttl),
        reports=threading.BoundedSemaphore(app.config["REPORT_CONCURRENCY"]),
    )
    app.register_error_handler(Busy, _busy)


class Limits:
    def __init__(self, per_user, reports: threading.BoundedSemaphore):
        self.per_user, self.reports = per_user, reports


def heavy(*, report: bool = False, when: Callable[[], bool] | None = None) -> Callable:
    """Count the view as a heavy request (and as a report build when `report`).

    `when`, if given, says whether this request is heavy (a console page that runs no
    query is not). Put it under `@requires(...)`, so that refusals come first.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def limited(*args, **kwargs):
            if when is not None and not when():
                return view(*args, **kwargs)
            release = _enter(report)
            try:
                response = make_response(view(*args, **kwargs))
            except BaseException:
                release()
                raise
            if response.is_streamed and not response.direct_passthrough:
                response.call_on_close(release)  # when the server closes the body
            else:
                release()
            return response

        return limited

    return decorate


def _enter(report: bool) -> Callable[[], None]:
    """Take the current user's heavy slot (and a report turn); return the release."""
    limits: Limits = current_app.extensions[_EXTENSION]
    per_user = current_app.config["HEAVY_PER_USER"]
    key = f"counterclaim:heavy:user:{current_analyst().id}"
    if not limits.per_user.enter(key, per_user):
        raise Busy(
            429,
            "Too many heavy requests",
            f"You already have {per_user} heavy request{'s' if per_user != 1 else ''} "
            "running (SQL queries, reports or downloads). Wait for one to finish, or "
            "cancel a download you left open, then try again.",
        )
    if report and not limits.reports.acquire(timeout=REPORT_WAIT):
        limits.per_user.leave(key)
        raise Busy(
            503,
            "Reports are busy",
            f"{current_app.config['REPORT_CONCURRENCY']} reports are being made right now."
            " Try again in a few seconds; a narrower scope is quicker.",
        )
    released = threading.Lock()

    def release() -> None:
        if released.acquire(blocking=False):  # once, however many times it is called
            if report:
                limits.reports.release()
            limits.per_user.leave(key)

    return release


def _busy(error: Busy):
    body = render_template("errors/busy.html", error=error)
    return body, error.status, {"Retry-After": str(RETRY_AFTER[error.status])}


def _counter(storage_uri: str, ttl: int):
    if storage_uri.startswith(("redis://", "rediss://")):
        return RedisCounter(storage_uri, ttl)
    return LocalCounter()


class LocalCounter:
    """Counts held in this process."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def enter(self, key: str, limit: int) -> bool:
        with self._lock:
            if self._counts.get(key, 0) >= limit:
                return False
            self._counts[key] = self._counts.get(key, 0) + 1
            return True

    def leave(self, key: str) -> None:
        with self._lock:
            left = self._counts.get(key, 0) - 1
            if left > 0:
                self._counts[key] = left
            else:
                self._counts.pop(key, None)


# Take a slot if fewer than the limit are held; refresh the expiry either way.
_ENTER = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""
# Give one back, never below zero (the key may have expired meanwhile).
_LEAVE = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 1
"""


class RedisCounter:
    """Counts in Redis, shared by every worker; falls back to this process's counts."""

    def __init__(self, url: str, ttl: int) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._enter = self._redis.register_script(_ENTER)
        self._leave = self._redis.register_script(_LEAVE)
        self._ttl = ttl
        self._fallback = LocalCounter()
        self._local_keys: set[str] = set()

    def enter(self, key: str, limit: int) -> bool:
        try:
            return bool(self._enter(keys=[key], args=[limit, self._ttl]))
        except Exception as error:  # noqa: BLE001 - Redis down: keep a per-process limit
            log.warning("heavy-request counts kept in this process: %s", error)
            if self._fallback.enter(key, limit):
                self._local_keys.add(key)
                return True
            return False

    def leave(self, key: str) -> None:
        if key in self._local_keys:
            self._fallback.leave(key)
            if not self._fallback._counts.get(key):
                self._local_keys.discard(key)
            return
        try:
            self._leave(keys=[key])
        except Exception as error:  # noqa: BLE001 - the expiry clears it
            log.warning("could not release a heavy-request count: %s", error)
