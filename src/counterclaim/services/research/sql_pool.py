"""The console's worker processes: started, reused, killed; their results read in budget.

Each console query runs in a worker (services/research/sql_worker.py), a child process whose address
space is capped. The server reads its frames here and is never at its mercy:

- time: the server waits for a worker at most `time_limit + GRACE` seconds in all (time
  a slow client keeps the server from reading is not counted), then kills it. The worker
  stops itself at the limit where SQLite's progress handler or PostgreSQL's
  statement_timeout can; the kill covers the rest (one long C call);
- memory: every cell's size is read before the cell, and a row is refused before it would
  take the page (or the download) past its byte budget; the worker itself refuses any
  value over the value cap and cannot grow past its own address-space cap.

A worker that ended its answer cleanly is kept for the next query (at most `size` idle);
one that was killed or cut short is not.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import struct
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from . import sql_worker

#: Seconds past the time limit after which the server kills a worker that has not answered.
GRACE = 0.5
#: How long a new worker may take to start (import its driver) before it is given up.
START_TIMEOUT = 20.0

_WORKER = str(Path(sql_worker.__file__).resolve())
_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")
_I64 = struct.Struct(">q")
_F64 = struct.Struct(">d")


@dataclass(frozen=True)
class Blob:
    """A blob on a page: its size and first bytes, never the whole of it."""

    size: int
    prefix: bytes

    def __str__(self) -> str:
        more = "…" if self.size > len(self.prefix) else ""
        return f"blob, {self.size:,} bytes: {self.prefix.hex()}{more}"


class WorkerTimedOut(Exception):
    """The worker did not answer within the time it had; it was killed."""


class WorkerDied(Exception):
    """The worker ended without answering (killed by the kernel at its memory cap)."""


class OverBudget(Exception):
    """The next row would take the result past its byte budget."""


class WorkerError(Exception):
    """The worker reported an error: `details` holds its kind, message and more."""

    def __init__(self, details: dict) -> None:
        super().__init__(details.get("message", ""))
        self.details = details


class Worker:
    """One worker process and the frames it sends."""

    def __init__(self, engine: str, memory_max: int) -> None:
        self.engine = engine
        self.process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [sys.executable, "-I", _WORKER, str(memory_max), engine],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
            start_new_session=True,
        )
        self._fd = self.process.stdout.fileno()
        self._poll = select.poll()
        self._poll.register(self._fd, select.POLLIN)
        self._buffer = bytearray()
        self.wait_left = START_TIMEOUT
        self.waited = 0.0
        if self.read(1) != b"!":
            self.kill()
            raise WorkerDied("the worker did not start")

    def ask(self, request: dict, seconds: float) -> None:
        """Send one request; its answer must come within `seconds` of waiting."""
        self.wait_left = seconds
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()

    def read(self, size: int) -> bytes:
        """Return the next `size` bytes the worker sends, waiting within its time."""
        while len(self._buffer) < size:
            started = time.monotonic()
            # poll, not select: a busy server's descriptors may number past FD_SETSIZE.
            ready = self._poll.poll(max(self.wait_left, 0) * 1000)
            waited = time.monotonic() - started
            self.wait_left -= waited
            self.waited += waited
            if not ready:
                self.kill()
                raise WorkerTimedOut
            chunk = os.read(self._fd, max(size - len(self._buffer), 1 << 16))
            if not chunk:
                self.kill()
                raise WorkerDied
            self._buffer += chunk
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def read_json(self) -> object:
        (length,) = _U32.unpack(self.read(4))
        return json.loads(self.read(length))

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Stop the worker at once (SIGKILL) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()


class WorkerPool:
    """Idle workers kept for the next queries (at most `size`), per engine."""

    def __init__(self, engine: str, memory_max: int, size: int) -> None:
        self.engine = engine
        self.memory_max = memory_max
        self.size = size
        self._idle: list[Worker] = []
        self._closed = False
        self._lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _kill_all, self._idle)

    def take(self) -> Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive:
                    return worker
        return Worker(self.engine, self.memory_max)

    def give_back(self, worker: Worker) -> None:
        with self._lock:
            if worker.alive and not self._closed and len(self._idle) < self.size:
                self._idle.append(worker)
                return
        worker.kill()

    def replace_soon(self) -> None:
        """Start a worker in the background for the next query (one was just killed).

        Starting one (PostgreSQL's driver takes a few tenths of a second to import) is then
        never part of a query's wait.
        """

        def start() -> None:
            try:
                worker = Worker(self.engine, self.memory_max)
            except (OSError, WorkerDied, WorkerTimedOut):
                return
            self.give_back(worker)

        threading.Thread(target=start, name="sql-worker-start", daemon=True).start()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            _kill_all(self._idle)


def _kill_all(workers: list[Worker]) -> None:
    while workers:
        workers.pop().kill()


class Answer:
    """One query's answer, read row by row from its worker within a byte allowance."""

    def __init__(self, pool: WorkerPool, request: dict, seconds: float) -> None:
        self._pool = pool
        self._worker: Worker | None = pool.take()
        self.value_max = request["value_max"]
        try:
            self._worker.ask(request, seconds)
            self.columns: list[str] = self._first()
        except BaseException:
            self.close()
            raise

    def _first(self) -> list[str]:
        tag = self._worker.read(1)
        if tag == b"C":
            return list(self._worker.read_json())
        return self._end(tag)

    def next_row(self, allowance: int) -> tuple[tuple, int] | None:
        """Return the next row and its size in bytes, or None at the end.

        Raise OverBudget, before reading it, if a cell would take the row past `allowance`.
        """
        if self._worker is None:
            return None
        worker = self._worker
        started, waited = time.monotonic(), worker.waited
        try:
            return self._read_row(worker, allowance)
        finally:
            # Reading the row counts too: a stream of cheap rows spends its time here.
            worker.wait_left -= (time.monotonic() - started) - (worker.waited - waited)

    def _read_row(self, worker: Worker, allowance: int) -> tuple[tuple, int] | None:
        if worker.wait_left <= 0:
            self.close(reusable=False)
            raise WorkerTimedOut
        tag = worker.read(1)
        if tag != b"R":
            return self._end(tag)
        (count,) = _U16.unpack(worker.read(2))
        row, used = [], 0
        for _ in range(count):
            kind = worker.read(1)
            if kind in b"TBDS" and len(kind) == 1:
                (length,) = _U32.unpack(worker.read(4))
                cost = length * (2 if kind == b"B" else 1)  # a blob is written as hex
                if length > self.value_max or used + cost > allowance:
                    self.close(reusable=False)
                    raise OverBudget
                data = worker.read(length)
                used += cost
                row.append(_decode(kind, data))
            elif kind == b"b":
                (size,) = _U32.unpack(worker.read(4))
                prefix = worker.read(worker.read(1)[0])
                used += 64
                row.append(Blob(size, prefix))
            else:
                used += 8
                row.append(_fixed(kind, worker))
            if used > allowance:
                self.close(reusable=False)
                raise OverBudget
        return tuple(row), used

    def _end(self, tag: bytes):
        worker = self._worker
        if tag == b"E":
            self.close(reusable=True)
            return None
        if tag == b"X":
            details = worker.read_json()
            self.close(reusable=True)
            raise WorkerError(details)
        self.close(reusable=False)
        raise WorkerDied(f"unexpected frame {tag!r}")

    def close(self, reusable: bool = False) -> None:
        """Hand the worker back (when it ended its answer) or kill it."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        if reusable:
            self._pool.give_back(worker)
        else:
            worker.kill()
            self._pool.replace_soon()


def _decode(kind: bytes, data: bytes):
    if kind == b"B":
        return data
    text = data.decode("utf-8", "replace")
    return Decimal(text) if kind == b"D" else text


def _fixed(kind: bytes, worker: Worker):
    if kind == b"N":
        return None
    if kind == b"I":
        return _I64.unpack(worker.read(8))[0]
    if kind == b"F":
        return _F64.unpack(worker.read(8))[0]
    if kind in (b"Y", b"Z"):
        return kind == b"Y"
    worker.kill()
    raise WorkerDied(f"unknown cell {kind!r}")
