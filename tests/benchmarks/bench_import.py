"""Benchmark: claims per second imported from a dump and from CSV, against plain executemany.

    python tests/benchmarks/bench_import.py [--claims 100000] [--postgres URL]

Makes N synthetic claims (counterclaim.services.synthetic) in a SQLite database, exports
them as a dump (`export --all`) and as a CSV of claims, then imports each into a fresh,
migrated database through the same code as `counterclaim import`, timing the read and
parse, the write and the commit. Beside each, a plain `sqlite3` executemany of the same
rows into the same schema (constraints, indexes, triggers) is timed in the same run, and
the ratio reported. Results are printed and saved as JSON under benchmark-results/.
Not collected by pytest (the name does not start with test_).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.models import Actor, Base, Claim
from counterclaim.services import migrations, synthetic
from counterclaim.services.exchange import dump, read_plan, run_import
from counterclaim.services.exchange.reading import read_file

ROOT = Path(__file__).resolve().parents[2]


def fresh_sqlite(folder: Path, name: str):
    engine = make_engine(f"sqlite:///{folder / name}")
    migrations.upgrade(engine)
    return engine


def fresh_postgres(url: str):
    base = make_url(url)
    name = f"bench_import_{int(time.time())}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    migrations.upgrade(engine)
    return engine, name


def drop_postgres(url: str, name: str) -> None:
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def export_csv(engine, path: Path) -> int:
    """Write the claims as CSV (text, claimant, stated_on, status): the columns a team has."""
    with engine.connect() as connection, path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["text", "claimant", "stated_on", "status"])
        rows = connection.execute(
            select(Claim.text, Actor.name, Claim.stated_on, Claim.status)
            .join(Actor, Actor.id == Claim.claimant_id)
            .order_by(Claim.id)
        )
        count = 0
        for row in rows:
            writer.writerow([row[0], row[1], row[2].isoformat() if row[2] else "", row[3]])
            count += 1
    return count


def timed_import(engine, path: Path, name: str) -> dict:
    started, cpu_started = time.perf_counter(), time.process_time()
    plan = read_plan(read_file(path), name)
    parsed, cpu_parsed = time.perf_counter(), time.process_time()
    with make_sessionmaker(engine)() as session:
        report = run_import(session, plan)
        session.commit()
    done, cpu_done = time.perf_counter(), time.process_time()
    return {
        "parse_seconds": round(parsed - started, 3),
        "write_seconds": round(done - parsed, 3),
        "total_seconds": round(done - started, 3),
        "cpu_parse_seconds": round(cpu_parsed - cpu_started, 3),
        "cpu_write_seconds": round(cpu_done - cpu_parsed, 3),
        "cpu_total_seconds": round(cpu_done - cpu_started, 3),
        "rows_created": report.total_created,
        "claims_created": report.created["claims"],
    }


def executemany_dump(database: Path, dump_path: Path) -> dict:
    """Plain sqlite3: the dump's rows, already parsed, inserted table by table."""
    document = json.loads(dump_path.read_text(encoding="utf-8"))
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    started, cpu_started = time.perf_counter(), time.process_time()
    connection.execute("BEGIN IMMEDIATE")
    rows = 0
    for table in Base.metadata.sorted_tables:  # affiliation_id is NULL in synthetic data
        content = document["tables"][table.name]
        columns = content["columns"]
        marks = ", ".join("?" for _ in columns)
        connection.executemany(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            content["rows"],
        )
        rows += len(content["rows"])
    connection.execute("COMMIT")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    connection.close()
    return {"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "rows": rows}


def executemany_csv(database: Path, csv_path: Path) -> dict:
    """Plain sqlite3: the CSV's actors then claims, with the ids worked out in Python."""
    with csv_path.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    now = datetime.now(UTC).isoformat()
    started, cpu_started = time.perf_counter(), time.process_time()
    actors: dict[str, int] = {}
    for record in records:
        actors.setdefault(record["claimant"], len(actors) + 1)
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(
        "INSERT INTO actors (id, name, kind, description, created_at, updated_at) "
        "VALUES (?, ?, 'other', '', ?, ?)",
        [(i, name, now, now) for name, i in actors.items()],
    )
    connection.executemany(
        "INSERT INTO claims (text, is_verbatim, claimant_id, stated_on, status, version, "
        "created_at, updated_at) VALUES (?, 0, ?, ?, ?, 1, ?, ?)",
        [
            (r["text"], actors[r["claimant"]], r["stated_on"] or None, r["status"], now, now)
            for r in records
        ],  # fmt: skip
    )
    connection.execute("COMMIT")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    connection.close()
    return {"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
            "rows": len(actors) + len(records)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", metavar="URL", help="Also import into PostgreSQL.")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmark-results")
    options = parser.parse_args()

    result: dict = {"benchmark": "bench_import", "claims": options.claims,
                    "machine": platform.platform(), "python": sys.version.split()[0],
                    "cpus": os.cpu_count(), "load_average": os.getloadavg(),
                    "sqlite": sqlite3.sqlite_version,
                    "at": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        folder = Path(folder)
        source = fresh_sqlite(folder, "source.db")
        started = time.perf_counter()
        synthetic.generate(source, claims=options.claims, seed=options.seed)
        print(f"generated {options.claims:,} claims in {time.perf_counter() - started:.1f} s")
        dump_path, csv_path = folder / "dump.json", folder / "claims.csv"
        with dump_path.open("w", encoding="utf-8") as out:
            dump.export(source, out)
        export_csv(source, csv_path)
        source.dispose()
        result["dump_bytes"], result["csv_bytes"] = (
            dump_path.stat().st_size, csv_path.stat().st_size,
        )  # fmt: skip

        for kind, path in (("dump", dump_path), ("csv", csv_path)):
            engine = fresh_sqlite(folder, f"{kind}.db")
            ours = timed_import(engine, path, path.name)
            engine.dispose()
            plain_db = fresh_sqlite(folder, f"{kind}-plain.db")
            plain_db.dispose()
            plain = (executemany_dump if kind == "dump" else executemany_csv)(
                Path(plain_db.url.database), path
            )
            ours["claims_per_second"] = round(options.claims / ours["total_seconds"])
            ours["rows_per_second"] = round(ours["rows_created"] / ours["total_seconds"])
            plain["claims_per_second"] = round(options.claims / plain["seconds"])
            result[f"sqlite_{kind}"] = {
                "import": ours,
                "executemany": plain,
                "ratio_total": round(ours["total_seconds"] / plain["seconds"], 2),
                "ratio_write_only": round(ours["write_seconds"] / plain["seconds"], 2),
                # CPU time: what the ratio is when other work on the machine is left out
                "cpu_ratio_total": round(ours["cpu_total_seconds"] / plain["cpu_seconds"], 2),
                "cpu_ratio_write_only": round(ours["cpu_write_seconds"] / plain["cpu_seconds"], 2),
            }
            print(f"{kind}: import {ours['claims_per_second']:,} claims/s "
                  f"({ours['total_seconds']} s: parse {ours['parse_seconds']} s, write "
                  f"{ours['write_seconds']} s); executemany {plain['claims_per_second']:,} "
                  f"claims/s ({plain['seconds']} s); import takes "
                  f"{result[f'sqlite_{kind}']['ratio_total']}× as long (CPU: "
                  f"{ours['cpu_total_seconds']} s vs {plain['cpu_seconds']} s, "
                  f"{result[f'sqlite_{kind}']['cpu_ratio_total']}×)")  # fmt: skip

        if options.postgres:
            for kind, path in (("dump", dump_path), ("csv", csv_path)):
                engine, name = fresh_postgres(options.postgres)
                try:
                    ours = timed_import(engine, path, path.name)
                finally:
                    engine.dispose()
                    drop_postgres(options.postgres, name)
                ours["claims_per_second"] = round(options.claims / ours["total_seconds"])
                result[f"postgresql_{kind}"] = {"import": ours}
                print(f"{kind} into PostgreSQL: {ours['claims_per_second']:,} claims/s "
                      f"({ours['total_seconds']} s)")  # fmt: skip

    options.output.mkdir(parents=True, exist_ok=True)
    path = options.output / f"bench_import-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"saved {path}")


if __name__ == "__main__":
    main()
