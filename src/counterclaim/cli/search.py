"""`counterclaim search`: full-text search from the terminal, as the workbench does it."""

import json

import click
from rich.console import Console
from rich.text import Text

from counterclaim.models.search import INDEXED
from counterclaim.services import migrations
from counterclaim.services.search import search as service

from . import Context, friendly_errors, main


@main.command("search")
@click.argument("query")
@click.option(
    "--kind", "kinds", multiple=True, type=click.Choice(list(INDEXED)),
    help="Search only this kind of text (repeatable; default: all).",
)  # fmt: skip
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 200),
              help="Results shown per kind.")  # fmt: skip
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.pass_obj
@friendly_errors
def search_command(ctx: Context, query: str, kinds, limit: int, page: int, as_json: bool):
    """Find QUERY in claims, source titles, excerpts, actor names and notes.

    Every word must appear; "quoted words" must appear together, in order; a word
    ending in * is a prefix (collaps* finds collapsing). Case and accents do not matter.
    """
    if not migrations.is_up_to_date(ctx.engine):
        raise click.ClickException("the database is not migrated: run `counterclaim db upgrade`")
    with ctx.session() as session:
        results = service.search(
            session, query, kinds=list(kinds) or None, page=page, per_page=limit
        )
        if not results.terms:
            raise click.ClickException(f"there is no word to search for in {query!r}")
        if as_json:
            click.echo(json.dumps(_as_json(results), ensure_ascii=False, indent=2))
        else:
            _print(results)


def _label(hit: service.Hit, kind: str) -> str:
    item = hit.item
    if kind == "claims":
        return f"claim #{item.id} · {item.claimant.name} · {item.stated_on or 'date unknown'}"
    if kind == "sources":
        return f"source #{item.id} · reliability {item.reliability} · {item.kind}"
    if kind == "excerpts":
        return f"excerpt in source #{item.source_id} of claim #{item.claim_id}"
    if kind == "actors":
        return f"actor #{item.id} · {item.kind}"
    subject = f"claim #{item.claim_id}" if item.claim_id else f"source #{item.source_id}"
    return f"note #{item.id} on {subject} by {item.author}"


def _print(results: service.Results) -> None:
    console = Console(highlight=False, soft_wrap=True)
    if not results.found:
        console.print(f"Nothing matches {results.query!r}.")
        return
    for group in results.groups:
        if not group.total:
            continue
        total = f"more than {group.window:,}" if group.more_than_window else f"{group.total:,}"
        console.print(Text(f"{group.indexed.label} ({total})", style="bold underline"))
        for hit in group.hits:
            line = Text("  ")
            for piece, marked in hit.snippet:
                line.append(piece.replace("\n", " "), style="bold yellow" if marked else None)
            console.print(line)
            console.print(Text(f"    {_label(hit, group.kind)}", style="dim"))
        if group.has_next:
            console.print(Text(f"  … more: --kind {group.kind} --page {group.page + 1}", "dim"))


def _as_json(results: service.Results) -> dict:
    return {
        "query": results.query,
        "groups": [
            {
                "kind": group.kind,
                "total": min(group.total, group.window),
                "more": group.more_than_window,
                "page": group.page,
                "hits": [
                    {
                        "id": hit.item.id,
                        "snippet": "".join(piece for piece, _ in hit.snippet),
                        "matched": [piece for piece, marked in hit.snippet if marked],
                        "exact_phrase": hit.exact,
                    }
                    for hit in group.hits
                ],
            }
            for group in results.groups
        ],
    }
