"""Migration 0004: the full-text index is built with its backfill, and removed, on each engine."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import MetaData, Table, inspect, text

from conftest import ENGINES
from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.models.search import (
    INDEXED,
    PG_COLUMN,
    is_search_object,
    is_shadow_table,
    search_table_descriptions,
)
from counterclaim.services import migrations
from counterclaim.services.search import search as service

# The revision the full-text search migration (0004) follows.
BEFORE_SEARCH = "0005"


@pytest.fixture(params=ENGINES)
def engine_before_search(request, database_url_factory):
    """A new database of each kind, migrated to just before the search index."""
    engine = make_engine(database_url_factory(request.param))
    migrations.upgrade(engine, BEFORE_SEARCH)
    yield engine
    engine.dispose()


def search_objects(engine) -> dict[str, set[str]]:
    """The tables, columns, indexes and triggers of the search index found in the database."""
    inspector = inspect(engine)
    tables = {t for t in inspector.get_table_names() if is_search_object(t, "table")}
    columns, indexes = set(), set()
    for indexed in INDEXED.values():
        columns |= {
            f"{indexed.table}.{c['name']}"
            for c in inspector.get_columns(indexed.table)
            if is_search_object(c["name"], "column")
        }
        indexes |= {
            ix["name"]
            for ix in inspector.get_indexes(indexed.table)
            if is_search_object(ix["name"], "index")
        }
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            triggers = set(connection.scalars(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ))  # fmt: skip
            extras = set()
        else:
            triggers = set()
            extras = set(connection.scalars(text(
                "SELECT 'config ' || cfgname FROM pg_ts_config"
                " WHERE cfgname = 'counterclaim_search'"
                " UNION ALL SELECT 'function ' || proname FROM pg_proc"
                " WHERE proname = 'search_fold'"
                " UNION ALL SELECT 'extension ' || extname FROM pg_extension"
                " WHERE extname = 'unaccent'"
            )))  # fmt: skip
    return {"tables": tables, "columns": columns, "indexes": indexes,
            "triggers": triggers, "other": extras}  # fmt: skip


def test_upgrade_builds_the_index_and_downgrade_removes_all_of_it(engine_before_search):
    engine = engine_before_search
    before = search_objects(engine)

    migrations.upgrade(engine)

    built = search_objects(engine)
    if engine.dialect.name == "sqlite":
        assert {f"search_{kind}" for kind in INDEXED} <= built["tables"]
        assert built["triggers"] == {
            f"search_{kind}_{event}" for kind in INDEXED for event in ("insert", "update", "delete")
        }
    else:
        assert built["columns"] == {f"{i.table}.{PG_COLUMN}" for i in INDEXED.values()}
        assert built["indexes"] == {f"ix_{i.table}_{PG_COLUMN}" for i in INDEXED.values()}
        assert built["other"] == {
            "config counterclaim_search", "function search_fold", "extension unaccent",
        }  # fmt: skip

    migrations.downgrade(engine, BEFORE_SEARCH)

    assert search_objects(engine) == before


def test_upgrade_indexes_the_rows_already_there(engine_before_search):
    engine = engine_before_search
    # Rows written as the schema is at that revision (today's models have more columns).
    stamp = datetime(2016, 11, 27, 10, tzinfo=UTC)
    now = {"created_at": stamp, "updated_at": stamp, "notes": "", "description": ""}
    rows = [
        ("users", {"id": 1, "username": "a", "display_name": "A", "password_hash": "",
                   "role": "analyst", "is_active": True, "session_token": "x"}),
        ("actors", {"id": 1, "name": "Hamdaniya council", "kind": "person", "description": ""}),
        ("sources", {"id": 1, "title": "Bartella report", "kind": "article", "reliability": "C",
                     "version": 1, "author": "", "url": "", "archived_url": ""}),
        ("claims", {"id": 1, "text": "Nimrud retaken by the army", "is_verbatim": False,
                    "claimant_id": 1, "status": "open", "version": 1}),
        ("claim_sources", {"id": 1, "claim_id": 1, "source_id": 1, "locator": "",
                           "excerpt": "Sinjar road reopened", "stance": "neutral"}),
        ("annotations", {"id": 1, "claim_id": 1, "author_id": 1,
                         "body": "Qayyarah airbase note"}),
    ]  # fmt: skip
    with engine.begin() as connection:
        for name, values in rows:
            table = Table(name, MetaData(), autoload_with=connection)
            values = {**values, **{k: v for k, v in now.items() if k in table.c}}
            connection.execute(table.insert(), {k: v for k, v in values.items() if k in table.c})

    migrations.upgrade(engine)

    with make_sessionmaker(engine)() as session:
        for kind, query in [("claims", "nimrud"), ("excerpts", "sinjar"), ("actors", "hamdaniya"),
                            ("sources", "bartella"), ("notes", "qayyarah")]:  # fmt: skip
            group = service.search(session, query, kinds=[kind]).groups[0]
            assert group.total == 1, kind


def test_the_index_and_the_models_stay_apart(engine_before_search):
    """The mapped tables are untouched on SQLite; PostgreSQL only gains the generated column."""
    engine = engine_before_search
    migrations.upgrade(engine)
    inspector = inspect(engine)
    for indexed in INDEXED.values():
        columns = [c["name"] for c in inspector.get_columns(indexed.table)]
        mapped = [c.name for c in indexed.model.__table__.columns]
        extra = [PG_COLUMN] if engine.dialect.name == "postgresql" else []
        assert sorted(columns) == sorted(mapped + extra)  # 0011 adds columns after it


def test_every_sqlite_search_table_is_described_or_fts5_storage(database_url_factory):
    """What a data dictionary needs: a description for each search table, none for storage.

    (PostgreSQL keeps its index in columns, each with a COMMENT.)
    """
    engine = make_engine(database_url_factory("sqlite"))
    migrations.upgrade(engine)
    tables = {t for t in inspect(engine).get_table_names() if is_search_object(t, "table")}
    described = search_table_descriptions()
    assert {t for t in tables if not is_shadow_table(t)} == set(described)
    for name, (_about, columns) in described.items():
        assert [c["name"] for c in inspect(engine).get_columns(name)] == list(columns)
    engine.dispose()
