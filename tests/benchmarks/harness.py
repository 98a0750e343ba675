"""What every benchmark module uses: the data set it runs on, timers, servers, load.

Everything here runs on this machine only: servers listen on 127.0.0.1, clients send to
127.0.0.1, and every loop is bounded in time.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import event
from sqlalchemy.engine import make_url

SECRET_KEY = "benchmark-only-secret-key"  # shared by gunicorn's workers; loopback only
BENCH_USER, BENCH_PASSWORD = "bench-editor", "benchmark-only-password-7"
DATA_STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


class Unavailable(Exception):
    """The feature a benchmark measures is not in this tree."""


@dataclass
class Measurement:
    """One figure with its baselines, as the table prints it and the JSON keeps it."""

    name: str
    ours_ms: float | None = None  # median server time of one request
    raw_ms: float | None = None  # median time of the same data through the driver
    statements: int | None = None  # SQL statements the request sent
    rps: float | None = None  # requests per second over HTTP on loopback
    datasette_rps: float | None = None  # Datasette's equivalent page, same load
    extra: dict = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)  # target -> met
    note: str = ""
    bench: str = ""
    engine: str = ""
    claims: int = 0

    @property
    def ratio(self) -> float | None:
        if self.ours_ms is None or not self.raw_ms:
            return None
        return self.ours_ms / self.raw_ms

    def as_dict(self) -> dict:
        return asdict(self) | {"ratio": self.ratio}


@dataclass
class Context:
    """One data set (engine, number of claims) and the tools to measure it."""

    engine: str
    claims: int
    url: str
    options: object
    is_largest: bool = False
    dataset: dict = field(default_factory=dict)  # how the data set was made (generation)
    _app: object = None

    @property
    def sqlite_path(self) -> Path | None:
        return Path(make_url(self.url).database) if self.engine == "sqlite" else None

    @property
    def seconds(self) -> float:
        """How long each timed loop may run."""
        return self.options.seconds

    def app(self):
        """Return the workbench on this data set (one per data set, reused)."""
        if self._app is None:
            from counterclaim.web import create_app

            self._app = create_app(
                {"DATABASE_URL": self.url, "SECRET_KEY": SECRET_KEY, "TESTING": False}
            )
        return self._app

    def bench_user(self):
        """Return the benchmarks' editor account where the workbench has sign-in, else None.

        Before sign-in exists the workbench acts as one local analyst and needs no account.
        """
        try:
            from counterclaim.services.accounts.users import create_user, find_user
        except ImportError:
            return None
        from counterclaim.web.database import get_session

        with self.app().test_request_context(method="POST"):
            session = get_session()
            user = find_user(session, BENCH_USER)
            if user is None:
                user = create_user(session, BENCH_USER, BENCH_PASSWORD, role="editor")
                session.commit()
            return user

    def close(self) -> None:
        if self._app is not None:
            self._app.extensions["counterclaim.db"].dispose()
            self._app = None

    @contextlib.contextmanager
    def driver(self) -> Iterator:
        """Open a plain driver connection (sqlite3 or psycopg) to the data set."""
        if self.engine == "sqlite":
            connection = sqlite3.connect(self.sqlite_path)
        else:
            import psycopg

            connection = psycopg.connect(libpq_url(self.url), autocommit=True)
        try:
            yield connection
        finally:
            connection.close()

    def query(self, connection, sql: str, params=()) -> list:
        """Run `sql` (with `?` placeholders) through the driver and fetch every row."""
        if self.engine != "sqlite":
            sql = sql.replace("?", "%s")
        return connection.execute(sql, params).fetchall()

    def get(self, path: str, *, contains: str) -> Callable[[], None]:
        """Return a callable that asks the workbench for `path` through the test client.

        The first answer must be 200 and contain `contains` (a piece of the page's own
        content), so a redirect to the sign-in page or an error page is never timed.
        """
        client = self.app().test_client()
        user = self.bench_user()
        if user is not None:  # signed in as after the sign-in form, as the tests do
            with client.session_transaction() as cookie:
                cookie["_user_id"], cookie["_fresh"] = user.get_id(), True
        response = client.get(path)
        check_answer(path, response.status_code, response.get_data(as_text=True), contains)

        def fetch():
            response = client.get(path)
            if response.status_code != 200:
                raise AssertionError(f"GET {path} answered {response.status_code}")
            response.close()

        return fetch

    def time_ms(self, fn: Callable[[], object]) -> float:
        """Return the median milliseconds of `fn`, after warming it up, within `seconds`."""
        return median_ms(fn, seconds=self.seconds)

    def statements(self, fn: Callable[[], object]) -> int:
        """Return how many SQL statements `fn` sends through the workbench's engine."""
        engine = self.app().extensions["counterclaim.db"].engine
        sent: list[str] = []

        def count(_conn, _cursor, statement, *_args):
            if statement.lstrip().upper().startswith(DATA_STATEMENTS):
                sent.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            fn()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(sent)


