"""Fire the whole hostile-SQL catalogue at a running workbench, as a viewer, over HTTP.

    python tests/hostile_sql.py [--time-limit 2] [--database URL]

It starts `counterclaim serve` on a fresh SQLite file (or on the PostgreSQL URL given,
with its read-only role), signs in as a viewer, sends every statement of the catalogues
in tests/test_sql_console.py, test_sql_secrets.py and test_sql_limits.py as a page and as
a CSV download, and reports: statements sent, 5xx answers, answers holding any part of a
real secret (the users' argon2 hashes and session tokens), the slowest answer against the
time limit, and the peak memory (VmHWM) of the server and of any console worker, read
from /proc while it runs.
"""

import argparse
import contextlib
import http.client
import http.cookiejar
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from test_sql_console import HOSTILE  # noqa: E402
from test_sql_limits import CPU_PER_STEP, MEMORY  # noqa: E402
from test_sql_secrets import SHAPES, leaked  # noqa: E402

DOWNLOAD_READ_MAX = 200_000_000


def catalogue(kind: str) -> list[tuple[str, str]]:
    """Return every (name, sql) that applies to the engine `kind`."""
    limits = [(n, s) for n, only, s in CPU_PER_STEP + MEMORY if only in (None, kind)]
    return [*HOSTILE, *SHAPES, *limits]


class Peaks(threading.Thread):
    """Poll the peak memory of a process and of its children until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.server = 0
        self.worker = 0
        self.workers_seen: set[int] = set()
        self.running = True

    def run(self) -> None:
        while self.running:
            self.server = max(self.server, _kib(self.pid, "VmHWM"))
            for child in _children(self.pid):
                self.workers_seen.add(child)
                self.worker = max(self.worker, _kib(child, "VmHWM"))
            time.sleep(0.01)


def _kib(pid: int, field: str) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) if match else 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--database", help="a PostgreSQL URL (default: a new SQLite file)")
    parser.add_argument("--port", type=int, default=5000 + os.getpid() % 1000)
    parser.add_argument("--only", help="run only the statements whose name contains this")
    parser.add_argument("--verbose", action="store_true", help="one line per answer")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="hostile-sql-"))
    url = args.database or f"sqlite:///{folder / 'counterclaim.db'}"
    password = uuid.uuid4().hex
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "COUNTERCLAIM_INSTANCE": str(folder),
        "COUNTERCLAIM_ADMIN_PASSWORD": password,
        "COUNTERCLAIM_PASSWORD": password,
        "COUNTERCLAIM_SQL_TIME_LIMIT": str(args.time_limit),
        "COUNTERCLAIM_LOGIN_RATE_LIMIT": "1000 per minute",
    }
    cli = [str(Path(sys.executable).with_name("counterclaim"))]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "user", "add", "hostile", "--role", "viewer"], env=env, check=True)
    role = f"hostile_{uuid.uuid4().hex[:10]}"
    if url.startswith("postgresql"):
        made = subprocess.run(
            [*cli, "db", "create-readonly-role", "--name", role, "--password", password],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        env["COUNTERCLAIM_READONLY_DATABASE_URL"] = made.stdout.split("URL=")[-1].strip()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(args.port)], env=env, stdout=subprocess.DEVNULL
    )
    peaks = Peaks(server.pid)
    peaks.start()
    try:
        return _attack(args, url, password, peaks)
    finally:
        peaks.running = False
        server.terminate()
        server.wait(10)
        if url.startswith("postgresql"):
            from counterclaim.services.research.readonly_role import drop_readonly_role

            owner = create_engine(url)
            drop_readonly_role(owner, role)
            owner.dispose()


def _attack(args, url: str, password: str, peaks: Peaks) -> int:
    base = f"http://127.0.0.1:{args.port}"
    web = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    for _ in range(100):
        try:
            login = web.open(f"{base}/login", timeout=5).read().decode()
            break
        except OSError:
            time.sleep(0.2)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    form = {"csrf_token": token, "username": "hostile", "password": password}
    signed = web.open(f"{base}/login", urllib.parse.urlencode(form).encode(), timeout=10)
    assert "Signed in" in signed.read().decode(), "could not sign in"
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT password_hash, session_token FROM users")).all()
        kind = engine.dialect.name
    engine.dispose()
    secrets = [value for row in rows for value in row if value]

    statements = [(n, s) for n, s in catalogue(kind) if not args.only or args.only in n]
    errors_5xx, leaks = [], []
    slowest = {False: (0.0, ""), True: (0.0, "")}
    for name, sql in statements:
        sql = sql.replace("{data}", str(Path(tempfile.gettempdir())))
        for download in (False, True):
            query = {"sql": sql, **({"format": "csv"} if download else {})}
            started = time.monotonic()
            body, status = bytearray(), 0
            try:
                response = web.open(f"{base}/sql/?{urllib.parse.urlencode(query)}", timeout=60)
            except urllib.error.HTTPError as error:
                response = error
            status = response.status if hasattr(response, "status") else response.code
            with contextlib.suppress(OSError, http.client.HTTPException):
                # A download broken off at a limit ends the read with an error.
                while chunk := response.read(1 << 16):
                    body += chunk
                    if len(body) > DOWNLOAD_READ_MAX:
                        break
            response.close()
            elapsed = time.monotonic() - started
            slowest[download] = max(slowest[download], (elapsed, name))
            if args.verbose:
                print(
                    f"{name:28} {'csv ' if download else 'page'} {status} {elapsed:6.2f} s"
                    f" {len(body):>11,} B  server peak {peaks.server / 1024:.0f} MiB"
                )
            if status >= 500:
                errors_5xx.append(f"{name}: {status}")
            if leaked(secrets, [(body.decode("utf-8", "replace"),)]):
                leaks.append(name)
    print(f"engine: {kind}; time limit {args.time_limit:g} s")
    print(f"statements: {len(statements)} (each as a page and as a CSV download)")
    print(f"5xx answers: {len(errors_5xx)} {errors_5xx[:5]}")
    print(f"answers holding a secret: {len(leaks)} {leaks[:5]}")
    print(f"slowest page: {slowest[False][0]:.2f} s ({slowest[False][1]})")
    seconds, name = slowest[True]
    print(f"slowest CSV download (its limit counts database time): {seconds:.2f} s ({name})")

    print(f"server peak RSS (VmHWM): {peaks.server / 1024:.0f} MiB")
    print(f"console workers: {len(peaks.workers_seen)}, largest peak {peaks.worker / 1024:.0f} MiB")
    return 1 if errors_5xx or leaks or slowest[False][0] > args.time_limit + 1 else 0


if __name__ == "__main__":
    sys.exit(main())
