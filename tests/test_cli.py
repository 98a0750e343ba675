"""The `counterclaim` command: migrate, seed, serve; one clear line on bad input."""

import pytest
from sqlalchemy import func, select

from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.models import Claim
from counterclaim.services import migrations
from factories import run_cli

run = run_cli


def claim_count(database) -> int:
    engine = make_engine(database)
    try:
        with make_sessionmaker(engine)() as session:
            return session.scalar(select(func.count()).select_from(Claim))
    finally:
        engine.dispose()


def test_upgrade_current_and_downgrade(database):
    assert run(database, "db", "current") == (0, "base (empty) — needs `db upgrade`\n")
    head = migrations.head_revision()
    code, output = run(database, "db", "upgrade")
    assert code == 0 and f"revision {head}" in output
    assert run(database, "db", "current")[1] == f"{head} — up to date\n"
    code, output = run(database, "db", "downgrade", "base", input="n\n")
    assert code == 1 and "Aborted" in output
    assert run(database, "db", "downgrade", "base", "--yes") == (0, "Database at revision base.\n")


def test_seed_is_idempotent(database):
    run(database, "db", "upgrade")
    code, output = run(database, "seed")
    assert code == 0 and "claims" in output
    first = claim_count(database)
    assert first >= 12
    code, output = run(database, "seed")
    assert code == 0 and "Nothing to create" in output
    assert claim_count(database) == first


def test_seed_refuses_an_unmigrated_database(database):
    code, output = run(database, "seed")
    assert code == 1
    assert output == "Error: the database is not migrated: run `counterclaim db upgrade`\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["seed", "/no/such/file.yaml"], "cannot read the seed file"),
        (["db", "upgrade", "9999"], "Can't locate revision"),
        (["serve", "--port", "99999"], "Invalid value for '--port'"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(database, args, message):
    run(database, "db", "upgrade")
    code, output = run(database, *args)
    assert code != 0 and message in output
    assert "Traceback" not in output
    assert output.strip().splitlines()[-1].startswith("Error: ")


def test_an_unreachable_database_is_one_line():
    code, output = run("postgresql+psycopg://nobody@127.0.0.1:1/none", "db", "current")
    assert code == 1 and output.startswith("Error: cannot use the database:")
    assert "Traceback" not in output


def test_serve_migrates_seeds_an_empty_database_and_prints_the_address(database, monkeypatch):
    served = {}
    monkeypatch.setattr("waitress.serve", lambda app, **kw: served.update(kw, app=app))
    code, output = run(database, "serve", "--port", "5099")
    assert code == 0, output
    assert "open http://127.0.0.1:5099/" in output and "Loaded the demo data" in output
    assert served["port"] == 5099 and served["app"].config["DATABASE_URL"] == database
    assert claim_count(database) >= 12
    code, output = run(database, "serve", "--port", "5099")
    assert "Loaded the demo data" not in output  # not empty any more: nothing reloaded


def test_serve_no_seed_leaves_the_database_empty(database, monkeypatch):
    monkeypatch.setattr("waitress.serve", lambda app, **kw: None)
    assert run(database, "serve", "--no-seed")[0] == 0
    assert claim_count(database) == 0
