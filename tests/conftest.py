"""Fixtures: every database test runs on SQLite and, when configured, PostgreSQL.

Set COUNTERCLAIM_TEST_POSTGRES_URL (for example
postgresql+psycopg://postgres@127.0.0.1:5432/test) to run the suite on PostgreSQL too;
each run makes its own throw-away database there and drops it afterwards.

Each test works inside a transaction that is rolled back at the end; the app under test
and the test's own session share that connection, each through savepoints.
"""

import os
import uuid

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from counterclaim.db import make_engine
from counterclaim.services import migrations

POSTGRES_URL = os.environ.get("COUNTERCLAIM_TEST_POSTGRES_URL")
ENGINES = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


def pytest_runtest_setup(item):
    """Skip a test marked `pdf` without Pango (WeasyPrint's renderer), except on CI."""
    if item.get_closest_marker("pdf") is None:
        return
    try:
        import weasyprint  # noqa: F401  (loads Pango, or raises OSError)
    except OSError as error:
        message = f"WeasyPrint cannot load Pango ({error}): apt-get install libpangoft2-1.0-0"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so this is an error, not a skip)")
        pytest.skip(message)


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """Hash passwords with argon2id at its cheapest in tests (the real cost is ~0.1 s)."""
    from argon2 import PasswordHasher

    from counterclaim.services.accounts import users

    real = users._hasher, users._DUMMY_HASH
    users._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    users._DUMMY_HASH = users._hasher.hash("dummy")
    yield
    users._hasher, users._DUMMY_HASH = real


@pytest.fixture(scope="session")
def database_url_factory(tmp_path_factory):
    """Make empty databases of a kind, dropping the PostgreSQL ones at the end."""
    made = []

    def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'counterclaim.db'}"
        name = f"counterclaim_test_{uuid.uuid4().hex[:12]}"
        admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        made.append(name)
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    if made:
        admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=ENGINES)
def database(request, database_url_factory):
    """The URL of a new, empty database (not migrated), one per engine: for CLI tests."""
    return database_url_factory(request.param)


@pytest.fixture(scope="session", params=ENGINES)
def engine(request, database_url_factory):
    """An engine on a database migrated to head, one per engine kind for the session."""
    engine = make_engine(database_url_factory(request.param))
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def research(engine, database_url_factory, tmp_path_factory):
    """A database with the demo seed committed (and on PostgreSQL a read-only role), one
    per engine, that the SQL console's tests share and only read (tests/research.py)."""
    from research import research_database

    with research_database(engine.dialect.name, database_url_factory, tmp_path_factory) as db:
        yield db


@pytest.fixture
def connection(engine):
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        if transaction.is_active:
            transaction.rollback()


@pytest.fixture
def session(connection):
    """The test's own ORM session, on the rolled-back connection."""
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield session
    session.close()


@pytest.fixture
def app(connection, engine):
    """The workbench, with its database sessions bound to the test's connection."""
    from counterclaim.web import create_app
    from counterclaim.web.database import Database

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        }
    )
    app.extensions["counterclaim.db"] = Database.bound_to(connection)
    return app


@pytest.fixture
def csrf_app(app):
    """The workbench with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def login_as(app, session):
    """Return `sign_in(role)`: a test client signed in as a new user with that role.

    The user is made in the test's database and the client's session cookie carries
    it, as after a real sign-in (tests/test_accounts.py signs in through the form).
    `client.user` is the user. Pass `client=` to sign an existing client in.
    """
    from factories import make_user

    def sign_in(role: str = "editor", *, client=None, user=None, **overrides):
        user = user or make_user(session, role=role, **overrides)
        session.commit()
        client = client or app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"] = user.get_id()
            cookie["_fresh"] = True
        client.user = user
        return client

    return sign_in


@pytest.fixture
def client(login_as):
    """A test client signed in as an editor (who may edit and delete anything)."""
    return login_as("editor")


@pytest.fixture
def anonymous(app):
    """A test client that is not signed in."""
    return app.test_client()


class QueryCounter:
    """Counts the SQL statements sent on a connection."""

    def __init__(self, connection):
        self.statements: list[str] = []
        self._connection = connection

    def __enter__(self):
        event.listen(self._connection, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self._connection, "before_cursor_execute", self._count)

    def _count(self, _conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(connection):
    """Return a context manager counting the statements the block sends."""
    return lambda: QueryCounter(connection)


def _engine_of(nodeid: str) -> str:
    """The engine a test ran on, from its parameters ("no database" for the others)."""
    params = nodeid.rpartition("[")[2].rstrip("]").split("-") if nodeid.endswith("]") else []
    for kind in ("postgresql", "sqlite"):
        if kind in params:
            return kind
    return "no database"


def pytest_terminal_summary(terminalreporter):
    """Print how many tests passed, failed and were skipped on each engine."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") not in ("call", "setup") or (
                outcome == "passed" and report.when != "call"
            ):
                continue
            row = counts.setdefault(_engine_of(report.nodeid), {})
            row[outcome] = row.get(outcome, 0) + 1
    if counts:
        terminalreporter.section("tests per engine")
        for kind, row in sorted(counts.items()):
            terminalreporter.write_line(
                f"{kind}: " + ", ".join(f"{n} {outcome}" for outcome, n in row.items())
            )