def check_answer(path: str, status: int, body: str, contains: str) -> None:
    """Fail unless a timed page answered 200 with a piece of its expected content."""
    if status != 200:
        raise AssertionError(f"GET {path} answered {status}, not 200")
    if not contains or contains not in body:
        raise AssertionError(f"GET {path} answered 200 without {contains!r}: {body[:300]!r}")


def median_ms(fn: Callable[[], object], *, seconds: float, warm: int = 2, most: int = 500) -> float:
    """Call `fn` for about `seconds` (at least 5 times) and return the median in ms."""
    for _ in range(warm):
        fn()
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(times) < 5 or (time.perf_counter() < deadline and len(times) < most):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def libpq_url(url: str) -> str:
    """Return a SQLAlchemy PostgreSQL URL as psycopg's connection string."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def venv_script(name: str) -> str:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


@contextlib.contextmanager
def running(command: list[str], *, env: dict, ready_path: str, log: Path) -> Iterator[str]:
    """Start a server on a free loopback port, wait until it answers, stop it afterwards.

    `command` may contain "{port}"; yields the base URL.
    """
    port = free_port()
    argv = [part.replace("{port}", str(port)) for part in command]
    with open(log, "wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own fixed command
            argv, env=os.environ | env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base, ready_path, process, log)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_ready(base: str, path: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError):
            if Client(base).request("GET", path).status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"server did not answer {base}{path} within 120 s")


@contextlib.contextmanager
def workbench_server(ctx: Context, *, workers: int, log_dir: Path) -> Iterator[str]:
    """Run the workbench under gunicorn (sync workers) on the data set."""
    instance = tempfile.mkdtemp(prefix="counterclaim-bench-")
    command = [venv_script("gunicorn"), "-w", str(workers), "-b", "127.0.0.1:{port}",
               "--timeout", "120", "counterclaim.web:create_app()"]  # fmt: skip
    env = {"DATABASE_URL": ctx.url, "COUNTERCLAIM_SECRET_KEY": SECRET_KEY,
           "COUNTERCLAIM_INSTANCE": instance}  # fmt: skip
    log = log_dir / f"gunicorn-{ctx.engine}-{ctx.claims}-{workers}w.log"
    try:
        # The sign-in page answers 200 to anyone (every other page redirects there).
        with running(command, env=env, ready_path="/login", log=log) as base:
            yield base
    finally:
        shutil.rmtree(instance, ignore_errors=True)


@contextlib.contextmanager
def datasette_server(ctx: Context, *, page_size: int, log_dir: Path) -> Iterator[str]:
    """Serve the data set's SQLite file with Datasette (immutable), pages of `page_size`."""
    path = ctx.sqlite_path
    command = [venv_script("datasette"), "serve", "-i", str(path), "-h", "127.0.0.1",
               "-p", "{port}", "--setting", "default_page_size", str(page_size),
               "--setting", "suggest_facets", "off",
               "--setting", "sql_time_limit_ms", "30000"]  # fmt: skip
    log = log_dir / f"datasette-{ctx.claims}.log"
    with running(command, env={}, ready_path="/-/versions.json", log=log) as base:
        yield f"{base}/{path.stem}"


