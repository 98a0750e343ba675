"""The README's benchmark tables, from saved runs: `python -m tests.benchmarks.markdown FILE...`.

Reads the JSON files the runner saved (benchmark-results/benchmarks-*.json), the later
file winning where two measured the same thing, and prints Markdown tables: the pages'
server time beside raw SQL, the claims list over HTTP beside Datasette, and the rest
(reports, imports, generation, the load test), one column per data set and engine.
"""

import json
import sys
from pathlib import Path

ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def load(paths: list[str]) -> dict[tuple, dict]:
    """Return every measurement by (bench, engine, claims, name); later files win."""
    found: dict[tuple, dict] = {}
    for path in paths:
        for m in json.loads(Path(path).read_text())["results"]:
            if m["name"] != "(failed)":
                found[(m["bench"], m["engine"], m["claims"], m["name"])] = m
    return found


def columns(found: dict) -> list[tuple[int, str]]:
    """Return the (claims, engine) pairs measured, by size, SQLite first."""
    pairs = {(claims, engine) for _bench, engine, claims, _name in found}
    return sorted(pairs, key=lambda p: (p[0], list(ENGINES).index(p[1])))


def _header(first: str, cols) -> list[str]:
    heads = [f"{claims:,} {ENGINES[engine]}" for claims, engine in cols]
    return [f"| {first} | " + " | ".join(heads) + " |", "|---" * (len(cols) + 1) + "|"]


def _names(found: dict, bench: str) -> list[str]:
    names: list[str] = []
    for b, _engine, _claims, name in found:
        if b == bench and name not in names:
            names.append(name)
    return names


def _ms(value) -> str:
    return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"


def _table(found: dict, cols, bench: str, title: str, cell, label=lambda name: name):
    """A row per measurement of `bench`, a cell per (claims, engine): cell(m, sqlite_m)."""
    lines = _header(title, cols)
    for name in _names(found, bench):
        cells = []
        for claims, engine in cols:
            m = found.get((bench, engine, claims, name))
            base = found.get((bench, "sqlite", claims, name))
            cells.append("" if m is None else cell(m, base if engine == "postgresql" else None))
        lines.append(f"| {label(name)} | " + " | ".join(cells) + " |")
    return lines


def _page_cell(m: dict, sqlite: dict | None) -> str:
    """Server ms (raw SQL ms) · statements, and on PostgreSQL ×its SQLite time."""
    if m["ours_ms"] is None:
        return ""
    cell = _ms(m["ours_ms"])
    if m["raw_ms"] is not None:
        cell += f" ({_ms(m['raw_ms'])})"
    if m["statements"] is not None:
        cell += f" · {m['statements']}"
    if sqlite and sqlite["ours_ms"]:
        cell += f" · ×{m['ours_ms'] / sqlite['ours_ms']:.2f}"
    return cell


def _http_cell(m: dict, sqlite: dict | None) -> str:
    """Ours / Datasette req/s; marked on SQLite, where the target is Datasette's own file."""
    if m["rps"] is None:
        return ""
    theirs = m["datasette_rps"] if sqlite is None else sqlite["datasette_rps"]
    if theirs is None:
        return f"{m['rps']:.1f}"
    mark = "" if sqlite is not None else (" ✓" if m["rps"] >= theirs else " ✗")
    return f"{m['rps']:.1f} / {theirs:.1f}{mark}"


def pages(found: dict, cols) -> list[str]:
    """Server ms per page (raw SQL of the same rows), statements; PostgreSQL ×SQLite."""
    return _table(found, cols, "pages", "page: ms (raw SQL ms) · statements", _page_cell)


def http(found: dict, cols) -> list[str]:
    """Requests per second over HTTP: ours, and Datasette's on the same SQLite file."""
    return _table(found, cols, "http", "claims list: req/s ours / Datasette", _http_cell,
                  label=lambda name: name.removeprefix("claims list, "))  # fmt: skip


def _other(m: dict) -> str:
    extra = m.get("extra", {})
    bench, name = m["bench"], m["name"]
    if bench == "reports" and "first render" in name:
        return f"{m['ours_ms']:,.0f} ms ({extra.get('pairs', 0):,} pairs)"
    if bench == "reports":
        return f"+{extra.get('growth_mb')} MB ({extra.get('pairs')} pairs)"
    if bench == "import":
        ratio = extra.get("CPU ×executemany")
        return f"{extra.get('claims/s'):,} claims/s" + (f", CPU ×{ratio}" if ratio else "")
    if bench == "generate":
        return f"{extra.get('seconds')} s, {extra.get('rows/s'):,} rows/s"
    if bench == "load" and name == "load: edits":
        return (f"{extra.get('acknowledged')} saved = {extra.get('found in database')} found, "
                f"{extra.get('5xx')} errors")  # fmt: skip
    if bench == "load":
        return f"{m['rps']:.1f} req/s, p95 {extra.get('p95')}"
    return ""


OTHER = [
    ("reports", "report page, every claim, first render", "report page, every claim in scope"),
    ("reports", "CSV download, RSS growth", "CSV download: RSS growth"),
    ("reports", "JSON download, RSS growth", "JSON download: RSS growth"),
    ("import", None, "import"),
    ("generate", None, "generate"),
    ("load", "load: GET /claims/", "load test: claims list"),
    ("load", "load: POST /claims/<id>/edit", "load test: saving an edit"),
    ("load", "load: edits", "load test: edits"),
]


def other(found: dict, cols) -> list[str]:
    """Reports, imports, generation and the load test."""
    lines = _header("measurement", cols)
    for bench, wanted, label in OTHER:
        names = [wanted] if wanted else _names(found, bench)
        rows: dict[str, list[str]] = {}  # the same measurement at every size is one row
        for name in names:
            title = label if wanted else name.replace(f"{_size(name)} ", "")
            cells = rows.setdefault(title, [""] * len(cols))
            for n, (claims, engine) in enumerate(cols):
                m = found.get((bench, engine, claims, name))
                cells[n] = _other(m) if m else cells[n]
        lines += [f"| {title} | " + " | ".join(cells) + " |" for title, cells in rows.items()
                  if any(cells)]  # fmt: skip
    return lines


def _size(name: str) -> str:
    words = name.split()
    return next((w for w in words if w.replace(",", "").isdigit()), "")


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    found = load(paths)
    cols = columns(found)
    for table in (pages(found, cols), http(found, cols), other(found, cols)):
        print("\n".join(table) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
