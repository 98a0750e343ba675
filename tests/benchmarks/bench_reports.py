"""Benchmark of contradiction reports: under the runner, and as a script for more.

Under `python -m tests.benchmarks`, `run(ctx)` measures on the runner's data set:
- the report page's first render, the scope taking every claim (one page of pairs, the
  totals from counts), checked for status 200 and its "Contradictions 1–N of M" line;
- the peak resident set of a fresh process streaming the report as CSV and as JSON, for
  a scope of about 1,000 pairs and for the whole data set; the difference is the growth
  (target: at most 100 MB from 1,000 to 100,000 pairs), each output checked for its rows.

As a script, more (the build and every format timed, PDF pages per second, memory at
chosen numbers of pairs on databases made for them):

    python tests/benchmarks/bench_reports.py [--claims 10000] [--sizes 1000,10000,100000]
                                            [--database-url URL] [--skip-memory] [--skip-pdf]

1. Time: a database of `--claims` synthetic claims (about two links each), the scope
   taking them all. It times building the report structure (in memory, and streaming),
   rendering each format, and a PDF of a scope within the PDF limit (pages per second).
2. Memory: for each target number of pairs in `--sizes`, a database sized to give about
   that many pairs, and a fresh subprocess per format that streams the whole-database
   report as CSV or JSON to a file: one run measures its peak Python allocation
   (tracemalloc), another without tracemalloc its time and peak resident set size. Flat
   figures across sizes mean the output streams. The in-memory build is measured the
   same way for contrast.

Databases are SQLite files in a temporary folder unless `--database-url` names an empty
PostgreSQL server database URL prefix (a database per size is created there and dropped).
Figures are printed and saved as JSON in benchmark-results/bench_reports.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from counterclaim import report_formats  # noqa: E402
from counterclaim.db import make_engine, reader  # noqa: E402
from counterclaim.models import Claim, ClaimLink  # noqa: E402
from counterclaim.report_formats import html, markdown, pdf  # noqa: E402
from counterclaim.services import migrations  # noqa: E402
from counterclaim.services.demo import synthetic  # noqa: E402
from counterclaim.services.reports.reports import ReportScope, build_report, count  # noqa: E402

try:  # under the runner (python -m tests.benchmarks)
    from .harness import Context, Measurement
except ImportError:  # as a script
    Context = Measurement = None

RESULTS = ROOT / "benchmark-results" / "bench_reports.json"
PAIRS_PER_CLAIM = 0.69  # contradicts links per synthetic claim, measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-pdf", action="store_true", help="(the PDF needs no database)")
    parser.add_argument(
        "--child", nargs=3, metavar=("URL", "FORMAT", "OUT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--scope", default="", help=argparse.SUPPRESS)  # a query string
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child, scope=args.scope)))
        return
    results = {
        "benchmark": "reports", "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average": os.getloadavg()},
        "engine": "postgresql" if args.database_url else "sqlite",
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as folder:
        databases = Databases(Path(folder), args.database_url)
        try:
            results["timing"] = timing(databases, args.claims, Path(folder), args.skip_pdf)
            _save(results)
            if not args.skip_memory:
                results["memory"] = []
                sizes = [int(s) for s in args.sizes.split(",")]
                for row in memory(databases, sizes, Path(folder)):
                    results["memory"].append(row)
                    _save(results)  # a long run keeps what it measured so far
        finally:
            databases.drop()
    print(f"\nSaved {RESULTS.relative_to(ROOT)}")


def _save(results: dict) -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


class Databases:
    """Make migrated, generated databases; drop the PostgreSQL ones at the end."""

    def __init__(self, folder: Path, server: str | None):
        self.folder, self.server, self.made = folder, server, []

    def make(self, claims: int) -> str:
        if self.server:
            name = f"bench_reports_{uuid.uuid4().hex[:10]}"
            admin = make_engine(self.server, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            self.made.append(name)
            url = make_url(self.server).set(database=name).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{self.folder / f'claims-{claims}.db'}"
        engine = make_engine(url)
        migrations.upgrade(engine)
        started = time.perf_counter()
        synthetic.generate(engine, claims=claims)
        print(f"  generated {claims:,} claims in {time.perf_counter() - started:.1f} s")
        engine.dispose()
        return url

    def drop(self) -> None:
        if not self.made:
            return
        admin = make_engine(self.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in self.made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _clock(action):
    started = time.perf_counter()
    value = action()
    return value, round(time.perf_counter() - started, 3)


def timing(databases: Databases, claims: int, folder: Path, skip_pdf: bool = False) -> dict:
    print(f"Timing: {claims:,} claims, the scope taking them all")
    url = databases.make(claims)
    engine = make_engine(url)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    figures: dict = {}
    with Session(reader(engine)) as session:
        links = session.scalar(select(func.count()).select_from(ClaimLink))
        report, figures["build_in_memory_s"] = _clock(lambda: build_report(session, ReportScope()))
        figures["statements_to_build"] = len(statements)
        s = report.summary
        figures.update(claims_in_scope=s.claims, links=links, pairs=s.pairs, contested=s.contested)
        print(f"  {s.claims:,} claims in scope, {links:,} links, {s.pairs:,} contradictions")
        print(f"  build (in memory): {figures['build_in_memory_s']} s, "
              f"{len(statements)} statements")  # fmt: skip
        renderers = {"html": html.render, "md": markdown.render}
        for name, render in renderers.items():
            output, seconds = _clock(lambda render=render: render(report))
            figures[f"render_{name}_s"], figures[f"{name}_bytes"] = seconds, len(output.encode())
            print(f"  render {name}: {seconds} s, {len(output.encode()) / 1e6:.1f} MB")
        for name in ("csv", "json"):
            target = folder / f"report.{name}"

            def write(name=name, target=target):
                with target.open("wb") as out:
                    report_formats.write(build_report(session, ReportScope(), stream=True),
                                         name, out)  # fmt: skip

            _, seconds = _clock(write)
            figures[f"build_and_stream_{name}_s"] = seconds
            figures[f"{name}_bytes"] = target.stat().st_size
            print(f"  build (streaming) and write {name}: {seconds} s, "
                  f"{target.stat().st_size / 1e6:.1f} MB")  # fmt: skip
        if not skip_pdf:
            figures["pdf"] = _pdf(session)
    engine.dispose()
    return figures


def _pdf(session: Session) -> dict:
    """Time a PDF of a scope within the PDF limit: a stated-date window of ~100 pairs."""
    first = session.scalar(select(func.min(Claim.stated_on)))
    days, report = 1, None
    while True:
        scope = ReportScope(stated_from=first, stated_to=first + timedelta(days=days))
        report = build_report(session, scope)
        if report.summary.pairs >= 100 or days > 2000:
            break
        days += 2
    pdf.render(report)  # warm up: WeasyPrint loads fonts and its stylesheet once
    document, seconds = _clock(lambda: pdf.render(report))
    pages = len(PdfReader(io.BytesIO(document)).pages)
    pairs = len(report.pairs)
    print(f"  render pdf: {pairs} contradictions, {pages} pages in {seconds} s "
          f"({pages / seconds:.1f} pages/s)")  # fmt: skip
    return {"pairs": pairs, "pages": pages, "seconds": seconds, "bytes": len(document),
            "pages_per_second": round(pages / seconds, 2)}  # fmt: skip


def memory(databases: Databases, sizes: list[int], folder: Path):
    """Yield the peak memory of writing each size's report in each format."""
    print("\nMemory: CSV and JSON of the whole database, one subprocess per run")
    for size in sizes:
        url = databases.make(max(100, round(size / PAIRS_PER_CLAIM)))
        for fmt in ("csv", "json", "json-in-memory"):
            out = folder / f"out-{size}.{fmt}"
            # two runs: tracemalloc's own books inflate the resident set, so the peak RSS
            # and the time come from a run without it
            traced, plain = (_run_child(url, fmt, out, trace) for trace in (True, False))
            figures = {**plain, "tracemalloc_peak_mb": traced["tracemalloc_peak_mb"]}
            figures.update(target_pairs=size, format=fmt)
            print(f"  {figures['pairs']:>7,} pairs  {fmt:<15} peak Python "
                  f"{figures['tracemalloc_peak_mb']:7.1f} MB  peak RSS "
                  f"{figures['peak_rss_mb']:7.1f} MB  {figures['seconds']:6.1f} s  "
                  f"{figures['bytes'] / 1e6:7.1f} MB written")  # fmt: skip
            out.unlink(missing_ok=True)
            yield figures


