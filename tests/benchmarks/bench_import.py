"""Import: claims per second from a dump and from CSV, against plain executemany.

Makes min(N, 20,000) synthetic claims (counterclaim.services.demo.synthetic) in a scratch
SQLite database, exports them as a dump (`export --all`) and as a CSV of claims, then
imports each into a fresh, migrated database of the data set's engine through the same
code as `counterclaim import`, timing the read and parse, the write and the commit. On
SQLite a plain `sqlite3` executemany of the same rows into the same schema (constraints,
indexes, triggers) is the baseline, timed in the same run. Runs on the largest data set.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.models import Actor, Base, Claim
from counterclaim.services import migrations
from counterclaim.services.demo import synthetic
from counterclaim.services.exchange import dump, read_plan, run_import
from counterclaim.services.exchange.reading import read_file

from .harness import Context, Measurement

LARGEST_ONLY = True
IMPORT_CLAIMS = 20_000


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


def run(ctx: Context):
    claims = min(ctx.claims, IMPORT_CLAIMS)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        folder = Path(folder)
        source = fresh_sqlite(folder, "source.db")
        synthetic.generate(source, claims=claims, seed=1)
        dump_path, csv_path = folder / "dump.json", folder / "claims.csv"
        with dump_path.open("w", encoding="utf-8") as out:
            dump.export(source, out)
        exported = export_csv(source, csv_path)
        source.dispose()
        if exported != claims:
            raise AssertionError(f"the CSV holds {exported:,} claims, not {claims:,}")
        for kind, path in (("dump", dump_path), ("csv", csv_path)):
            ours = _import(ctx, folder, kind, path)
            if ours["claims_created"] != claims:
                raise AssertionError(f"{kind}: imported {ours['claims_created']:,} of {claims:,}")
            m = Measurement(name=f"import {claims:,} claims from {kind}",
                            ours_ms=ours["total_seconds"] * 1000)  # fmt: skip
            m.extra = {"claims/s": round(claims / ours["total_seconds"]),
                       "parse s": ours["parse_seconds"], "write s": ours["write_seconds"],
                       "CPU s": ours["cpu_total_seconds"]}  # fmt: skip
            if ctx.engine == "sqlite":  # the baseline: plain sqlite3 executemany
                plain_db = fresh_sqlite(folder, f"{kind}-plain.db")
                plain_db.dispose()
                plain = (executemany_dump if kind == "dump" else executemany_csv)(
                    Path(plain_db.url.database), path
                )
                m.raw_ms = plain["seconds"] * 1000
                cpu_ratio = ours["cpu_total_seconds"] / max(plain["cpu_seconds"], 1e-3)
                m.extra["CPU ×executemany"] = round(cpu_ratio, 2)
                if kind == "csv":
                    m.checks["CPU ≤ 4× executemany"] = cpu_ratio <= 4
            yield m


def _import(ctx: Context, folder: Path, kind: str, path: Path) -> dict:
    """Import `path` into a fresh, migrated database of the data set's engine."""
    if ctx.engine == "sqlite":
        engine = fresh_sqlite(folder, f"{kind}.db")
        try:
            return timed_import(engine, path, path.name)
        finally:
            engine.dispose()
    server = ctx.options.postgres_url
    engine, name = fresh_postgres(server)
    try:
        return timed_import(engine, path, path.name)
    finally:
        engine.dispose()
        drop_postgres(server, name)
