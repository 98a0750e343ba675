# ruff: noqa: E501 - one bad input per line
"""`counterclaim sql` (table, csv, json; parameters; the same refusals) and
`counterclaim db create-readonly-role`."""

import csv
import io
import json
import uuid

import pytest
from click.testing import CliRunner

from counterclaim.cli import main
from counterclaim.services.research.readonly_role import drop_readonly_role
from research import TIME_LIMIT


@pytest.fixture
def run(research, monkeypatch):
    monkeypatch.setenv("COUNTERCLAIM_SQL_TIME_LIMIT", str(TIME_LIMIT))
    monkeypatch.setenv("COUNTERCLAIM_SQL_ROW_LIMIT", "3")
    if research.readonly_url:
        monkeypatch.setenv("COUNTERCLAIM_READONLY_DATABASE_URL", research.readonly_url)

    def invoke(*args, input=None):
        return CliRunner().invoke(main, ["--database", research.url, *args], input=input)

    return invoke


def test_the_table_format_shows_columns_rows_and_a_footer(run):
    result = run(
        "sql", "SELECT name, kind FROM actors WHERE name = :name", "-p", "name=DEBKA Weekly"
    )
    assert result.exit_code == 0, result.output
    assert "name" in result.stdout and "kind" in result.stdout
    assert "DEBKA Weekly" in result.stdout and "media" in result.stdout
    assert "1 row in" in result.stderr


def test_the_table_format_is_cut_at_the_row_limit(run):
    result = run("sql", "SELECT id FROM claims ORDER BY id")
    assert result.exit_code == 0
    assert "3 rows in" in result.stderr and "cut at 3" in result.stderr


def test_csv_gives_every_row_with_formulas_escaped(run, research):
    result = run("sql", "SELECT id, '=1+1' AS f FROM claims ORDER BY id", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    ids = [str(row[0]) for row in research.query("SELECT id FROM claims ORDER BY id")]
    assert rows == [["id", "f"], *[[i, "'=1+1"] for i in ids]]


def test_json_gives_every_row(run, research):
    result = run("sql", "SELECT id, stated_on FROM claims ORDER BY id", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["columns"] == ["id", "stated_on"]
    assert len(data["rows"]) == len(research.query("SELECT id FROM claims")) > 3
    assert sorted({row[1] for row in data["rows"] if row[1]}) == ["2016-11-27", "2016-12-02"]


def test_the_query_can_come_from_standard_input(run):
    result = run("sql", "-", "--format", "csv", input="SELECT 'a' AS x\n")
    assert result.exit_code == 0
    assert list(csv.reader(io.StringIO(result.stdout))) == [["x"], ["a"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sql", "DELETE FROM tags"], "DELETE"),
        (["sql", "SELECT password_hash FROM users"], "password_hash"),
        (["sql", "SELECT nosuch FROM claims"], "nosuch"),
        (["sql", "SELECT :a AS a"], "Give a value for :a"),
        (["sql", "SELECT 1 AS one", "-p", "b=1"], "no parameter :b"),
        (["sql", "SELECT 1 AS one", "-p", "novalue"], "is not NAME=VALUE"),
        (["sql", "SELECT 1", "--format", "xml"], "Invalid value for '--format'"),
        (["sql", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"], "limit"),
    ],
)  # fmt: skip
def test_bad_input_is_one_error_line(run, args, message):
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: ")


def test_create_readonly_role_refuses_sqlite(run, research):
    if research.kind != "sqlite":
        pytest.skip("SQLite only")
    result = run("db", "create-readonly-role")
    assert result.exit_code == 1
    assert "SQLite needs no read-only role" in result.output


def test_create_readonly_role_prints_the_url_and_is_idempotent(run, research):
    if research.kind != "postgresql":
        pytest.skip("PostgreSQL only")
    name = f"cc_cli_{uuid.uuid4().hex[:10]}"
    try:
        first = run("db", "create-readonly-role", "--name", name)
        assert first.exit_code == 0, first.output
        assert f"Created the read-only role {name}" in first.output
        line = first.output.strip().splitlines()[-1]
        assert line.startswith(f"COUNTERCLAIM_READONLY_DATABASE_URL=postgresql+psycopg://{name}:")
        url = line.split("=", 1)[1]
        again = run("db", "create-readonly-role", "--name", name)
        assert again.exit_code == 0 and f"Updated the read-only role {name}" in again.output
        assert "password is unchanged" in again.output
        result = CliRunner(env={"COUNTERCLAIM_READONLY_DATABASE_URL": url}).invoke(
            main, ["--database", research.url, "sql", "SELECT count(*) AS n FROM tags"]
        )
        assert result.exit_code == 0 and "17" in result.stdout
    finally:
        drop_readonly_role(research.engine, name)


def test_create_readonly_role_refuses_a_bad_name(run, research):
    if research.kind != "postgresql":
        pytest.skip("PostgreSQL only")
    result = run("db", "create-readonly-role", "--name", 'x"; DROP TABLE claims; --')
    assert result.exit_code == 1 and "not a plain role name" in result.output
