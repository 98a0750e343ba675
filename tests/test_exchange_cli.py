"""`counterclaim import` and `counterclaim verdicts`: what the analyst sees on the terminal."""

from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from conftest import ENGINES
from counterclaim.db import make_engine
from counterclaim.models import Base, Claim
from counterclaim.services import migrations
from factories import run_cli

DATA = Path(__file__).parent / "data" / "exchange"
BAD_CSV = "text,claimant,stated_on\nMosul airport taken,Iraqi army,2016-11-01\nNo date,PMU,soon\n"


@pytest.fixture(scope="module", params=ENGINES)
def migrated(request, database_url_factory):
    """A migrated database of each kind for the module."""
    url = database_url_factory(request.param)
    engine = make_engine(url)
    migrations.upgrade(engine)
    yield url, engine
    engine.dispose()


@pytest.fixture
def database(migrated):
    """The module's database, emptied: the commands under test commit."""
    url, engine = migrated
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
    return url


run = run_cli


def claims(database) -> int:
    engine = make_engine(database)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Claim))
    finally:
        engine.dispose()


def test_dry_run_then_import_then_import_again(database):
    path = str(DATA / "factcheck-api-response.json")
    code, output = run(database, "import", "--dry-run", path)
    assert code == 0
    assert output.startswith("Would create 7 actors, 3 claims, 4 reviews.")
    assert "'Mostly accurate, with some exaggeration' ×1" in output
    assert claims(database) == 0

    code, output = run(database, "import", path)
    assert code == 0 and output.startswith("Created 7 actors") and claims(database) == 3

    code, output = run(database, "import", path)
    assert code == 0 and output.startswith("Created nothing: everything is already there.")
    assert claims(database) == 3


def test_a_csv_with_columns_and_day_first_dates(database, tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("Claim,Said by,Date\nISIS is collapsing,Haider al-Abadi,27/11/2016\n")
    code, output = run(database, "import", str(path), "--column", "text=Claim",
                       "--column", "claimant=Said by", "--column", "stated_on=Date",
                       "--dates", "dmy")  # fmt: skip
    assert (code, output) == (0, "Created 1 actors, 1 claims.\n")


def test_a_mapping_file(database, tmp_path):
    (tmp_path / "map.yaml").write_text("dates: mdy\ncolumns:\n  text: Claim\n  stated_on: When\n")
    (tmp_path / "c.tsv").write_text("Claim\tWhen\nMosul is encircled\t11/30/2016\n")
    code, output = run(database, "import", str(tmp_path / "c.tsv"), "--map",
                       str(tmp_path / "map.yaml"))  # fmt: skip
    assert code == 0 and "1 claims" in output


def test_problems_are_listed_and_nothing_is_imported(database, tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text(BAD_CSV)
    code, output = run(database, "import", str(path))
    assert code == 1
    assert output.splitlines() == [
        "Problems:",
        "  claims.csv, line 3, stated_on: 'soon' is not a date",
        "Error: 1 problem(s) in 1 record(s): nothing was imported (fix them, or import the "
        "rest with --skip-invalid)",
    ]
    assert claims(database) == 0


def test_a_dry_run_with_problems_fails_and_says_what_the_rest_would_create(database, tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text(BAD_CSV)
    code, output = run(database, "import", "--dry-run", str(path))
    assert code == 1
    assert "Would create 1 actors, 1 claims." in output
    assert "1 invalid record(s):\n  1 × stated_on: … is not a date\n" in output
    assert "      claims.csv, line 3, stated_on: 'soon' is not a date\n" in output
    assert output.endswith("Error: 1 problem(s): the import would be refused (fix them, or add "
                           "--skip-invalid)\n")  # fmt: skip


def test_skip_invalid_imports_the_rest_and_lists_the_skipped(database, tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text(BAD_CSV)
    code, output = run(database, "import", "--skip-invalid", str(path))
    assert code == 0
    assert (
        "Skipped, with their problems:\n  claims.csv, line 3, stated_on: 'soon' is not a date"
        in output
    )
    assert "Skipped 1 invalid record(s)." in output
    assert claims(database) == 1


@pytest.mark.parametrize(
    ("args", "content", "message"),
    [
        (["--format", "factcheck-api"], '{"claims": [}', "broken JSON at line 1, column 13"),
        ([], None, "nope.json is not a file"),
        (["--max-size", "10"], '{"claims": []}' + " " * 20, "over the import limit of 10 bytes"),
        (["--encoding", "klingon"], "text\nx\n", "unknown encoding 'klingon'"),
        (["--column", "text"], "text\nx\n", "--column 'text': write it as field=Header"),
    ],
)
def test_a_bad_file_or_option_is_one_error_line(database, tmp_path, args, content, message):
    path = tmp_path / ("nope.json" if content is None else "f.csv")
    if content is not None:
        path.write_text(content)
    code, output = run(database, "import", str(path), *args)
    assert code == 1
    assert output.startswith("Error: ") and message in output and output.count("\n") == 1
    assert claims(database) == 0


def test_import_refuses_an_unmigrated_database(database_url_factory):
    code, output = run(database_url_factory("sqlite"), "import", str(DATA / "maldita-es.json"))
    assert (code, output) == (
        1,
        "Error: the database is not migrated: run `counterclaim db upgrade`\n",
    )


def test_the_verdict_mapping_commands(database):
    assert run(database, "verdicts", "check", "Pants on Fire!") == (
        0, "'Pants on Fire!' → 5 (Improbable); built-in default; compared as 'pants on fire'\n",
    )  # fmt: skip
    code, output = run(database, "verdicts", "set", "Pants on Fire", "5", "--note", "as ever")
    assert code == 0 and "now maps to 5" in output
    assert run(database, "verdicts", "list", "--team")[1] == (
        "5  Pants on Fire  [team]  (as ever)\n"
    )
    assert "the team's mapping" in run(database, "verdicts", "check", "PANTS ON FIRE")[1]
    assert run(database, "verdicts", "unset", "pants on fire")[0] == 0
    assert run(database, "verdicts", "unset", "pants on fire") == (
        1, "Error: the team has no mapping of 'pants on fire'\n",
    )  # fmt: skip
    assert run(database, "verdicts", "set", "x", "7")[0] == 2  # click refuses 7 itself
    listed = run(database, "verdicts", "list")[1].splitlines()
    assert "5  Pants on Fire  [default]  (PolitiFact)" in listed
