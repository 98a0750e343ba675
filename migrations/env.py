"""Alembic environment: runs Counterclaim's migrations on SQLite and PostgreSQL.

The database comes from the caller (`counterclaim db upgrade` passes a connection or a
URL through the Alembic config), or from DATABASE_URL when Alembic is run by hand.
"""

import os

from alembic import context

from counterclaim.db import make_engine
from counterclaim.models import Base
from counterclaim.models.search import include_name

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,  # the full-text index is the migrations' own
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("Set DATABASE_URL or pass a database to the migrations.")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Counterclaim's migrations run online only.")
run_migrations_online()
