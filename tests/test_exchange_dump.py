"""Dumps: every row of every table out and back, on each engine and across them.

Each test makes its own databases (`database_url_factory`): a dump is about whole
databases, not the shared, rolled-back test connection.
"""

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, insert, select, text

from conftest import ENGINES, POSTGRES_URL
from counterclaim.cli import main
from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.models import Actor, Base, Claim, Revision, Tag
from counterclaim.models.audit import AUDITED
from counterclaim.services import migrations
from counterclaim.services.catalogue.actor_aliases import merge_actors
from counterclaim.services.demo import synthetic
from counterclaim.services.exchange import ImportRefused, dump, read_plan, run_import
from counterclaim.services.exchange.relations import set_relation
from factories import row_counts
from test_migrations import fill

DATA = Path(__file__).parent / "data" / "exchange"
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="COUNTERCLAIM_TEST_POSTGRES_URL")


@pytest.fixture
def make_database(database_url_factory):
    """Make migrated, empty databases of a kind; dispose of their engines afterwards."""
    engines = []

    def make(kind: str):
        engine = make_engine(database_url_factory(kind))
        migrations.upgrade(engine)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


class Populated:
    """A database with rows in every table, its dump and its row counts."""

    def __init__(self, engine):
        populate(engine)
        self.engine, self.text, self.counts = engine, export(engine), row_counts(engine)


@pytest.fixture(scope="module", params=ENGINES)
def populated(request, database_url_factory):
    """One populated database of each kind for the module (the tests only read it)."""
    engine = make_engine(database_url_factory(request.param))
    migrations.upgrade(engine)
    yield Populated(engine)
    engine.dispose()


def populate(engine) -> None:
    """Rows in every table: the migration tests' fill, synthetic work, imported reviews.

    Every audited row then has its history, as in a workbench's database (the synthetic
    generator writes none), so that a restore carries it and adds no revision of its own.
    """
    fill(engine)
    synthetic.generate(engine, claims=120, seed=6)
    with make_sessionmaker(engine).begin() as session:
        for name in ("misbar-ar.html", "factcheck-api-response.json", "snopes-graph.json"):
            run_import(session, read_plan((DATA / name).read_bytes(), name))
        set_relation(session, "agrees", "supports", "a team label")
        merge_actors(session, session.scalars(select(Actor).order_by(Actor.id)).first(),
                     session.scalars(select(Actor).order_by(Actor.id.desc())).first())  # fmt: skip
    with engine.begin() as connection:
        for model in AUDITED:
            table = model.__table__
            known = select(Revision.entity_id).where(Revision.entity == table.name)
            ids = connection.scalars(select(table.c.id).where(table.c.id.not_in(known))).all()
            rows = [{"entity": table.name, "entity_id": i, "action": "create", "changes": {}}
                    for i in ids]  # fmt: skip
            if rows:
                connection.execute(insert(Revision), rows)


def export(engine) -> str:
    out = io.StringIO()
    dump.export(engine, out)
    return out.getvalue()


def restore(engine, text_: str, **options):
    with make_sessionmaker(engine).begin() as session:
        return run_import(session, dump.parse(text_, "dump.json"), **options)


def test_a_dump_restores_every_row_of_every_table_and_dumps_again_identically(
    make_database, populated
):
    target = make_database(populated.engine.dialect.name)
    assert all(n > 0 for n in populated.counts.values()), populated.counts

    report = restore(target, populated.text)

    assert row_counts(target) == populated.counts
    assert report.created["claims"] == populated.counts["claims"]
    assert export(target) == populated.text  # byte for byte


@needs_postgres
def test_sqlite_to_postgresql_and_back_is_identical(make_database, populated):
    if populated.engine.dialect.name != "sqlite":
        pytest.skip("starts from SQLite")
    postgres, sqlite_b = make_database("postgresql"), make_database("sqlite")
    from_sqlite = populated.text

    restore(postgres, from_sqlite)
    from_postgres = export(postgres)
    restore(sqlite_b, from_postgres)

    assert from_postgres == from_sqlite
    assert export(sqlite_b) == from_sqlite


@needs_postgres
def test_postgresql_sequences_move_past_the_restored_ids(make_database, populated):
    target = make_database("postgresql")
    restore(target, populated.text)
    with make_sessionmaker(target).begin() as session:
        tag = Tag(name="added after the restore")
        session.add(tag)
        session.flush()
        assert tag.id == session.scalar(select(func.max(Tag.id)))
        assert tag.id > populated.counts["tags"]


def test_importing_a_dump_twice_creates_nothing(make_database, populated):
    target = make_database(populated.engine.dialect.name)
    restore(target, populated.text)

    again = restore(target, populated.text)

    assert again.total_created == 0
    assert again.matched["claims"] == populated.counts["claims"]
    assert export(target) == populated.text


