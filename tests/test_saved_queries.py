"""Saved queries: the seeds ship useful ones that run on both engines; the seed section is
strict and idempotent by name; the service refuses duplicates."""

import pytest
import yaml
from sqlalchemy import func, select

from counterclaim.models import SavedQuery
from counterclaim.services.demo.seed import SeedError, default_seed_path, load_seed
from counterclaim.services.errors import Duplicate, NotAllowed
from counterclaim.services.research import saved_queries as service

SHIPPED = {
    "Most contested claims",
    "Each actor's claims with their contradictions",
    "Sources by reliability, with the contradicted claims they carry",
    "Claims on which analysts disagree most",
    "Contradictions per week",
}


def test_the_seed_ships_the_useful_queries():
    data = yaml.safe_load(default_seed_path().read_text(encoding="utf-8"))
    names = {query["name"] for query in data["saved_queries"]}
    assert names >= SHIPPED and len(names) >= 5


def test_every_shipped_query_runs_on_this_engine_and_finds_rows(research):
    console = research.console(time_limit=5)
    shipped = research.query("SELECT name, sql FROM saved_queries ORDER BY name")
    assert {name for name, _ in shipped} >= SHIPPED
    for name, sql in shipped:
        result = console.run(sql, {"tag": "Mosul"})
        assert result.row_count >= 1, name
    top = console.run(dict(shipped)["Most contested claims"]).rows[0]
    assert (top[1], top[4], top[5]) == ("Haider al-Abadi", 3, 2)
    disagreement = console.run(dict(shipped)["Claims on which analysts disagree most"]).rows[0]
    assert disagreement[5] == 2  # the widest spread comes first
    weeks = console.run(dict(shipped)["Contradictions per week"]).rows
    assert [tuple(row) for row in weeks] == [("2016-11-28", 9)]


def test_loading_the_seed_twice_adds_no_query_and_keeps_edits(session):
    first = load_seed(session, default_seed_path())
    assert first.created["saved_queries"] >= 5
    edited = service.find_by_name(session, "Most contested claims")
    edited.sql = "SELECT 1 AS edited"
    again = load_seed(session, default_seed_path())
    assert again.created["saved_queries"] == 0
    assert service.find_by_name(session, "Most contested claims").sql == "SELECT 1 AS edited"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("saved_queries:\n  - {name: A, sql: SELECT 1, owner: me}\n", "unknown field.*owner"),
        ("saved_queries:\n  - {name: A}\n", "sql is required"),
        (
            "saved_queries:\n  - {name: A, sql: SELECT 1}\n  - {name: A, sql: SELECT 2}\n",
            "repeats the name",
        ),
        ("saved_queries: {name: A}\n", "must be a list"),
    ],
)  # fmt: skip
def test_the_seed_section_is_strict(session, tmp_path, section, message):
    path = tmp_path / "seed.yaml"
    path.write_text(section, encoding="utf-8")
    with pytest.raises(SeedError, match=message):
        load_seed(session, path)
    assert session.scalar(select(func.count()).select_from(SavedQuery)) == 0


def test_the_service_refuses_duplicates_and_blanks(session):
    query = service.create_saved_query(session, name=" Q ", sql=" SELECT 1 ", description=" d ")
    assert (query.name, query.sql, query.description) == ("Q", "SELECT 1", "d")
    with pytest.raises(Duplicate, match="exists already"):
        service.create_saved_query(session, name="Q", sql="SELECT 2")
    with pytest.raises(NotAllowed, match="needs SQL"):
        service.create_saved_query(session, name="R", sql="  ")
    other = service.create_saved_query(session, name="R", sql="SELECT 2")
    with pytest.raises(Duplicate):
        service.update_saved_query(session, other, name="Q", sql="SELECT 2")
    service.update_saved_query(session, query, name="Q", sql="SELECT 3")
    assert [q.name for q in service.list_saved_queries(session)] == ["Q", "R"]