def _run_child(url: str, fmt: str, out: Path, trace: bool, scope: str = "") -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        url,
        fmt + ("+trace" if trace else ""),
        str(out),
        "--scope",
        scope,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(completed.stdout.strip().splitlines()[-1])


def child(url: str, fmt: str, out: str, scope: str = "") -> dict:
    """Write one report to `out`, measuring this process's peak memory."""
    from urllib.parse import parse_qs

    report_scope = ReportScope.from_params(parse_qs(scope))
    fmt, _, trace = fmt.partition("+")
    engine = make_engine(url)
    stream = fmt != "json-in-memory"
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with Session(reader(engine)) as session, open(out, "wb") as target:
        report = build_report(session, report_scope, stream=stream, detailed=fmt == "md")
        report_formats.write(report, fmt.split("-")[0], target)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    engine.dispose()
    return {
        "pairs": report.summary.pairs, "claims": report.summary.claims,
        "seconds": round(seconds, 2), "bytes": os.path.getsize(out),
        "tracemalloc_peak_mb": round(peak / 2**20, 1) if trace else None,
        "peak_rss_mb": _peak_rss_mb(),
    }  # fmt: skip


def _peak_rss_mb() -> float:
    """Return this process's peak resident set size (VmHWM: unlike ru_maxrss, it does not
    carry the parent's high-water mark across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- under the runner ------------------------------------------------------------------

PAGE_TARGET_MS = 2_000  # issue 15: the page's first render at 100,000 claims
GROWTH_TARGET_MB = 100  # issue 15: RSS growth from 1,000 to 100,000 pairs


LARGE_PAIRS = 100_000  # the larger download: the whole data set, or a scope of about this


def run(ctx: Context):
    """Time the report page; measure the memory of CSV and JSON streams, small and large.

    Small: a scope of about 1,000 pairs; large: the whole data set up to about LARGE_PAIRS
    pairs, beyond that a scope of about LARGE_PAIRS (a million claims hold two million
    pairs: their JSON would take the run a quarter of an hour for no other figure).
    """
    yield _first_render(ctx)
    small = _scope_of_about(ctx, 1_000)
    engine = make_engine(ctx.url)
    with Session(reader(engine)) as session:
        every = count(session, ReportScope())[1].pairs
    engine.dispose()
    large = "" if every <= 1.5 * LARGE_PAIRS else _scope_of_about(ctx, LARGE_PAIRS)
    for fmt in ("csv", "json"):
        yield _growth(ctx, fmt, small, large)


def _first_render(ctx: Context) -> Measurement:
    client = ctx.app().test_client()
    user = ctx.bench_user()
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = user.get_id(), True
    with Session(reader(make_engine(ctx.url))) as session:
        pairs = count(session, ReportScope())[1].pairs
    expected = f"of {pairs:,} (page 1 of" if pairs > 100 else 'id="pairs"'

    def fetch():
        response = client.get("/reports/report")
        body = response.get_data(as_text=True)
        if response.status_code != 200 or expected not in body:
            raise AssertionError(f"/reports/report answered {response.status_code} without "
                                 f"{expected!r}")  # fmt: skip
        return len(body)

    started = time.perf_counter()
    size = fetch()
    first_ms = (time.perf_counter() - started) * 1000
    m = Measurement(name="report page, every claim, first render", ours_ms=first_ms,
                    statements=ctx.statements(fetch))  # fmt: skip
    m.extra.update(pairs=pairs, page_kb=round(size / 1024), again_ms=round(ctx.time_ms(fetch)))
    m.checks["first render ≤ 2 s"] = first_ms <= PAGE_TARGET_MS
    return m


def _scope_of_about(ctx: Context, pairs: int) -> str:
    """Return the query string of a stated-date window of about `pairs` pairs."""
    engine = make_engine(ctx.url)
    with Session(reader(engine)) as session:
        first = session.scalar(select(func.min(Claim.stated_on)))
        days = 1
        while True:
            scope = ReportScope(stated_from=first, stated_to=first + timedelta(days=days))
            found = count(session, scope)[1].pairs
            if found >= pairs or days > 20_000:
                break
            days = max(days + 1, round(days * min(4, pairs / max(found, 1))))
    engine.dispose()
    return f"stated_from={scope.stated_from}&stated_to={scope.stated_to}"


def _growth(ctx: Context, fmt: str, small: str, large: str) -> Measurement:
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as folder:
        out = Path(folder) / f"report.{fmt}"
        runs = {}
        for name, scope in (("small", small), ("whole", large)):
            runs[name] = _run_child(ctx.url, fmt, out, False, scope)
            _check_output(out, fmt, runs[name]["pairs"])
    growth = runs["whole"]["peak_rss_mb"] - runs["small"]["peak_rss_mb"]
    m = Measurement(
        name=f"{fmt.upper()} download, RSS growth", ours_ms=runs["whole"]["seconds"] * 1000
    )
    m.extra.update(
        pairs=f"{runs['small']['pairs']:,} → {runs['whole']['pairs']:,}",
        rss_mb=f"{runs['small']['peak_rss_mb']} → {runs['whole']['peak_rss_mb']}",
        growth_mb=round(growth, 1), whole_mb_written=round(runs["whole"]["bytes"] / 1e6, 1),
    )  # fmt: skip
    m.checks[f"RSS growth ≤ {GROWTH_TARGET_MB} MB"] = growth <= GROWTH_TARGET_MB
    return m


def _check_output(path: Path, fmt: str, pairs: int) -> None:
    """Check a download holds every pair (CSV: a row each; JSON: the pairs array)."""
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8") as handle:
            import csv

            rows = sum(1 for _ in csv.reader(handle)) - 1
    else:  # one item a line: count the pairs' lines without loading the whole document
        with path.open("rb") as handle:
            rows = sum(1 for line in handle if line.startswith(b'{"link_id":'))
            handle.seek(-2, os.SEEK_END)
            if handle.read() != b"}\n":
                raise AssertionError("the JSON download is not complete")
    if rows != pairs:
        raise AssertionError(f"the {fmt} download holds {rows} pairs, not {pairs}")


if __name__ == "__main__":
    main()
