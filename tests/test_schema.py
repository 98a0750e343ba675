"""The data dictionary: every table, view and column described, from the models and the
live database; the vocabularies matched to their columns; the ER diagram as SVG."""

from datetime import date
from xml.etree import ElementTree as ET

import pytest
import yaml
from markupsafe import escape
from sqlalchemy import text

from counterclaim.models import Base
from counterclaim.models.base import secret_columns
from counterclaim.models.views import view_metadata
from counterclaim.services.demo.seed import default_seed_path
from counterclaim.services.research.er_diagram import er_diagram_svg, layers
from counterclaim.services.research.schema import data_dictionary
from factories import make_appearance, make_claim, make_link, make_source

SVG = "{http://www.w3.org/2000/svg}"


def test_every_column_of_every_table_and_view_has_a_description(session):
    dictionary = data_dictionary(session.connection())
    assert dictionary.undescribed() == []
    assert {t.name for t in dictionary.tables} == {*Base.metadata.tables, "alembic_version"}
    assert {v.name for v in dictionary.views} == set(view_metadata.tables)
    assert all(relation.present for relation in dictionary.relations)


def test_an_undescribed_column_is_found(session):
    session.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY, mystery TEXT)"))
    assert data_dictionary(session.connection()).undescribed() == ["scratch", "scratch.mystery"]


def test_the_dictionary_reads_types_nullability_keys_and_vocabularies(session):
    dictionary = data_dictionary(session.connection())
    claims = next(t for t in dictionary.tables if t.name == "claims")
    assert claims.column("id").primary_key
    assert claims.column("claimant_id").references == "actors.id"
    assert claims.column("claimant_id").nullable is False
    assert claims.column("stated_on").nullable is True
    assert claims.column("status").vocabulary == "CLAIM_STATUS"
    assert "DATE" in claims.column("stated_on").type.upper()
    assert {v.key: v.columns for v in dictionary.vocabularies}["RELIABILITY"] == [
        "sources.reliability"
    ]
    assert all(v.columns for v in dictionary.vocabularies)
    users = next(t for t in dictionary.tables if t.name == "users")
    assert users.column("password_hash").secret and not users.column("username").secret


def test_secret_columns_are_marked_and_say_so():
    marked = secret_columns(Base.metadata)
    assert ("users", "password_hash") in marked
    said = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if "secret" in (column.comment or "").lower()
    }
    assert said == marked


def test_the_schema_page_shows_every_column_and_its_meaning(client, session):
    response = client.get("/schema/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for relation in data_dictionary(session.connection()).relations:
        assert f'id="{relation.name}"' in page
        for column in relation.columns:
            assert f"<code>{column.name}</code>" in page
            assert str(escape(column.description)) in page, (relation.name, column.name)
    assert "Admiralty" in page and "Completely reliable" in page
    assert 'src="/schema/diagram.svg"' in page


def test_the_diagram_is_safe_svg_with_a_box_per_table_and_a_curve_per_key(client, session):
    response = client.get("/schema/diagram.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = ET.fromstring(response.get_data(as_text=True))
    tables = [t for t in data_dictionary(session.connection()).tables]
    names = {el.text for el in svg.iter(f"{SVG}text") if el.get("font-size") == "13"}
    assert names == {t.name for t in tables}
    keys = sum(1 for t in tables for c in t.columns if c.references)
    assert len(list(svg.iter(f"{SVG}path"))) == keys + 1  # and the arrowhead
    assert not list(svg.iter(f"{SVG}script"))
    assert all("style" not in el.attrib for el in svg.iter())


def test_the_layout_puts_each_table_right_of_what_it_references(session):
    tables = data_dictionary(session.connection()).tables
    column_of = {t.name: i for i, column in enumerate(layers(tables)) for t in column}
    for table in tables:
        for column in table.columns:
            target = column.references and column.references.split(".")[0]
            if target and target != table.name:
                assert column_of[target] < column_of[table.name], column.references
    assert "<title>" in er_diagram_svg(tables)


# --- The shipped saved queries --------------------------------------------------------------


def week_query() -> str:
    data = yaml.safe_load(default_seed_path().read_text(encoding="utf-8"))
    return next(q["sql"] for q in data["saved_queries"] if q["name"] == "Contradictions per week")


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([date(2016, 11, 27), date(2016, 12, 2)], {"2016-11-28": 1}),
        ([date(2016, 2, 29), date(2016, 2, 28)], {"2016-02-29": 1}),
        ([date(2017, 1, 1), date(2016, 12, 26)], {"2016-12-26": 1}),
        ([date(2020, 3, 1), date(2000, 1, 1)], {"2020-02-24": 1}),
        ([date(2024, 12, 30), None], {"2024-12-30": 1}),
        ([None, None], {"undated": 1}),
    ],
)
def test_contradictions_per_week_buckets_by_monday_on_both_engines(session, days, expected):
    first = make_claim(session, stated_on=days[0])
    second = make_claim(session, stated_on=days[1])
    make_link(session, first, second, relation="contradicts")
    rows = session.execute(text(week_query())).all()
    assert {week: count for week, count in rows} == expected


def test_a_claim_without_a_date_takes_its_first_sources(session):
    first = make_claim(session, stated_on=None)
    make_appearance(
        session, claim=first, source=make_source(session, published_on=date(2016, 12, 2))
    )
    second = make_claim(session, stated_on=date(2016, 11, 20))
    make_link(session, first, second, relation="contradicts")
    assert session.execute(text(week_query())).all() == [("2016-11-28", 1)]
