"""The PostgreSQL role the SQL console runs as: it may connect and read, nothing more.

`create_readonly_role` is idempotent: it creates the role (or brings an existing one back
in line), grants CONNECT on the database, USAGE on the schema and SELECT on every table
and research view, column by column where a table has a column hidden from the console
(secrets, and the account details of `users`: see `sql_common.hidden_columns`), and revokes any
other privilege on them. Run it again after a migration adds tables.
"""

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from counterclaim.models import Base
from counterclaim.models.views import view_metadata

from ..errors import DomainError
from .sql_common import hidden_columns

DEFAULT_ROLE = "counterclaim_reader"
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"


@dataclass
class ReadonlyRole:
    """What `create_readonly_role` did, and the URL to give the console."""

    name: str
    created: bool
    password_set: bool
    url: str
    tables: int
    views: int


def create_readonly_role(
    engine: Engine, name: str = DEFAULT_ROLE, password: str | None = None
) -> ReadonlyRole:
    """Create or update the console's read-only role on `engine`'s PostgreSQL database."""
    if engine.dialect.name != "postgresql":
        raise DomainError(
            "SQLite needs no read-only role: the console opens the database file read-only."
        )
    if not _ROLE_NAME.fullmatch(name):
        raise DomainError(
            f"{name!r} is not a plain role name: use lower-case letters, digits and _."
        )
    with engine.begin() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
        if not exists and password is None:
            password = secrets.token_urlsafe(24)
        _run(connection, f"{'ALTER' if exists else 'CREATE'} ROLE {{role}} {_ATTRIBUTES}", name)
        if password is not None:
            _run(connection, "ALTER ROLE {role} PASSWORD {password}", name, password)
        _run(connection, "ALTER ROLE {role} SET default_transaction_read_only = on", name)
        database = connection.scalar(text("SELECT current_database()"))
        schema = connection.scalar(text("SELECT current_schema()"))
        _run(connection, "GRANT CONNECT ON DATABASE {database} TO {role}", name, database=database)
        _run(connection, "GRANT USAGE ON SCHEMA {schema} TO {role}", name, schema=schema)
        _run(
            connection,
            "REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
            name,
            schema=schema,
        )
        tables = [*Base.metadata.sorted_tables]
        hidden = hidden_columns(Base.metadata)
        for table in tables:
            readable = [c.name for c in table.columns if (table.name, c.name) not in hidden]
            columns = "" if len(readable) == len(table.columns) else readable
            _grant_select(connection, name, table.name, columns)
        views = sorted(view_metadata.tables)
        for view in [*views, "alembic_version"]:
            _grant_select(connection, name, view, "")
    url = make_url(engine.url).set(username=name, password=password)
    return ReadonlyRole(
        name=name,
        created=not exists,
        password_set=password is not None,
        url=url.render_as_string(hide_password=False),
        tables=len(tables),
        views=len(views),
    )


def drop_readonly_role(engine: Engine, name: str) -> None:
    """Revoke everything the role holds in this database and drop it (if it exists)."""
    with engine.begin() as connection:
        if connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}):
            _run(connection, "DROP OWNED BY {role}", name)
            _run(connection, "DROP ROLE {role}", name)


def _grant_select(connection: Connection, role: str, table: str, columns: list[str] | str) -> None:
    from psycopg import sql

    listed = sql.SQL("")
    if columns:
        listed = sql.SQL(" ({})").format(sql.SQL(", ").join(map(sql.Identifier, columns)))
    _execute(
        connection,
        sql.SQL("GRANT SELECT{} ON {} TO {}").format(
            listed, sql.Identifier(table), sql.Identifier(role)
        ),
    )


def _run(connection: Connection, template: str, role: str, password=None, **names) -> None:
    """Run a role statement: identifiers and the password quoted by psycopg, never pasted."""
    from psycopg import sql

    values = {key: sql.Identifier(value) for key, value in names.items()}
    values["role"] = sql.Identifier(role)
    if password is not None:
        values["password"] = sql.Literal(password)
    _execute(connection, sql.SQL(template).format(**values))


def _execute(connection: Connection, statement) -> None:
    driver = connection.connection.driver_connection
    driver.execute(statement)
