"""Backups while the workbench writes, and restores after a confirmation."""

import shutil
import sqlite3
import threading

import pytest
from click.testing import CliRunner

from conftest import POSTGRES_URL
from counterclaim.cli import main
from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.models import Tag
from counterclaim.services import migrations
from counterclaim.services.exchange.backup import BackupError, backup, restore
from factories import make_actor, make_claim, row_counts


@pytest.fixture
def sqlite_engine(database_url_factory):
    engine = make_engine(database_url_factory("sqlite"))
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


def add_claims(engine, n: int, prefix: str) -> None:
    with make_sessionmaker(engine).begin() as session:
        actor = make_actor(session, name=f"{prefix} actor")
        for i in range(n):
            make_claim(session, claimant=actor, text=f"{prefix} claim {i}")


def test_a_backup_during_concurrent_writes_is_consistent(sqlite_engine, tmp_path):
    add_claims(sqlite_engine, 50, "before")
    stop = threading.Event()
    written = []

    def keep_writing():
        n = 0
        while not stop.is_set():  # each transaction adds an actor and three claims
            add_claims(sqlite_engine, 3, f"writer {n}")
            written.append(n)
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 3:  # the writer is going
            stop.wait(0.01)
        copies = [backup(sqlite_engine, tmp_path / f"copy{i}.db") for i in range(3)]
    finally:
        stop.set()
        writer.join()

    assert len(written) >= 3
    for result in copies:
        with sqlite3.connect(result.path) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            claims = copy.execute("SELECT count(*) FROM claims").fetchone()[0]
            actors = copy.execute("SELECT count(*) FROM actors").fetchone()[0]
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert claims >= 50 + 3 * 3
        assert claims == 50 + 3 * (actors - 1)  # whole transactions only: 3 claims per actor


def test_a_backup_restores_over_a_changed_database(sqlite_engine, tmp_path):
    add_claims(sqlite_engine, 5, "kept")
    with sqlite_engine.connect() as connection:
        expected = row_counts(connection)
    backup(sqlite_engine, tmp_path / "b.db")
    add_claims(sqlite_engine, 7, "lost")

    restore(sqlite_engine, tmp_path / "b.db")

    with sqlite_engine.connect() as connection:
        assert row_counts(connection) == expected


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"PGDMP\x01\x0e"), "is a PostgreSQL backup"),
        (lambda p: p.write_text("hello"), "is not a backup"),
    ],
)
def test_restoring_something_that_is_not_a_sqlite_backup_is_refused(
    sqlite_engine, tmp_path, make, message
):
    path = tmp_path / "x.bak"
    make(path)
    with pytest.raises(BackupError, match=message):
        restore(sqlite_engine, path)


def test_restoring_a_sqlite_file_that_is_not_counterclaim_is_refused(sqlite_engine, tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE t (x)")
    add_claims(sqlite_engine, 1, "kept")
    with pytest.raises(BackupError, match="not a Counterclaim database; nothing was restored"):
        restore(sqlite_engine, path)
    with sqlite_engine.connect() as connection:
        assert row_counts(connection)["claims"] == 1


def test_a_backup_never_overwrites_unless_asked(sqlite_engine, tmp_path):
    (tmp_path / "b.db").write_text("precious")
    with pytest.raises(BackupError, match="exists"):
        backup(sqlite_engine, tmp_path / "b.db")
    assert (tmp_path / "b.db").read_text() == "precious"
    assert backup(sqlite_engine, tmp_path / "b.db", overwrite=True).check.endswith("ok")


def test_the_cli_backs_up_and_restores_after_confirmation(sqlite_engine, tmp_path):
    url = sqlite_engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    add_claims(sqlite_engine, 2, "kept")
    path = tmp_path / "b.db"

    made = runner.invoke(main, ["--database", url, "backup", str(path)])
    assert made.exit_code == 0 and "integrity_check: ok" in made.output
    add_claims(sqlite_engine, 3, "later")

    refused = runner.invoke(main, ["--database", url, "restore", str(path)], input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    with sqlite_engine.connect() as connection:
        assert row_counts(connection)["claims"] == 5

    done = runner.invoke(main, ["--database", url, "restore", str(path)], input="y\n")
    assert done.exit_code == 0, done.output
    with sqlite_engine.connect() as connection:
        assert row_counts(connection)["claims"] == 2

    missing = runner.invoke(main, ["--database", url, "restore", str(tmp_path / "nope.db")])
    assert missing.exit_code == 1 and missing.output.startswith("Error: ")


@pytest.mark.skipif(
    not POSTGRES_URL or not shutil.which("pg_dump"), reason="PostgreSQL and pg_dump"
)
def test_postgresql_backup_and_restore_with_pg_dump(database_url_factory, tmp_path):
    engine = make_engine(database_url_factory("postgresql"))
    try:
        migrations.upgrade(engine)
        add_claims(engine, 4, "kept")
        result = backup(engine, tmp_path / "pg.dump")
        assert result.path.read_bytes().startswith(b"PGDMP")
        add_claims(engine, 3, "lost")

        restore(engine, tmp_path / "pg.dump")

        with engine.connect() as connection:
            assert row_counts(connection)["claims"] == 4
        with make_sessionmaker(engine).begin() as session:  # sequences came back too
            session.add(Tag(name="after the restore"))
        assert migrations.is_up_to_date(engine)
    finally:
        engine.dispose()