def test_a_different_row_under_the_same_id_refuses_the_whole_dump(make_database, populated):
    target = make_database(populated.engine.dialect.name)
    with make_sessionmaker(target).begin() as session:
        session.add(Tag(id=1, name="not the dump's tag 1"))

    with pytest.raises(ImportRefused) as refused:
        restore(target, populated.text)

    problems = [str(p) for p in refused.value.report.problems]
    assert problems[0] == "tags id 1: the database holds a different row with this id"
    # The audit trail recorded that tag too, so its revision clashes as well.
    assert problems[1:] == ["revisions id 1: the database holds a different row with this id"]
    assert row_counts(target)["claims"] == 0


def test_a_dry_run_of_a_dump_counts_rows_and_writes_nothing(make_database, populated):
    target = make_database(populated.engine.dialect.name)
    report = restore(target, populated.text, dry_run=True)
    assert report.created["claims"] == populated.counts["claims"]
    assert set(row_counts(target).values()) == {0}


def test_the_cli_exports_all_and_imports_the_dump(make_database, populated, tmp_path):
    source, target = populated.engine, make_database(populated.engine.dialect.name)
    path = tmp_path / "dump.json"
    runner = CliRunner()

    def run(engine, *args):
        url = engine.url.render_as_string(hide_password=False)
        return runner.invoke(main, ["--database", url, *args])

    exported = run(source, "export", "--all", str(path))
    assert exported.exit_code == 0, exported.output
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "counterclaim-dump"

    imported = run(target, "import", str(path))

    assert imported.exit_code == 0, imported.output
    assert f"{populated.counts['claims']:,} claims" in imported.output
    assert row_counts(target) == populated.counts
    assert run(target, "import", str(path)).output.startswith("Created nothing")


# --- a killed import leaves the database as it was ---------------------------------------


def _big_dump(path: Path, claims: int = 40_000) -> None:
    """A dump large enough that importing it takes a while: one actor, many claims."""
    stamp = "2016-11-27T00:00:00+00:00"
    columns = [c.name for c in Claim.__table__.columns]
    rows = [
        {"id": n, "text": f"Claim {n} about Mosul", "is_verbatim": False, "claimant_id": 1,
         "stated_on": "2016-11-27", "status": "open", "version": 1, "created_at": stamp,
         "updated_at": stamp, "created_by": None, "external_id": None}
        for n in range(1, claims + 1)
    ]  # fmt: skip
    actor_columns = [c.name for c in Base.metadata.tables["actors"].columns]
    actor = {"id": 1, "name": "Haider al-Abadi", "kind": "person", "description": "",
             "affiliation_id": None, "created_at": stamp, "updated_at": stamp,
             "created_by": None, "external_id": None}  # fmt: skip
    document = {
        "format": "counterclaim-dump",
        "version": 1,
        "tables": {
            "actors": {"columns": actor_columns, "rows": [[actor[c] for c in actor_columns]]},
            "claims": {"columns": columns, "rows": [[r[c] for c in columns] for r in rows]},
        },
    }  # fmt: skip
    path.write_text(json.dumps(document), encoding="utf-8")


def _writing(engine, process) -> bool:
    """Tell whether the import process is inside its write transaction, rows written."""
    if engine.dialect.name == "sqlite":
        wal = Path(f"{engine.url.database}-wal")
        return wal.exists() and wal.stat().st_size > 512 * 1024
    with engine.connect() as connection:
        return bool(
            connection.scalar(
                text(
                    "SELECT count(*) FROM pg_locks JOIN pg_class ON pg_class.oid = relation "
                    "WHERE relname = 'claims' AND mode = 'RowExclusiveLock' "
                    "AND pid <> pg_backend_pid()"
                )
            )
        )


@pytest.mark.parametrize("kind", ENGINES)
def test_an_import_killed_in_the_middle_leaves_the_database_as_it_was(
    make_database, kind, tmp_path
):
    engine = make_database(kind)
    with make_sessionmaker(engine).begin() as session:
        session.add(Tag(name="there before"))
    before = row_counts(engine)
    path = tmp_path / "big.json"
    _big_dump(path)
    url = engine.url.render_as_string(hide_password=False)
    process = subprocess.Popen(  # the real command, in its own process
        [sys.executable, "-c", "from counterclaim.cli import run; run()",
         "--database", url, "import", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not _writing(engine, process):
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.02)
        assert process.poll() is None, "the import finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL

    assert row_counts(engine) == before
    if kind == "sqlite":
        with sqlite3.connect(engine.url.database) as check:
            assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with make_sessionmaker(engine).begin() as session:  # and it takes writes afterwards
        session.add(Tag(name="there after"))
    assert row_counts(engine)["tags"] == before["tags"] + 1
