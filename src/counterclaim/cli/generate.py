"""`counterclaim generate`: synthetic data for benchmarks and load tests."""

import time

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from counterclaim.services import migrations
from counterclaim.services.demo import synthetic

from . import Context, friendly_errors, main


@main.command()
@click.option("--claims", "count", required=True, type=click.IntRange(1, 50_000_000))
@click.option("--seed", default=1, show_default=True, type=int)
@click.pass_obj
@friendly_errors
def generate(ctx: Context, count: int, seed: int) -> None:
    """Append COUNT synthetic claims (deterministic for a seed) with everything around them."""
    if not migrations.is_up_to_date(ctx.engine):
        raise click.ClickException("the database is not migrated: run `counterclaim db upgrade`")
    started = time.perf_counter()
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("claims", total=count)

        def advance(table: str, rows: int) -> None:
            if table == "claims":
                bar.advance(task, rows)

        written = synthetic.generate(ctx.engine, claims=count, seed=seed, progress=advance)
    seconds = time.perf_counter() - started
    summary = ", ".join(f"{n:,} {table}" for table, n in written.items())
    click.echo(f"Generated {summary} in {seconds:.1f} s.")