@dataclass
class Response:
    status: int
    body: str
    headers: dict
    seconds: float


class Client:
    """A small HTTP/1.1 client for loopback servers: keeps its connection and cookies."""

    def __init__(self, base: str, timeout: float = 60):
        parts = urlsplit(base)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("benchmarks only talk to loopback servers")
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        self.prefix = parts.path.rstrip("/")
        self.cookies: dict[str, str] = {}
        self._connection = None

    def request(self, method: str, path: str, form: dict | list | None = None) -> Response:
        import http.client
        from urllib.parse import urlencode

        headers = {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            try:
                self._connection.request(method, self.prefix + path, body, headers)
                raw = self._connection.getresponse()
                data = raw.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self._connection.close()
                self._connection = None
                if attempt == 2:
                    raise
        seconds = time.perf_counter() - started
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if raw.getheader("Connection", "").lower() == "close":
            self._connection.close()
            self._connection = None
        return Response(raw.status, data.decode("utf-8", "replace"), dict(raw.getheaders()),
                        seconds)  # fmt: skip


class FormReader(HTMLParser):
    """Collect the fields a browser would submit from the page's POST form."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append(
                (a["name"], a.get("value") or ("y" if a.get("type") == "checkbox" else ""))
            )  # noqa: E501
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def read_form(html: str) -> list[tuple[str, str]]:
    reader = FormReader()
    reader.feed(html)
    return reader.fields


def sign_in(base: str, ctx: Context) -> dict[str, str]:
    """Sign in once through the form and return the session cookies (none without sign-in).

    Every client shares them: one sign-in, not sixteen against the sign-in rate limit.
    """
    if ctx.bench_user() is None:
        return {}
    client = Client(base)
    form = dict(read_form(client.request("GET", "/login").body))
    form.update(username=BENCH_USER, password=BENCH_PASSWORD)
    answer = client.request("POST", "/login", list(form.items()))
    if answer.status != 302:
        raise RuntimeError(f"sign-in as {BENCH_USER} answered {answer.status}")
    return dict(client.cookies)


def http_load(
    base: str,
    path: str,
    *,
    contains: str,
    seconds: float,
    connections: int = 4,
    cookies: dict | None = None,
) -> dict:
    """Send GET `path` from `connections` clients for `seconds`; return rps and latencies.

    First checks one answer: 200 with `contains` in it. Uses `wrk` when it is installed
    (it costs the servers less CPU), else Python threads.
    """
    client = Client(base)
    client.cookies.update(cookies or {})
    answer = client.request("GET", path)
    check_answer(base + path, answer.status, answer.body, contains)
    wrk = shutil.which("wrk")
    if wrk:
        return _wrk(wrk, base + path, seconds=seconds, connections=connections, cookies=cookies)
    return _thread_load(base, path, seconds=seconds, connections=connections, cookies=cookies)


def _wrk(wrk: str, url: str, *, seconds: float, connections: int, cookies: dict | None) -> dict:
    argv = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
            "--timeout", "30s", url]  # fmt: skip
    if cookies:
        argv += ["-H", "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", out)
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    return {"rps": rps, "non_2xx": int(bad.group(1)) if bad else 0,
            "timeouts": int(errors.group(1)) if errors else 0,
            "p50": latency.get("50"), "p99": latency.get("99"), "tool": "wrk"}  # fmt: skip


def _thread_load(
    base: str, path: str, *, seconds: float, connections: int, cookies: dict | None
) -> dict:
    times: list[float] = []
    bad = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        client = Client(base)
        client.cookies.update(cookies or {})
        while time.monotonic() < deadline:
            response = client.request("GET", path)
            with lock:
                times.append(response.seconds)
                bad[0] += response.status != 200

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"rps": len(times) / elapsed, "non_2xx": bad[0], "timeouts": 0,
            "p50": f"{percentile(times, 50) * 1000:.1f}ms",
            "p99": f"{percentile(times, 99) * 1000:.1f}ms", "tool": "python threads"}  # fmt: skip


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank) of `values`, 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]
