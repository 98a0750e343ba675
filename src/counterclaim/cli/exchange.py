"""`counterclaim import/export/backup/restore/verdicts/relations`: exchange data with others.

Over 400 lines for a reason: one thin command per exchange operation (import, export,
backup, restore, verdicts, relations) and the progress and problem output they share.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from counterclaim.models import Claim
from counterclaim.models.relation_mapping import RELATION_TARGETS
from counterclaim.models.vocabulary import CREDIBILITY
from counterclaim.services import exchange, migrations
from counterclaim.services.exchange import backup as backups
from counterclaim.services.exchange import dump, jsonld, relations, reviews, tabular, verdicts
from counterclaim.services.exchange.reading import (
    DATE_ORDERS,
    DEFAULT_MAX_BYTES,
    parse_date,
    read_file,
)
from counterclaim.services.exchange.records import group_problems

from . import Context, friendly_errors, main

SHOWN_PROBLEMS = 50
UNMAPPED_SHOWN = 20


def _require_migrated(ctx: Context) -> None:
    if not migrations.is_up_to_date(ctx.engine):
        raise click.ClickException("the database is not migrated: run `counterclaim db upgrade`")


def _max_bytes(value: int | None) -> int:
    if value is not None:
        return value
    setting = os.environ.get("COUNTERCLAIM_IMPORT_MAX_BYTES")
    return int(setting) if setting and setting.isdigit() else DEFAULT_MAX_BYTES


class _Bar:
    """A rich progress bar on a terminal; nothing when the output is not one."""

    def __init__(self, label: str):
        self.console = Console(stderr=True)
        self.progress = None
        if self.console.is_terminal:
            columns = ("{task.description}", BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn())  # fmt: skip
            self.progress = Progress(*columns, console=self.console, transient=True)
            self.task = self.progress.add_task(label, total=None)

    def __enter__(self):
        if self.progress:
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.stop()

    def update(self, done: int, total: int) -> None:
        if self.progress:
            self.progress.update(self.task, completed=done, total=total)


@main.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "format_",
    type=click.Choice(exchange.FORMATS),
    help="The file's format (default: from its name and content).",
)
@click.option(
    "--map",
    "mapping_file",
    type=click.Path(dir_okay=False),
    help="CSV/TSV: a YAML or JSON file naming the column of each field.",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=PATH",
    help="Tables: the column holding FIELD: a header, a column number (--no-header), a "
    "dotted path into JSON records (claimReview.0.url), @.path in an --each element.",
)
@click.option(
    "--entity",
    type=click.Choice(list(tabular.FIELDS)),
    help="Tables: what each row is (default: claims).",
)
@click.option("--no-header", is_flag=True, help="CSV/TSV: the first row is data; --column N.")
@click.option(
    "--each",
    multiple=True,
    metavar="PATH",
    help="JSON records: one row per element of this list (repeat for nested lists).",
)
@click.option(
    "--set",
    "constants",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Give every record this value (e.g. reviewer=PolitiFact).",
)
@click.option(
    "--add-tag",
    "add_tags",
    multiple=True,
    metavar="NAME",
    help="Tag every imported claim (repeatable).",
)
@click.option(
    "--dates", type=click.Choice(DATE_ORDERS), help="CSV/TSV: how dates are written (default: iso)."
)
@click.option("--encoding", help="The file's encoding when it is not UTF-8 (e.g. cp1252).")
@click.option("--dry-run", is_flag=True, help="Report what would be created; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid records; list the rest.")
@click.option(
    "--max-size",
    type=click.IntRange(1),
    metavar="BYTES",
    help="Refuse larger files (default: COUNTERCLAIM_IMPORT_MAX_BYTES, else 1 GiB).",
)
@click.pass_obj
@friendly_errors
def import_command(ctx: Context, path, format_, mapping_file, columns, entity, no_header, each,
                   constants, add_tags, dates, encoding, dry_run, skip_invalid,
                   max_size) -> None:  # fmt: skip
    """Import PATH: ClaimReview, Fact Check API JSON, CSV/TSV, JSON Lines/records, or a dump."""
    _require_migrated(ctx)
    mapping = tabular.load_mapping(mapping_file) if mapping_file else tabular.Mapping()
    mapping = mapping.merged(
        tabular.parse_column_options(columns), dates, entity,
        header=False if no_header else None, each=each,
        set=tabular.parse_column_options(constants, "--set", "value"), add_tags=add_tags,
    )  # fmt: skip
    console = Console(stderr=True)
    with (
        console.status(f"Reading {Path(path).name}…")
        if console.is_terminal
        else contextlib.nullcontext()
    ):
        data = read_file(path, _max_bytes(max_size))
        plan = exchange.read_plan(data, Path(path).name, format=format_, mapping=mapping,
                                  encoding=encoding)  # fmt: skip
        del data
    with ctx.session() as session, _Bar("Importing") as bar:
        try:
            report = exchange.run_import(
                session,
                plan,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                progress=bar.update,
                organisation=ctx.app.config["ORGANISATION"],
            )
        except exchange.ImportRefused as refused:
            session.rollback()
            _show_problems(refused.report.problems, Path(path).name)
            raise
        if dry_run:
            session.rollback()
        else:
            session.commit()
    if dry_run and report.problems:
        _show_groups(report, Path(path).name)
    else:
        _show_problems(report.problems, Path(path).name, skipped=skip_invalid and not dry_run)
    click.echo(report.summary())
    if report.unmapped_verdicts:
        shown = ", ".join(f"{v!r} ×{n}" for v, n in report.unmapped_verdicts.most_common(10))
        more = len(report.unmapped_verdicts) - 10
        shown += f" and {more} more" if more > 0 else ""
        click.echo(f"Verdicts not in the mapping (kept verbatim, credibility 6): {shown}")
    if dry_run and report.problems and not skip_invalid:
        raise click.ClickException(
            f"{len(report.problems)} problem(s): the import would be refused "
            "(fix them, or add --skip-invalid)"
        )


def _show_groups(report, name: str) -> None:
    """Show a dry run's problems grouped by kind, with the first few of each."""
    click.echo(f"{report.invalid:,} invalid record(s):", err=True)
    for kind, count, first in group_problems(report.problems):
        click.echo(f"  {count:,} × {kind}", err=True)
        for problem in first:
            click.echo(f"      {name}, {problem}", err=True)


