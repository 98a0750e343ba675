"""The benchmark suite runs end to end at a small size, so a broken benchmark fails CI.

One run of `python -m tests.benchmarks --small` (2,000 claims on SQLite, a fraction of a
second per figure, the load test for a few seconds) in a child process with bounded
memory. No timing is asserted: only that every module ran, none failed, and the figures
were saved.
"""

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MEMORY_LIMIT = 4 * 1024**3  # bytes of address space for the runner and its children


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.benchmarks
def test_every_benchmark_runs_at_a_small_size(tmp_path):
    found = (ROOT / "tests/benchmarks").glob("bench_*.py")
    modules = {path.stem.removeprefix("bench_") for path in found}
    argv = [sys.executable, "-m", "tests.benchmarks", "--small", "--out", str(tmp_path),
            "--data-dir", str(tmp_path / "data")]  # fmt: skip
    env = os.environ | {"PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"}
    done = subprocess.run(  # noqa: S603 - our own runner
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
        preexec_fn=_bounded,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    (saved,) = tmp_path.glob("benchmarks-*.json")
    results = json.loads(saved.read_text())["results"]
    ran = {r["bench"] for r in results}
    assert ran == modules, done.stdout[-3000:]
    assert not [r for r in results if r["name"] == "(failed)"]
    pages = {r["name"]: r for r in results if r["bench"] == "pages"}
    assert pages["claim page"]["statements"] > 0
    assert all(r["rps"] > 0 for r in results if r["bench"] == "http")
    _readme_tables_come_from(saved, results)


def _readme_tables_come_from(saved: Path, results: list[dict]) -> None:
    """The README's tables (tests/benchmarks/markdown.py) hold every page and HTTP figure."""
    sys.path.insert(0, str(ROOT))
    try:
        from tests.benchmarks import markdown
    finally:
        sys.path.remove(str(ROOT))
    found = markdown.load([str(saved)])
    cols = markdown.columns(found)
    assert cols == [(2_000, "sqlite")]
    pages, http = markdown.pages(found, cols), markdown.http(found, cols)
    for table, bench in ((pages, "pages"), (http, "http")):
        names = [r["name"] for r in results if r["bench"] == bench]
        assert len(table) == 2 + len(names)  # header, rule, a row each
        for row, r in zip(table[2:], (r for r in results if r["bench"] == bench), strict=True):
            if bench == "pages":
                label, figure = r["name"], markdown._ms(r["ours_ms"])
            else:
                label, figure = r["name"].removeprefix("claims list, "), f"{r['rps']:.1f}"
            assert row.startswith(f"| {label} | {figure}"), row
    assert any(row.startswith("| load test: edits | ") for row in markdown.other(found, cols))
