"""Run the benchmarks: `python -m tests.benchmarks [--claims N ...] [--engines ...]`.

For each engine and number of claims it makes (or reuses) a data set of synthetic claims,
runs every `bench_*.py` module on it (see __init__.py for their contract), prints a table
and saves every figure as JSON under benchmark-results/.
"""

import argparse
import importlib
import json
import os
import platform
import re
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.engine import make_url

from counterclaim.db import make_engine
from counterclaim.services import migrations

from .harness import Context, Measurement, Unavailable, venv_script

SMALL_CLAIMS = 2_000
PG_RATIO = 1.5  # issue 15: every page on PostgreSQL within 1.5× its time on SQLite
HERE = Path(__file__).parent
ROOT = HERE.parent.parent
console = Console(width=None if sys.stdout.isatty() else 220)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--claims", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--engines", nargs="+", choices=("sqlite", "postgresql"),
                        default=["sqlite", "postgresql"])  # fmt: skip
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="run only these modules (bench_NAME.py)")  # fmt: skip
    parser.add_argument("--skip", nargs="+", metavar="NAME", default=[],
                        help="leave these modules out")  # fmt: skip
    parser.add_argument("--seconds", type=float, default=1.0,
                        help="time budget of each timed loop (default 1)")  # fmt: skip
    parser.add_argument("--http-seconds", type=float, default=5.0,
                        help="length of each HTTP load run (default 5)")  # fmt: skip
    parser.add_argument("--load-seconds", type=float, default=60.0,
                        help="length of the editing load test (default 60)")  # fmt: skip
    parser.add_argument("--data-dir", type=Path, default=ROOT / "benchmark-results" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmark-results")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("COUNTERCLAIM_BENCH_POSTGRES_URL",
                               "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL server to make the benchmark databases on",
    )  # fmt: skip
    parser.add_argument("--regenerate", action="store_true",
                        help="make the data sets again even when they exist")  # fmt: skip
    parser.add_argument("--small", action="store_true",
                        help="check every module works: 2,000 claims, SQLite unless --engines"
                             " is given, a fraction of a second per figure")  # fmt: skip
    args = parser.parse_args(argv)
    if args.small:
        given = set(argv if argv is not None else sys.argv[1:])
        args.claims = [SMALL_CLAIMS] if "--claims" not in given else args.claims
        args.engines = ["sqlite"] if "--engines" not in given else args.engines
        args.seconds, args.http_seconds, args.load_seconds = 0.05, 1.0, 3.0
    return args


def discover(args) -> tuple[list[tuple[str, object]], list[str]]:
    """Import every bench_*.py; return the modules to run and the names of broken ones.

    A module whose feature is missing (ImportError) is reported, not run; a module
    without run(ctx) is broken: the run fails.
    """
    modules, broken = [], []
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if (args.only and name not in args.only) or name in args.skip:
            continue
        try:
            module = importlib.import_module(f"{__package__}.{path.stem}")
        except ImportError as error:
            console.print(f"[yellow]{name}: not available ({error})[/]")
            continue
        if callable(getattr(module, "run", None)):
            modules.append((name, module))
        else:
            console.print(f"[red]{name}: has no run(ctx)[/]")
            broken.append(name)
    unknown = set(args.only or ()) - {
        path.stem.removeprefix("bench_") for path in HERE.glob("bench_*.py")
    }
    broken += sorted(f"{name} (no such module)" for name in unknown)
    return modules, broken


def dataset_url(args, engine: str, claims: int) -> str:
    if engine == "sqlite":
        return f"sqlite:///{(args.data_dir / f'sqlite-{claims}.db').resolve()}"
    url = make_url(args.postgres_url).set(database=f"counterclaim_bench_{claims}")
    return url.render_as_string(hide_password=False)


def prepare(args, engine: str, claims: int) -> tuple[str, dict]:
    """Return the URL of a migrated data set of `claims` claims, generating it if needed."""
    url = dataset_url(args, engine, claims)
    sidecar = args.data_dir / f"{engine}-{claims}.json"
    if not args.regenerate and sidecar.exists() and _count_claims(url) == claims:
        _upgrade(url)
        return url, json.loads(sidecar.read_text())
    _create_empty(args, engine, url)
    _upgrade(url)
    console.print(f"Generating {claims:,} claims on {engine}…")
    info = generate_measured(url, claims)
    _upgrade(url)  # a no-op unless migrations were added since
    sidecar.write_text(json.dumps(info, indent=2))
    return url, info


