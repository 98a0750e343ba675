"""The `counterclaim` command: run the workbench, migrate, seed.

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
from counterclaim.services import migrations
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


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-seed", is_flag=True, help="Do not load the demo data into an empty database.")
@click.pass_obj
@friendly_errors
def serve(ctx: Context, host: str, port: int, no_seed: bool) -> None:
    """Migrate the database, load the demo data if it is empty, and run the workbench."""
    from waitress import serve as waitress_serve

    migrations.upgrade(ctx.engine)
    if not no_seed:
        _seed_if_empty(ctx)
    click.echo(f"Database: {ctx.engine.url.render_as_string(hide_password=True)}")
    click.echo(f"Counterclaim is running: open http://{host}:{port}/  (Ctrl+C stops it)")
    waitress_serve(ctx.app, host=host, port=port, threads=8, _quiet=True)


def _seed_if_empty(ctx: Context) -> None:
    from counterclaim.services import seed

    with ctx.session() as session:
        if seed.is_empty(session):
            report = seed.load_seed(session, seed.default_seed_path())
            session.commit()
            click.echo(f"Loaded the demo data. {report}")


@main.group()
def db() -> None:
    """Migrate the database schema."""


@db.command()
@click.argument("revision", default="head")
@click.pass_obj
@friendly_errors
def upgrade(ctx: Context, revision: str) -> None:
    """Migrate up to REVISION (default: the newest)."""
    migrations.upgrade(ctx.engine, revision)
    click.echo(f"Database at revision {migrations.current_revision(ctx.engine)}.")


@db.command()
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
@friendly_errors
def downgrade(ctx: Context, revision: str, yes: bool) -> None:
    """Migrate down to REVISION ("base" removes every table and its data)."""
    if not yes:
        click.confirm(f"Downgrade to {revision}? Data in dropped tables is lost.", abort=True)
    migrations.downgrade(ctx.engine, revision)
    click.echo(f"Database at revision {migrations.current_revision(ctx.engine) or 'base'}.")


@db.command()
@click.pass_obj
@friendly_errors
def current(ctx: Context) -> None:
    """Show the database's revision and whether it is up to date."""
    revision = migrations.current_revision(ctx.engine)
    state = "up to date" if migrations.is_up_to_date(ctx.engine) else "needs `db upgrade`"
    click.echo(f"{revision or 'base (empty)'} — {state}")


@main.command("seed")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.pass_obj
@friendly_errors
def seed_command(ctx: Context, path: str | None) -> None:
    """Load demo data from PATH (default: the Mosul 2016 seed); loading twice adds nothing."""
    from counterclaim.services import seed

    if not migrations.is_up_to_date(ctx.engine):
        raise click.ClickException("the database is not migrated: run `counterclaim db upgrade`")
    with ctx.session() as session:
        report = seed.load_seed(session, path or seed.default_seed_path())
        session.commit()
    click.echo(str(report))


def run() -> None:
    """Entry point that keeps tracebacks away from the terminal."""
    logging.basicConfig(level=logging.WARNING)
    try:
        main(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
