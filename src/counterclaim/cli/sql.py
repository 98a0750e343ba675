"""`counterclaim sql` and `counterclaim db create-readonly-role`: research SQL from a shell.

`sql` runs one read-only statement through the same console as the browser, with the same
safety layers, time limit and row limit (the table format shows the first rows; csv and
json stream them all).
"""

import sys

import click
from rich.console import Console as RichConsole
from rich.table import Table

from counterclaim.services import migrations
from counterclaim.services.research import result_formats
from counterclaim.services.research.readonly_role import DEFAULT_ROLE, create_readonly_role
from counterclaim.services.research.sql_common import ConsoleError, line_and_column, parameter_names
from counterclaim.services.research.sql_console import console_from_config

from . import Context, friendly_errors, main
from .migrate import db


@main.command("sql")
@click.argument("query")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A value for the query's :NAME parameter (repeat for each).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
    show_default=True, help="table shows the first rows; csv and json give them all.",
)  # fmt: skip
@click.pass_obj
@friendly_errors
def sql_command(ctx: Context, query: str, params: tuple[str, ...], fmt: str) -> None:
    """Run one read-only SQL QUERY ("-" reads it from standard input)."""
    if query == "-":
        query = sys.stdin.read()
    values = _values(query, params)
    console = console_from_config({**ctx.app.config, "DATABASE_URL": ctx.url})
    try:
        if fmt == "table":
            _print_table(console.run(query, values), console.settings.row_limit)
        else:
            write = result_formats.csv_chunks if fmt == "csv" else result_formats.json_chunks
            with console.stream(query, values) as stream:
                for chunk in write(stream.columns, stream):
                    click.echo(chunk, nl=False)
    except ConsoleError as error:
        where = ""
        if error.position:
            where = " (at line {}, column {})".format(*line_and_column(query, error.position))
        raise click.ClickException(f"{error}{where}") from error
    finally:
        console.dispose()


@db.command("create-readonly-role")
@click.option("--name", default=DEFAULT_ROLE, show_default=True, help="The role's name.")
@click.option(
    "--password",
    help="Set this password (default: random for a new role; an existing one keeps its own).",
)
@click.pass_obj
@friendly_errors
def create_readonly_role_command(ctx: Context, name: str, password: str | None) -> None:
    """Create (or bring up to date) the PostgreSQL role the SQL console runs as."""
    if ctx.engine.dialect.name == "postgresql" and not migrations.is_up_to_date(ctx.engine):
        raise click.ClickException("the database is not migrated: run `counterclaim db upgrade`")
    role = create_readonly_role(ctx.engine, name, password)
    verb = "Created" if role.created else "Updated"
    click.echo(
        f"{verb} the read-only role {role.name}: SELECT on {role.tables} tables and "
        f"{role.views} research views, secret columns left out."
    )
    url = role.url
    if not role.password_set:
        click.echo("Its password is unchanged (give --password to set a new one).")
        url = url.replace(f"//{role.name}@", f"//{role.name}:PASSWORD@", 1)
    click.echo("Give the workbench this setting (keep it secret):")
    click.echo(f"COUNTERCLAIM_READONLY_DATABASE_URL={url}")


def _values(query: str, params: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for param in params:
        name, equals, value = param.partition("=")
        name = name.strip().lstrip(":")
        if not equals or not name:
            raise click.BadParameter(f"{param!r} is not NAME=VALUE", param_hint="--param")
        values[name] = value
    unknown = sorted(set(values) - set(parameter_names(query)))
    if unknown:
        names = ", ".join(f":{name}" for name in unknown)
        raise click.BadParameter(f"the query has no parameter {names}", param_hint="--param")
    return values


def _print_table(result, row_limit: int) -> None:
    table = Table(show_lines=False, header_style="bold")
    for name in result.columns:
        table.add_column(name, overflow="fold")
    for row in result.rows:
        table.add_row(*("[dim]NULL[/dim]" if v is None else _plain(v) for v in row))
    RichConsole(file=sys.stdout, highlight=False).print(table)
    rows = f"{result.row_count:,} row{'' if result.row_count == 1 else 's'}"
    note = ""
    if result.truncated:
        note = f" (cut at {result.row_count:,}: use --format csv or json for every row)"
    click.echo(f"{rows} in {result.elapsed_ms:.0f} ms{note}", err=True)


def _plain(value) -> str:
    from rich.markup import escape

    return escape(str(value))