def generate_measured(url: str, claims: int) -> dict:
    """Run `counterclaim generate` in a child process; return its time, rows and peak RSS."""
    argv = [venv_script("counterclaim"), "--database", url, "generate", "--claims", str(claims)]
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)  # noqa: S603
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"generate failed: {output}")
    summary = output.rsplit("Generated", 1)[-1].split(" in ", 1)[0]
    rows = {table: int(n.replace(",", "")) for n, table in re.findall(r"(\d[\d,]*) (\w+)", summary)}
    return {"claims": claims, "seconds": round(seconds, 1), "rows": rows,
            "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip


def _count_claims(url: str) -> int | None:
    if url.startswith("sqlite:") and not Path(make_url(url).database).exists():
        return None
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(text("SELECT count(*) FROM claims"))
    except Exception:  # noqa: BLE001 - missing database or table: make it anew
        return None
    finally:
        engine.dispose()


def _create_empty(args, engine: str, url: str) -> None:
    if engine == "sqlite":
        path = Path(make_url(url).database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = make_url(url).database
    admin = make_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _upgrade(url: str) -> None:
    """Migrate the data set; on PostgreSQL, VACUUM (ANALYZE) it as autovacuum would in time.

    A freshly loaded table has no visibility map, so no index answers alone (index-only
    scans fetch every row) and the plans differ from a database in use.
    """
    engine = make_engine(url)
    try:
        migrations.upgrade(engine)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM (ANALYZE)")  # not inside a transaction
    finally:
        engine.dispose()


def run_module(name, module, ctx: Context) -> list[Measurement]:
    engines = getattr(module, "ENGINES", {"sqlite", "postgresql"})
    if ctx.engine not in engines or (getattr(module, "LARGEST_ONLY", False) and not ctx.is_largest):
        return []
    console.print(f"[bold]{name}[/] on {ctx.engine}, {ctx.claims:,} claims")
    results: list[Measurement] = []
    try:
        for result in module.run(ctx):  # keep each figure as it comes, whatever follows
            result.bench, result.engine, result.claims = name, ctx.engine, ctx.claims
            console.print("  " + _line(result))
            results.append(result)
    except Unavailable as why:
        console.print(f"[yellow]{name}: not available ({why})[/]")
    except Exception:  # noqa: BLE001 - one broken module must not lose the others' figures
        console.print(f"[red]{name} failed:[/]\n{traceback.format_exc()}")
        results.append(Measurement(name="(failed)", note=traceback.format_exc(limit=3),
                                   bench=name, engine=ctx.engine, claims=ctx.claims))  # fmt: skip
    return results


def _fmt(value, unit="", digits=1) -> str:
    return "" if value is None else f"{value:,.{digits}f}{unit}"


def _line(m: Measurement) -> str:
    parts = [m.name]
    if m.ours_ms is not None:
        parts.append(f"ours {_fmt(m.ours_ms, ' ms', 2)}")
    if m.raw_ms is not None:
        parts.append(f"raw SQL {_fmt(m.raw_ms, ' ms', 2)} (×{_fmt(m.ratio)})")
    if m.statements is not None:
        parts.append(f"{m.statements} statements")
    if m.rps is not None:
        parts.append(f"{_fmt(m.rps, ' req/s')}")
    if m.datasette_rps is not None:
        parts.append(f"Datasette {_fmt(m.datasette_rps, ' req/s')}")
    parts += [f"{k} {v}" for k, v in m.extra.items() if not isinstance(v, dict | list)]
    if m.note:
        parts.append(f"note: {m.note}")
    failed = [k for k, ok in m.checks.items() if not ok]
    if failed:
        parts.append("[red]missed: " + "; ".join(failed) + "[/]")
    return " · ".join(parts)


def table(results: list[Measurement]) -> Table:
    out = Table(title="Counterclaim benchmarks", show_lines=False)
    for column in ("bench", "engine", "claims", "measurement", "ours ms", "raw SQL ms", "×raw",
                   "stmts", "req/s", "Datasette req/s", "PG/SQLite", "targets"):  # fmt: skip
        out.add_column(column, justify="right" if column not in ("measurement",) else "left")
    sqlite = {(m.bench, m.claims, m.name): m for m in results if m.engine == "sqlite"}
    for m in results:
        base = sqlite.get((m.bench, m.claims, m.name)) if m.engine == "postgresql" else None
        versus = None
        if base and base.ours_ms and m.ours_ms:
            versus = m.ours_ms / base.ours_ms
        elif base and base.rps and m.rps:
            versus = base.rps / m.rps
        met = [k for k, ok in m.checks.items() if ok]
        missed = [k for k, ok in m.checks.items() if not ok]
        marks = ("[green]✓ " + str(len(met)) + "[/]" if met else "") + (
            (" [red]✗ " + "; ".join(missed) + "[/]") if missed else "")  # fmt: skip
        out.add_row(m.bench, m.engine, f"{m.claims:,}", m.name, _fmt(m.ours_ms, digits=2),
                    _fmt(m.raw_ms, digits=2), _fmt(m.ratio), _fmt(m.statements, digits=0),
                    _fmt(m.rps, digits=0), _fmt(m.datasette_rps, digits=0), _fmt(versus),
                    marks)  # fmt: skip
    return out


def cross_checks(results: list[Measurement]) -> list[str]:
    """Targets that compare data sets: constant statements, PostgreSQL within 1.5× SQLite."""
    lines = []
    by_page: dict[tuple, dict[int, int]] = {}
    for m in results:
        if m.statements is not None:
            by_page.setdefault((m.bench, m.engine, m.name), {})[m.claims] = m.statements
    for (bench, engine, name), counts in by_page.items():
        if len(counts) > 1:
            same = len(set(counts.values())) == 1
            lines.append(f"{'✓' if same else '✗'} statements constant: {bench} {engine} {name} "
                         f"{dict(sorted(counts.items()))}")  # fmt: skip
    sqlite = {(m.bench, m.claims, m.name): m for m in results if m.engine == "sqlite"}
    for m in results:
        base = sqlite.get((m.bench, m.claims, m.name))
        if m.engine == "postgresql" and base and base.ours_ms and m.ours_ms:
            ratio = m.ours_ms / base.ours_ms
            mark = "✓" if ratio <= PG_RATIO else "✗"
            lines.append(f"{mark} PostgreSQL within {PG_RATIO}× SQLite: "
                         f"{m.bench} {m.name} at {m.claims:,}: ×{ratio:.2f}")  # fmt: skip
    return lines


def main(argv=None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    modules, broken = discover(args)
    results: list[Measurement] = []
    started = datetime.now(UTC)
    path = args.out / f"benchmarks-{started:%Y%m%d-%H%M%S}.json"
    for engine in args.engines:
        for claims in sorted(args.claims):
            url, info = prepare(args, engine, claims)
            ctx = Context(engine=engine, claims=claims, url=url, options=args,
                          is_largest=claims == max(args.claims), dataset=info)  # fmt: skip
            try:
                for name, module in modules:
                    results += run_module(name, module, ctx)
                    save(path, args, started, results)  # an interrupted run keeps its figures
            finally:
                ctx.close()
    console.print(table(results))
    for line in cross_checks(results):
        console.print(("[green]" if line.startswith("✓") else "[red]") + line + "[/]")
    save(path, args, started, results)
    console.print(f"Saved {path}")
    failed = broken + sorted({f"{m.bench} on {m.engine}" for m in results if m.name == "(failed)"})
    if failed:
        console.print("[red]Broken benchmarks: " + ", ".join(failed) + "[/]")
        return 1
    return 0


def save(path: Path, args, started: datetime, results: list[Measurement]) -> None:
    path.write_text(json.dumps({
        "started": started.isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform(), "load_average": os.getloadavg()},
        "arguments": {k: str(v) for k, v in vars(args).items()},
        "results": [m.as_dict() for m in results],
        "cross_checks": cross_checks(results),
    }, indent=2, default=str))  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
