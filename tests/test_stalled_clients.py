"""Clients that stop reading cannot freeze the workbench (issue 11, finding 5).

A real `counterclaim serve` (waitress) in a subprocess on loopback, and real sockets that
ask for downloads and never read: the workbench keeps answering, each user holds at most
HEAVY_PER_USER heavy requests (the rest get 429 at once), and a download blocked on its
client is ended at the stream time limit, which gives its slots back.
"""

import contextlib
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from urllib.parse import quote

import httpx
import pytest

from conftest import ENGINES

PASSWORD = "stalled-clients-password-1"
TIME_LIMIT = 4  # COUNTERCLAIM_STREAM_TIME_LIMIT of the server under test


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=ENGINES)
def server(request, database_url_factory, tmp_path):
    """Run `counterclaim serve` on a fresh database (demo data); yield its base URL."""
    port = _free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url_factory(request.param),
        COUNTERCLAIM_INSTANCE=str(tmp_path),
        COUNTERCLAIM_ADMIN_PASSWORD=PASSWORD,
        COUNTERCLAIM_STREAM_TIME_LIMIT=str(TIME_LIMIT),
        COUNTERCLAIM_HEAVY_PER_USER="2",
        COUNTERCLAIM_LOGIN_RATE_LIMIT="100 per minute",
    )
    process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-c", "from counterclaim.cli import run; run()",
         "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "the server did not start"
            try:
                if httpx.get(base + "/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base, request.param
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def _sign_in(base: str) -> httpx.Client:
    browser = httpx.Client(follow_redirects=True)
    page = browser.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    answer = browser.post(
        base + "/login",
        data={"csrf_token": token, "username": "admin", "password": PASSWORD},
        timeout=10,
    )
    assert answer.status_code == 200 and "Sign out" in answer.text, answer.text[:500]
    return browser


def _stalled(base: str, path: str, browser: httpx.Client) -> socket.socket:
    """Send a GET for `path` with the session's cookie; the caller never reads."""
    port = int(base.rsplit(":", 1)[1])
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills at once
    sock.connect(("127.0.0.1", port))
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies.jar)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n".encode())
    return sock


def _login_seconds(base: str) -> float:
    started = time.monotonic()
    assert httpx.get(base + "/login", timeout=30).status_code == 200
    return time.monotonic() - started


def _status(sock: socket.socket) -> int:
    sock.settimeout(30)
    head = sock.recv(64)
    return int(head.split()[1])


def test_eight_stalled_report_downloads_leave_the_workbench_answering(server):
    base, _ = server
    browser = _sign_in(base)
    with contextlib.closing(browser), contextlib.ExitStack() as held:
        stalled = [held.enter_context(_stalled(base, "/reports/report.json", browser))
                   for _ in range(8)]  # fmt: skip
        time.sleep(1)
        # /login answers in under a second (the median of three, on a shared machine)
        assert statistics.median(_login_seconds(base) for _ in range(3)) < 1.0
        assert browser.get(base + "/claims/", timeout=30).status_code == 200
        statuses = sorted(_status(sock) for sock in stalled)
        assert statuses == [200, 200] + [429] * 6  # two per user; the rest refused at once


def test_a_download_blocked_on_its_client_ends_at_the_time_limit(server):
    base, kind = server
    if kind != "sqlite":
        pytest.skip("the console needs a read-only role on PostgreSQL (test_sql_console.py)")
    browser = _sign_in(base)
    # an endless CSV of 1 KB rows: waitress blocks writing once 16 MB wait for the client
    sql = (
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
        "SELECT n, printf('%.*c', 1000, 'x') FROM r"
    )
    path = f"/sql/?format=csv&sql={quote(sql)}"
    with contextlib.closing(browser), contextlib.ExitStack() as held:
        for _ in range(2):
            held.enter_context(_stalled(base, path, browser))
        time.sleep(1.5)
        assert _login_seconds(base) < 5
        busy = browser.get(base + "/sql/?sql=SELECT+1", timeout=30)
        assert busy.status_code == 429 and "Retry-After" in busy.headers
        assert "heavy request" in busy.text
        # the limit plus the watchdog's second shut the blocked sockets; the slots are back
        deadline = time.monotonic() + TIME_LIMIT + 15
        while True:
            answer = browser.get(base + "/sql/?sql=SELECT+1", timeout=30)
            if answer.status_code == 200:
                break
            assert time.monotonic() < deadline, f"still {answer.status_code} past the limit"
            time.sleep(0.5)
