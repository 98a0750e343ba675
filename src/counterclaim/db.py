"""Engine and session set-up for SQLite and PostgreSQL.

SQLite gets WAL, foreign keys, a busy timeout and a larger page cache (filled only as
pages are read) on every connection, and write transactions that begin IMMEDIATE: a
deferred transaction that reads and then writes fails at once with "database is locked"
when another writer got there first, whatever the timeout. Read-only work uses
`reader(engine)`, whose transactions begin DEFERRED so that readers never queue behind
writers.

PostgreSQL connections run with JIT compilation off: the research views' correlated
subqueries carry planner costs in the millions, which start LLVM compilation of about a
second for statements that then run in milliseconds (a report page's corroboration of
200 claims: 1,030 ms with JIT, 60 ms without, at 100,000 claims). And a parallel plan
must promise to save ten times the default start-up cost: an actor's opponents (a few
hundred rows) took 10-20 ms with two workers and 2-4 ms without, on two cores; scans of
whole tables still go parallel. A streamed download reads through a server-side cursor,
which PostgreSQL plans for its first tenth by default (fast-start nested loops): the CSV
report of 70,000 pairs took 122 s so, and is planned for every row instead.
"""

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Each connection's page cache (the default is 2 MiB): a tag's page of the claims list
# reads ~4,000 claims at a million claims, 10.0 ms with 2 MiB and 6.4 ms with 64 MiB.
SQLITE_CACHE_KIB = 65_536
POSTGRES_OPTIONS = "-c jit=off -c parallel_setup_cost=10000 -c cursor_tuple_fraction=1"
_BEGIN_MODES = {"IMMEDIATE": "BEGIN IMMEDIATE", "DEFERRED": "BEGIN DEFERRED"}


def is_sqlite(engine_or_url) -> bool:
    """Tell whether an engine, connection or URL is SQLite."""
    url = getattr(engine_or_url, "url", engine_or_url)
    if hasattr(engine_or_url, "engine"):
        url = engine_or_url.engine.url
    return make_url(str(url)).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine for `url` with Counterclaim's per-connection settings."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        connect_args = kwargs.pop("connect_args", {})
        options = f"{connect_args.get('options', '')} {POSTGRES_OPTIONS}".strip()
        connect_args = {**connect_args, "options": options}
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Take transaction control away from the driver: we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(_BEGIN_MODES[mode])


def reader(engine: Engine) -> Engine:
    """Return a view of `engine` whose transactions only read (DEFERRED on SQLite)."""
    return engine.execution_options(sqlite_begin="DEFERRED")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory Counterclaim uses for `engine`."""
    return sessionmaker(bind=engine, expire_on_commit=False)
