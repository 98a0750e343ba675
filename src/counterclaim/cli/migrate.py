"""`counterclaim db ...`: migrate the schema."""

import click

from counterclaim.services import migrations

from . import Context, friendly_errors, main


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