def _show_problems(problems, name: str, skipped: bool = False) -> None:
    if not problems:
        return
    click.echo(("Skipped, with their problems:" if skipped else "Problems:"), err=True)
    for problem in problems[:SHOWN_PROBLEMS]:
        click.echo(f"  {name}, {problem}", err=True)
    if len(problems) > SHOWN_PROBLEMS:
        click.echo(f"  … and {len(problems) - SHOWN_PROBLEMS} more", err=True)


@main.command("export")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--all", "everything", is_flag=True, help="Every row of every table (a dump).")
@click.option("--claim", "claim_ids", multiple=True, type=int, help="A claim (repeatable).")
@click.option("--tag", help="Claims under this tag.")
@click.option("--actor", help="Claims made by this actor.")
@click.option("--from", "stated_from", help="Claims stated on or after this date.")
@click.option("--to", "stated_to", help="Claims stated on or before this date.")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["claimreview"]),
    default="claimreview",
    show_default=True,
    help="The format of claim exports.",
)
@click.option(
    "--base-url",
    help="The workbench's address, for our own reviews' url (default: COUNTERCLAIM_BASE_URL).",
)
@click.pass_obj
@friendly_errors
def export_command(ctx: Context, path, everything, claim_ids, tag, actor, stated_from, stated_to,
                   format_, base_url) -> None:  # fmt: skip
    """Write a dump (--all) or claims as ClaimReview JSON-LD to PATH (- for stdout)."""
    _require_migrated(ctx)
    if everything:
        if path == "-":
            written = dump.export(ctx.engine, sys.stdout)
        else:
            written = _write_atomically(path, lambda out: dump.export(ctx.engine, out))
        rows = sum(written.values())
        click.echo(
            f"Wrote {rows:,} rows of {len(written)} non-empty tables to {path}.", err=path == "-"
        )
        return
    with ctx.session() as session:
        missing = [i for i in claim_ids if session.get(Claim, i) is None]
        if missing:
            raise click.ClickException(f"there is no claim #{missing[0]}")
        ids = list(claim_ids) or jsonld.select_claims(
            session, tag=tag, actor=actor,
            stated_from=parse_date(stated_from) if stated_from else None,
            stated_to=parse_date(stated_to) if stated_to else None,
        )  # fmt: skip
        if not ids:
            raise click.ClickException("no claim matches: nothing to export")
        base_url = base_url or ctx.app.config.get("BASE_URL")
        base = base_url.rstrip("/") if base_url else None
        urls = {i: f"{base}/claims/{i}" for i in ids} if base else None
        organisation = ctx.app.config["ORGANISATION"]
        documents = jsonld.export_reviews(session, ids, organisation=organisation, urls=urls)
    if not base:
        click.echo(
            "Our own reviews are left out: they need the claims' address (--base-url or "
            "COUNTERCLAIM_BASE_URL).",
            err=True,
        )
    if not documents:
        raise click.ClickException("the claims have no review to export (and no --base-url)")
    document = (
        {"@context": jsonld.CONTEXT, **documents[0]}
        if len(documents) == 1
        else jsonld.export_document(documents)
    )
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if path == "-":
        click.echo(text, nl=False)
    else:
        _write_atomically(path, lambda out: out.write(text))
        click.echo(f"Wrote {len(documents)} ClaimReview(s) of {len(ids)} claim(s) to {path}.")


