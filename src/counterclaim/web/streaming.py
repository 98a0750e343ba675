"""A wall-clock limit on every streamed response, time blocked on the client included.

A streamed body (report and console downloads, exports) is wrapped in a generator that
checks the clock before it asks for each piece: when STREAM_TIME_LIMIT has passed since
the response started, it stops and ends the transfer unfinished (an exception, so that
the client sees a broken download, never a file that looks complete).

That check runs only when the server asks for the next piece. A server writing to a
client that stopped reading may block in that write for ever (waitress does, once its
output buffer passes `outbuf_high_watermark`), holding a worker thread and every slot
the request took. So each stream is also registered with a watchdog thread, which shuts
the client's socket down a second after the deadline if the stream is still running:
the server's write then fails, the body is closed, and its slots are released. Under
waitress the socket comes from the channel behind `environ["waitress.client_disconnected"]`;
under another server without it, that server's own send timeout applies (gunicorn's
`--timeout`).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator

from flask import Flask, current_app, request

log = logging.getLogger(__name__)
GRACE = 1.0  # seconds after the deadline before the watchdog shuts a blocked socket


class StreamTimeLimit(RuntimeError):
    """A streamed response ran past STREAM_TIME_LIMIT and was stopped."""


def init_app(app: Flask) -> None:
    app.after_request(_limit_stream)


def _limit_stream(response):
    if not response.is_streamed or response.direct_passthrough:
        return response  # a body in memory, or a file the server sends by itself
    limit = float(current_app.config["STREAM_TIME_LIMIT"])
    abort = socket_closer(request.environ)
    response.response = time_limited(response.response, limit, abort=abort, what=request.path)
    return response


def time_limited(
    chunks: Iterable,
    limit: float,
    *,
    abort: Callable[[], None] | None = None,
    what: str = "response",
    clock: Callable[[], float] = time.monotonic,
) -> Iterator:
    """Yield `chunks` until `limit` seconds have passed since the first was asked for.

    The time the consumer spends between two pieces (a server writing to a slow client)
    counts. Past the limit, raise StreamTimeLimit; `abort`, if given, is called by the
    watchdog when the stream is still running a second after the deadline.
    """
    deadline = clock() + limit
    guard = WATCHDOG.watch(time.monotonic() + limit + GRACE, abort) if abort else None
    iterator = iter(chunks)
    try:
        while True:
            if clock() > deadline:
                log.warning("stopped streaming %s at the %g s time limit", what, limit)
                raise StreamTimeLimit(f"{what} passed the {limit:g} s time limit")
            try:
                chunk = next(iterator)
            except StopIteration:
                return
            yield chunk
    finally:
        if guard is not None:
            guard.cancel()
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def socket_closer(environ: dict) -> Callable[[], None] | None:
    """Return a function that shuts the request's client socket down, if it can be found."""
    probe = environ.get("waitress.client_disconnected")
    sock = getattr(getattr(probe, "__self__", None), "socket", None)
    if not isinstance(sock, socket.socket):
        return None

    def shut() -> None:
        log.warning("shutting down a client socket blocked past the stream time limit")
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)

    return shut


class _Guard:
    __slots__ = ("action", "cancelled")

    def __init__(self, action: Callable[[], None]):
        self.action, self.cancelled = action, False

    def cancel(self) -> None:
        self.cancelled = True


class Watchdog:
    """One daemon thread that runs each registered action at its time unless cancelled."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Guard]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, at: float, action: Callable[[], None]) -> _Guard:
        """Run `action` at monotonic time `at`, unless the returned guard is cancelled."""
        guard = _Guard(action)
        with self._wake:
            heapq.heappush(self._heap, (at, next(self._order), guard))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="stream-watchdog")
                self._thread.daemon = True
                self._thread.start()
            self._wake.notify()
        return guard

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].cancelled:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                at, _, guard = self._heap[0]
                wait = at - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._heap)
            if not guard.cancelled:
                try:
                    guard.action()
                except Exception:  # noqa: BLE001 - the watchdog must outlive any action
                    log.exception("stream watchdog action failed")


WATCHDOG = Watchdog()
