"""`counterclaim seed`: load demo data."""

import click

from counterclaim.services import migrations

from . import Context, friendly_errors, main


@main.command("seed")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.pass_obj
@friendly_errors
def seed_command(ctx: Context, path: str | None) -> None:
    """Load demo data from PATH (default: the Mosul 2016 seed); loading twice adds nothing."""
    from counterclaim.services.demo import seed

    if not migrations.is_up_to_date(ctx.engine):
        raise click.ClickException("the database is not migrated: run `counterclaim db upgrade`")
    with ctx.session() as session:
        report = seed.load_seed(session, path or seed.default_seed_path())
        session.commit()
    click.echo(str(report))