def _write_atomically(path: str, write):
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("w", encoding="utf-8") as out:
            result = write(out)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return result


@main.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--overwrite", is_flag=True, help="Replace PATH if it exists.")
@click.pass_obj
@friendly_errors
def backup_command(ctx: Context, path: str, overwrite: bool) -> None:
    """Write a consistent copy of the database to PATH, even while it is in use."""
    result = backups.backup(ctx.engine, path, overwrite=overwrite)
    click.echo(f"Backed up to {result.path} ({result.size:,} bytes; {result.check}).")


@main.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
@friendly_errors
def restore_command(ctx: Context, path: str, yes: bool) -> None:
    """Replace everything in the database with the backup at PATH (asks first)."""
    if not Path(path).is_file():
        raise click.ClickException(f"{path} is not a file")
    where = ctx.engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"Replace everything in {where} with {path}?", abort=True)
    click.echo(backups.restore(ctx.engine, path))
    if not migrations.is_up_to_date(ctx.engine):
        click.echo("The restored database is at an older revision: run `counterclaim db upgrade`.")


@main.group("verdicts")
def verdicts_group() -> None:
    """The mapping of fact-checkers' verdicts to Admiralty credibility."""


@verdicts_group.command("list")
@click.option("--team", is_flag=True, help="Only the team's own mappings.")
@click.pass_obj
@friendly_errors
def verdicts_list(ctx: Context, team: bool) -> None:
    """Show every verdict mapping in force (the team's first, then the defaults)."""
    _require_migrated(ctx)
    with ctx.session() as session:
        entries = verdicts.VerdictMap.load(session).entries()
    for entry in entries:
        if team and entry.origin != "team":
            continue
        note = f"  ({entry.note})" if entry.note else ""
        click.echo(f"{entry.credibility}  {entry.verdict}  [{entry.origin}]{note}")


@verdicts_group.command("set")
@click.argument("verdict")
@click.argument("credibility", type=click.IntRange(1, 6))
@click.option("--note", default="", help="Why it maps so.")
@click.pass_obj
@friendly_errors
def verdicts_set(ctx: Context, verdict: str, credibility: int, note: str) -> None:
    """Map VERDICT to CREDIBILITY (1–6) for this team, over any default."""
    _require_migrated(ctx)
    with ctx.session() as session:
        row = verdicts.set_mapping(session, verdict, credibility, note)
        session.commit()
    click.echo(f"{row.label!r} now maps to {credibility} ({CREDIBILITY[credibility]}).")


