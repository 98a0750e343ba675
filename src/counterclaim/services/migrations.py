"""Run the Alembic migrations programmatically, for the CLI, the app and the tests."""

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from counterclaim.paths import resource_dir


class MigrationError(RuntimeError):
    """A migration would leave the database inconsistent; nothing was changed."""


def alembic_config(connection: Connection | None = None) -> Config:
    """Return an Alembic config for Counterclaim's migrations, bound to `connection`."""
    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """Yield a connection in a transaction fit for schema changes.

    On SQLite, changing a column rebuilds its table (copy, drop, rename). With foreign
    keys on, dropping the old table would fire the ON DELETE actions of the rows that
    point to it, so SQLite's own procedure is followed: foreign keys off (which only
    works outside a transaction), migrate, check every key with `foreign_key_check`
    before committing, and foreign keys back on.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection
        if sqlite:
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise MigrationError(f"the migration breaks foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys = ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to `revision`."""
    with _migrating(engine) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to `revision` ("base" empties it)."""
    with _migrating(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None when it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """Return the newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    """Tell whether the database is at the newest revision."""
    return current_revision(engine) == head_revision()
