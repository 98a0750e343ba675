"""`counterclaim serve`: run the workbench."""

import os

import click

from counterclaim.services import migrations

from . import Context, friendly_errors, main

# waitress's settings, chosen so that clients who stop reading cannot freeze the workbench:
# - a worker thread writing to such a client blocks once the response's buffer passes
#   `outbuf_high_watermark` (16 MB, the default), until the stream's wall-clock limit
#   shuts the socket (web/streaming.py); only heavy requests write that much, and they
#   are bounded (HEAVY_PER_USER per user, REPORT_CONCURRENCY reports, SQL_CONCURRENCY
#   console queries), so with `threads` well above those bounds pages keep answering;
# - beyond `outbuf_overflow` (1 MB) a response waiting for its client is kept in a
#   temporary file, not in memory;
# - `channel_timeout` closes connections idle for a minute (the default is two).
WAITRESS = {"threads": 16, "channel_timeout": 60, "outbuf_overflow": 1 << 20,
            "outbuf_high_watermark": 16 << 20, "connection_limit": 200}  # fmt: skip


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
    _first_admin(ctx)
    if not no_seed:
        _seed_if_empty(ctx)
    click.echo(f"Database: {ctx.engine.url.render_as_string(hide_password=True)}")
    click.echo(f"Counterclaim is running: open http://{host}:{port}/  (Ctrl+C stops it)")
    waitress_serve(ctx.app, host=host, port=port, _quiet=True, **WAITRESS)


def _seed_if_empty(ctx: Context) -> None:
    from counterclaim.services.demo import seed

    with ctx.session() as session:
        if seed.is_empty(session):
            report = seed.load_seed(session, seed.default_seed_path())
            session.commit()
            click.echo(f"Loaded the demo data. {report}")


def _first_admin(ctx: Context) -> None:
    """Create the administrator on first run; show a generated password once."""
    from counterclaim.services.accounts import users

    given = os.environ.get("COUNTERCLAIM_ADMIN_PASSWORD") or None
    with ctx.session() as session:
        created = users.ensure_first_admin(
            session, os.environ.get("COUNTERCLAIM_ADMIN_USERNAME") or "admin", given
        )
        if created is None:
            return
        session.commit()
    user, password = created
    if given:
        click.echo(f"Created the administrator {user.username!r} with COUNTERCLAIM_ADMIN_PASSWORD.")
    else:
        click.echo(
            f"Created the administrator {user.username!r}. One-time password (shown only now;"
            f" signing in with it asks you to choose your own):\n\n    {password}\n"
        )