@verdicts_group.command("unset")
@click.argument("verdict")
@click.pass_obj
@friendly_errors
def verdicts_unset(ctx: Context, verdict: str) -> None:
    """Remove the team's mapping of VERDICT (its default, if any, applies again)."""
    _require_migrated(ctx)
    with ctx.session() as session:
        removed = verdicts.unset_mapping(session, verdict)
        session.commit()
    if not removed:
        raise click.ClickException(f"the team has no mapping of {verdict!r}")
    click.echo(f"Removed the team's mapping of {verdict!r}.")


@verdicts_group.command("check")
@click.argument("verdict")
@click.pass_obj
@friendly_errors
def verdicts_check(ctx: Context, verdict: str) -> None:
    """Show what VERDICT maps to, and why."""
    _require_migrated(ctx)
    with ctx.session() as session:
        mapping = verdicts.VerdictMap.load(session).map(verdict)
    origin = {"team": "the team's mapping", "default": "built-in default",
              "unmapped": "not in the mapping"}[mapping.origin]  # fmt: skip
    click.echo(f"{verdict!r} → {mapping.credibility} ({CREDIBILITY[mapping.credibility]}); "
               f"{origin}; compared as {mapping.key!r}")  # fmt: skip


@verdicts_group.command("reapply")
@click.pass_obj
@friendly_errors
def verdicts_reapply(ctx: Context) -> None:
    """Map every stored review's verdict again with the mapping in force (audited)."""
    _require_migrated(ctx)
    with ctx.session() as session:
        result = reviews.reapply(session)
        session.commit()
    click.echo(f"Re-mapped {result.reviews:,} review(s): {result.changed:,} changed.")


@verdicts_group.command("unmapped")
@click.option("--all", "everything", is_flag=True, help="Every unmapped verdict, not the top 20.")
@click.pass_obj
@friendly_errors
def verdicts_unmapped(ctx: Context, everything: bool) -> None:
    """List the stored reviews' verdicts that no mapping knows, counted per review."""
    _require_migrated(ctx)
    with ctx.session() as session:
        rows = reviews.unmapped(session)
    if not rows:
        click.echo("Every stored review's verdict is mapped.")
        return
    shown = rows if everything else rows[:UNMAPPED_SHOWN]
    for verdict, count, reviewers in shown:
        click.echo(f"{count:>6,}  {verdict}  ({reviewers} reviewer(s))")
    if len(rows) > len(shown):
        click.echo(f"… and {len(rows) - len(shown):,} more: add --all to see every one.")
    click.echo("Map one with `counterclaim verdicts set VERDICT 1-6`, then `verdicts reapply`.")


@main.group("relations")
def relations_group() -> None:
    """The mapping of datasets' link labels (SUPPORTS, REFUTES…) to relations."""


@relations_group.command("list")
@click.pass_obj
@friendly_errors
def relations_list(ctx: Context) -> None:
    """Show every link-label mapping in force (the team's first, then the defaults)."""
    _require_migrated(ctx)
    with ctx.session() as session:
        entries = relations.RelationMap.load(session).entries()
    for entry in entries:
        note = f"  ({entry.note})" if entry.note else ""
        click.echo(f"{entry.relation:<12} {entry.label}  [{entry.origin}]{note}")


@relations_group.command("set")
@click.argument("label")
@click.argument("relation", type=click.Choice(list(RELATION_TARGETS)))
@click.option("--note", default="", help="Why it maps so.")
@click.pass_obj
@friendly_errors
def relations_set(ctx: Context, label: str, relation: str, note: str) -> None:
    """Map LABEL to RELATION (or none: no link, the evidence kept as an appearance)."""
    _require_migrated(ctx)
    with ctx.session() as session:
        row = relations.set_relation(session, label, relation, note)
        session.commit()
    click.echo(f"{row.written!r} now maps to {relation}.")


@relations_group.command("unset")
@click.argument("label")
@click.pass_obj
@friendly_errors
def relations_unset(ctx: Context, label: str) -> None:
    """Remove the team's mapping of LABEL (its default, if any, applies again)."""
    _require_migrated(ctx)
    with ctx.session() as session:
        removed = relations.unset_relation(session, label)
        session.commit()
    if not removed:
        raise click.ClickException(f"the team has no mapping of {label!r}")
    click.echo(f"Removed the team's mapping of {label!r}.")
