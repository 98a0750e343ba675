"""A research database for the SQL console's tests: migrated, seeded with the Mosul demo
and committed (the console reads through a connection of its own, so it sees only
committed rows), with, on PostgreSQL, a read-only role of a name unique to the run."""

import hashlib
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from counterclaim.db import make_engine
from counterclaim.services import migrations
from counterclaim.services.demo import seed
from counterclaim.services.research.readonly_role import create_readonly_role, drop_readonly_role
from counterclaim.services.research.sql_common import ConsoleSettings
from counterclaim.services.research.sql_console import Console

#: The console's time limit in tests: short, so that the hostile catalogue stays fast.
TIME_LIMIT = 0.3


@dataclass
class ResearchDatabase:
    kind: str
    url: str
    readonly_url: str | None
    engine: Engine
    data_dir: Path  # where the database's files are (SQLite) or a scratch folder (PostgreSQL)
    role: str | None
    #: The seeded users' real secrets (argon2 hashes, session tokens): never in a result.
    secrets: tuple[str, ...] = ()

    def console(self, **settings) -> Console:
        settings.setdefault("time_limit", TIME_LIMIT)
        return Console(
            self.url, readonly_url=self.readonly_url, settings=ConsoleSettings(**settings)
        )

    def query(self, sql: str, **params) -> list[tuple]:
        """Run `sql` as the owner (not through the console)."""
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]


@contextmanager
def research_database(kind: str, database_url_factory, tmp_path_factory):
    url = database_url_factory(kind)
    engine = make_engine(url)
    migrations.upgrade(engine)
    with Session(engine) as session:
        seed.load_seed(session, seed.default_seed_path())
        session.commit()
    secrets = _give_users_real_secrets(engine)
    role = readonly_url = None
    if kind == "sqlite":
        data_dir = Path(make_url(url).database).parent
    else:
        data_dir = tmp_path_factory.mktemp("pgdata")
        role = f"cc_reader_{uuid.uuid4().hex[:10]}"
        readonly_url = create_readonly_role(engine, role, password=uuid.uuid4().hex).url
    try:
        yield ResearchDatabase(kind, url, readonly_url, engine, data_dir, role, secrets)
    finally:
        if role:
            drop_readonly_role(engine, role)
        engine.dispose()


def _give_users_real_secrets(engine: Engine) -> tuple[str, ...]:
    """Give every seeded user a real argon2id hash; return every hash and session token."""
    from argon2 import PasswordHasher

    hasher = PasswordHasher()  # the real cost: these are the values an attacker wants
    with engine.begin() as connection:
        for (user_id,) in connection.execute(text("SELECT id FROM users")).all():
            connection.execute(
                text("UPDATE users SET password_hash = :hash WHERE id = :id"),
                {"hash": hasher.hash(uuid.uuid4().hex), "id": user_id},
            )
        rows = connection.execute(text("SELECT password_hash, session_token FROM users")).all()
    return tuple(value for row in rows for value in row if value)


def fingerprint(research: ResearchDatabase) -> dict:
    """Everything a hostile statement might change: rows, schema, files, roles."""
    with research.engine.connect() as connection:
        if research.kind == "sqlite":
            schema = connection.execute(
                text("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
            ).all()
            tables = [name for kind, name, _ in schema if kind == "table"]
            state = {"schema": schema, "pragmas": _sqlite_pragmas(connection)}
        else:
            tables = list(
                connection.scalars(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                )
            )
            state = {"schema": connection.execute(text(_PG_SCHEMA), {"role": research.role}).all()}
        state["rows"] = {table: _checksum(connection, table) for table in sorted(tables)}
    state["files"] = sorted(
        path.name
        for path in research.data_dir.iterdir()
        if not path.name.endswith(("-wal", "-shm"))
    )
    return state


# Tables, columns, views and their SQL, indexes, comments, large objects, roles.
_PG_SCHEMA = """
SELECT 'column', table_name || '.' || column_name, data_type
  FROM information_schema.columns WHERE table_schema = current_schema()
UNION ALL SELECT 'view', viewname, definition FROM pg_views WHERE schemaname = current_schema()
UNION ALL SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
UNION ALL SELECT 'comment', CAST(objoid AS TEXT) || '.' || CAST(objsubid AS TEXT), description
  FROM pg_description WHERE objoid >= 16384
UNION ALL SELECT 'large objects', CAST(count(*) AS TEXT), '' FROM pg_largeobject_metadata
UNION ALL SELECT 'role', rolname, CAST(rolsuper AS TEXT) || CAST(rolcreaterole AS TEXT)
       || CAST(rolcreatedb AS TEXT) || CAST(rolcanlogin AS TEXT)
  FROM pg_roles WHERE rolname LIKE 'evil%' OR rolname = :role
UNION ALL SELECT 'role setting', r.rolname, array_to_string(s.setconfig, ',')
  FROM pg_db_role_setting AS s JOIN pg_roles AS r ON r.oid = s.setrole WHERE r.rolname = :role
ORDER BY 1, 2, 3
"""


def _sqlite_pragmas(connection) -> tuple:
    return tuple(
        connection.exec_driver_sql(f"PRAGMA {name}").scalar()
        for name in ("journal_mode", "user_version", "application_id")
    )


def _checksum(connection, table: str) -> str:
    rows = connection.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')).all()
    return hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
