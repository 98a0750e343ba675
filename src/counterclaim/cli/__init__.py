"""The `counterclaim` command: run the workbench, migrate, seed, manage users.

Every command works on the database the workbench would use (DATABASE_URL, else the
SQLite file in the instance folder), or the one given with --database. Bad input prints
one line and exits non-zero; the full error goes to the log, never to the analyst.
"""

import functools
import logging
import sys

import click
from alembic.util.exc import CommandError
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.services.errors import DomainError

log = logging.getLogger("counterclaim")


class Context:
    """What every command needs: the settings and, on demand, the database."""

    def __init__(self, database_url: str | None):
        from counterclaim.web import create_app

        overrides = {"DATABASE_URL": database_url} if database_url else None
        self.app = create_app(overrides)
        self.url = self.app.config["DATABASE_URL"]
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            self._engine = make_engine(self.url)
        return self._engine

    def session(self):
        return make_sessionmaker(self.engine)()

    def close(self) -> None:
        """Release every database connection the command opened."""
        if self._engine is not None:
            self._engine.dispose()
        self.app.extensions["counterclaim.db"].dispose()


def friendly_errors(command):
    """Turn a failure into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except click.ClickException:
            raise
        except (DomainError, CommandError, ValueError, OSError) as error:
            raise click.ClickException(str(error)) from error
        except OperationalError as error:
            log.debug("database error", exc_info=error)
            raise click.ClickException(f"cannot use the database: {error.orig}") from error
        except SQLAlchemyError as error:
            log.debug("database error", exc_info=error)
            raise click.ClickException(f"database error: {error}") from error

    return wrapper


@click.group()
@click.option(
    "--database", envvar="DATABASE_URL", metavar="URL",
    help="Database URL (default: DATABASE_URL, else instance/counterclaim.db).",
)  # fmt: skip
@click.pass_context
def main(ctx: click.Context, database: str | None) -> None:
    """Counterclaim: track claims against counterclaims."""
    ctx.obj = Context(database)
    ctx.call_on_close(ctx.obj.close)


def run() -> None:
    """Entry point that keeps tracebacks away from the terminal."""
    logging.basicConfig(level=logging.WARNING)
    try:
        main(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)


# The commands register themselves on `main` when their modules are imported.
from . import (  # noqa: E402, F401
    exchange,
    generate,
    migrate,
    report,
    search,
    seed,
    serve,
    sql,
    users,
)  # fmt: skip
