"""`counterclaim serve`: run the workbench."""

import click

from counterclaim.services import migrations

from . import Context, friendly_errors, main


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
