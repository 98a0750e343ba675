"""`counterclaim report`: a contradiction report in any format, to a file or stdout."""

import os
import sys

import click

from counterclaim import report_formats
from counterclaim.db import make_sessionmaker, reader
from counterclaim.report_formats import FORMATS
from counterclaim.report_formats.pdf import refuse_too_large
from counterclaim.services import migrations
from counterclaim.services.reports import ReportScope, ScopeError, build_report, count

from . import Context, friendly_errors, main

# The CLI's name for each scope parameter, for error messages.
OPTION_NAMES = {"stated_from": "--from", "stated_to": "--to"}


@main.command("report")
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="NAME",
    help="Claims filed under this tag (repeat: under every tag given).",
)
@click.option("--actor", metavar="NAME|ID", help="Claims made by this actor.")
@click.option("--claim", metavar="ID", help="One claim and the claims linked to it.")
@click.option("--depth", metavar="N", help="How many links away from --claim (1–3, default 1).")
@click.option("--from", "stated_from", metavar="YYYY-MM-DD", help="Claims stated on or after.")
@click.option("--to", "stated_to", metavar="YYYY-MM-DD", help="Claims stated on or before.")
@click.option("--status", metavar="STATUS", help="Claims in this workflow status.")
@click.option(
    "--reliability", metavar="A-F", help="Claims carried by a source rated this letter or better."
)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="md", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="The file to write (default: standard output; a PDF needs a file).",
)
@click.pass_obj
@friendly_errors
def report_command(ctx: Context, tags, fmt: str, output: str | None, **options) -> None:
    """Make a contradiction report of the claims in a scope (every claim if none is given)."""
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise click.ClickException("a PDF goes to a file: add -o FILE")
    if not migrations.is_up_to_date(ctx.engine):
        raise click.ClickException("the database is not migrated: run `counterclaim db upgrade`")
    params = {"tag": list(tags), **{k: v for k, v in options.items() if v is not None}}
    try:
        scope = ReportScope.from_params(params)
        # a reader's transaction: a long report must not hold SQLite's write lock
        with make_sessionmaker(reader(ctx.engine))() as session:
            counted = count(session, scope)
            if fmt == "pdf":  # refused from the count, before anything is built
                refuse_too_large(fmt, counted[1].pairs)
            report = build_report(
                session, scope, stream=FORMATS[fmt].streams, counted=counted, detailed=fmt == "md"
            )
            if output is None:
                report_formats.write(report, fmt, sys.stdout.buffer)
            else:
                _write_file(report, fmt, output)
    except ScopeError as error:
        option = OPTION_NAMES.get(error.parameter, f"--{error.parameter}")
        raise click.ClickException(f"{option}: {error.message}") from error
    if output is not None:
        click.echo(f"Wrote {report.summary.pairs} contradiction(s) in "
                   f"{report.summary.claims} claim(s) in scope to {output}.", err=True)  # fmt: skip


def _write_file(report, fmt: str, path: str) -> None:
    """Write the report beside `path`, then move it there: never a half-written file."""
    partial = f"{path}.part"
    try:
        with open(partial, "wb") as out:
            report_formats.write(report, fmt, out)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
