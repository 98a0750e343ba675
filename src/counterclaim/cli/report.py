"""`counterclaim report`: a contradiction report in any format, to a file or stdout."""

import json
import os
import sys

import click

from counterclaim import report_formats
from counterclaim.db import make_sessionmaker, reader
from counterclaim.report_formats import FORMATS, rigour
from counterclaim.report_formats import changes as changes_format
from counterclaim.report_formats.pdf import refuse_too_large
from counterclaim.services import migrations
from counterclaim.services.reports import changes, report_rigour
from counterclaim.services.reports.reports import ReportScope, ScopeError, build_report, count

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
@click.option(
    "--snapshot", is_flag=True, help="Also save the report as a snapshot, to compare with later."
)
@click.option(
    "--since",
    metavar="SNAPSHOT_ID|DATE",
    help="Instead of the report, what changed since a snapshot (its scope) or a date.",
)
@click.pass_obj
@friendly_errors
def report_command(
    ctx: Context, tags, fmt: str, output: str | None, snapshot: bool, since: str | None, **options
) -> None:
    """Make a contradiction report of the claims in a scope (every claim if none is given)."""
    if since is not None:
        return since_command(ctx, tags, fmt, output, snapshot, since, options)
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
            if fmt == "json":  # corroboration, circular reporting, claimants' records
                found = report_rigour.report_rigour(session, scope)
                report.extras["rigour"] = report_rigour.as_json(found)
            if output is None:
                report_formats.write(report, fmt, sys.stdout.buffer)
            else:
                _write_file(report, fmt, output)
            if fmt == "md":  # corroboration, circular reporting, claimants' records
                _append_rigour(session, scope, output)
    except ScopeError as error:
        option = OPTION_NAMES.get(error.parameter, f"--{error.parameter}")
        raise click.ClickException(f"{option}: {error.message}") from error
    if output is not None:
        click.echo(f"Wrote {report.summary.pairs} contradiction(s) in "
                   f"{report.summary.claims} claim(s) in scope to {output}.", err=True)  # fmt: skip
    if snapshot:
        saved = _save_snapshot(ctx, scope)
        click.echo(f"Saved snapshot #{saved}: `counterclaim report --since {saved}` shows "
                   "what changed since.", err=True)  # fmt: skip


def _append_rigour(session, scope, output: str | None) -> None:
    text = "\n" + rigour.markdown(report_rigour.report_rigour(session, scope))
    if output is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    else:
        with open(output, "a", encoding="utf-8") as out:
            out.write(text)


def _save_snapshot(ctx: Context, scope) -> int:
    """Save the report of `scope` as a snapshot; return its number."""
    with make_sessionmaker(ctx.engine).begin() as session:
        built = build_report(session, scope)
        content = json.loads("".join(report_formats.render(built, "json")))
        return changes.save_snapshot(session, scope, content, by=None).id


def since_command(ctx, tags, fmt, output, snapshot, since, options) -> None:
    """Write what changed since a snapshot or a date, in Markdown, HTML or JSON."""
    if fmt not in changes_format.FORMATS:
        raise click.ClickException(
            f"--since: a change report is Markdown, HTML or JSON, not {fmt.upper()}."
        )
    if snapshot:
        raise click.ClickException("--since and --snapshot: choose one.")
    if not migrations.is_up_to_date(ctx.engine):
        raise click.ClickException("the database is not migrated: run `counterclaim db upgrade`")
    params = {"tag": list(tags), **{k: v for k, v in options.items() if v is not None}}
    try:
        with make_sessionmaker(reader(ctx.engine))() as session:
            moment, saved = changes.parse_since(session, since)
            if saved is not None and any(params.values()):
                raise click.ClickException(
                    "--since SNAPSHOT_ID compares the snapshot's own scope: drop the scope options."
                )
            scope = changes.scope_of(saved) if saved else ReportScope.from_params(params)
            found = changes.changes_since(session, moment, scope)
            found.snapshot_id = saved.id if saved else None
            text = changes_format.render(found, fmt)
    except changes.SinceError as error:
        raise click.ClickException(f"--since: {error}") from error
    except ScopeError as error:
        option = OPTION_NAMES.get(error.parameter, f"--{error.parameter}")
        raise click.ClickException(f"{option}: {error.message}") from error
    if output is None:
        click.echo(text, nl=False)
    else:
        with open(output, "w", encoding="utf-8") as out:
            out.write(text)
        click.echo(f"Wrote {found.total} change(s) to {output}.", err=True)


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
