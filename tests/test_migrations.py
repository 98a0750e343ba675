"""The Alembic migrations: up, down and up again on each engine, with data, matching the models.

Each test gets fresh, empty databases from `database_url_factory`, never the shared
session database, because migrating up and down is what is under test.
"""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, Table, inspect, select, text

from conftest import ENGINES
from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.models import (
    ActorAlias,
    Base,
    ClaimOutcome,
    ClaimTag,
    RelationMapping,
    ReportSnapshot,
    Review,
    Revision,
    SavedQuery,
    SourceDerivation,
    VerdictMapping,
    actor_track_record,
    claim_consensus,
    claim_contradictions,
    claim_corroboration,
    contested_claims,
)
from counterclaim.models.search import include_name, is_search_object
from counterclaim.services import migrations
from factories import (
    make_actor,
    make_appearance,
    make_assessment,
    make_claim,
    make_link,
    make_note,
    make_source,
    make_tag,
    make_user,
    row_counts,
)

VERSION_TABLE = "alembic_version"
#: Tables that later revisions add, by the revision that adds them.
LATER_TABLES = {
    "verdict_mappings": "0005",
    **dict.fromkeys(("reviews", "actor_aliases", "relation_mappings"), "0010"),
    **dict.fromkeys(("source_derivations", "claim_outcomes", "report_snapshots"), "0012"),
}
VIEWS = {
    view.name: view
    for view in (
        claim_contradictions,
        claim_consensus,
        contested_claims,
        claim_corroboration,
        actor_track_record,
    )
}
#: The views of migration 0002, which a downgrade to 0002 keeps (0012 adds the others, over
#: tables a downgrade drops with their rows).
EARLY_VIEWS = ("claim_contradictions", "claim_consensus", "contested_claims")


@pytest.fixture(params=ENGINES)
def empty_engine(request, database_url_factory):
    """An engine on a new, empty database of each kind."""
    engine = make_engine(database_url_factory(request.param))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module", params=ENGINES)
def migrated_engine(request, database_url_factory):
    """An engine on a new database of each kind, migrated to head and left empty."""
    engine = make_engine(database_url_factory(request.param))
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


# --- helpers -------------------------------------------------------------------------------


def fill(engine) -> None:
    """Put a few rows in every table: the Mosul week in miniature."""
    with make_sessionmaker(engine).begin() as session:
        alice, bob = make_user(session, role="editor"), make_user(session)
        iraq = make_actor(session, name="Government of Iraq", kind="government")
        abadi = make_actor(session, name="Haider al-Abadi", affiliation=iraq)
        isis = make_actor(session, name="ISIS", kind="armed_group")
        debka = make_actor(session, name="DEBKAfile", kind="media", external_id="debka")
        article = make_source(session, publisher=debka, reliability="D")
        video = make_source(session, kind="video", publisher=isis, reliability="F")
        collapsing = make_claim(session, claimant=abadi, text="ISIS is collapsing.")
        defended = make_claim(session, claimant=isis, text="Mosul is defended.")
        stalled = make_claim(session, claimant=debka, text="The army has stalled.")
        make_appearance(session, collapsing, article, stance="skeptical")
        make_appearance(session, defended, video, stance="origin")
        make_appearance(session, stalled, article, stance="origin", locator="para 4")
        make_link(session, collapsing, defended, relation="contradicts", strength="strong")
        make_link(session, collapsing, stalled, relation="contradicts")
        make_link(session, stalled, defended, relation="supports")
        make_assessment(session, collapsing, alice, credibility=2)
        make_assessment(session, collapsing, alice, credibility=4)
        make_assessment(session, collapsing, bob, credibility=5, confidence="high")
        make_assessment(session, defended, bob, credibility=6, confidence="low")
        make_note(session, collapsing, alice, body="Said on the sixth week.")
        make_note(session, author=bob, source=article, body="Israeli outlet; *unsourced*.")
        mosul = make_tag(session, name="Mosul", kind="place")
        offensive = make_tag(session, name="Mosul offensive", kind="operation")
        session.add_all(
            [
                ClaimTag(claim_id=collapsing.id, tag_id=mosul.id),
                ClaimTag(claim_id=defended.id, tag_id=mosul.id),
                ClaimTag(claim_id=stalled.id, tag_id=offensive.id),
                Revision(entity="claims", entity_id=collapsing.id, action="create"),
                Revision(
                    entity="claims",
                    entity_id=defended.id,
                    action="update",
                    changes={"status": ["open", "under_review"]},
                    user_id=alice.id,
                ),
                SavedQuery(name="Contested", sql="SELECT * FROM contested_claims"),
                VerdictMapping(verdict="collapsing", label="Collapsing", credibility=4),
                Review(
                    claim=collapsing,
                    reviewer=debka,
                    url="https://debka.com/check",
                    verdict="Misleading",
                    credibility=4,
                    mapping_origin="default",
                ),
                ActorAlias(actor=abadi, alias="حيدر العبادي", key="حيدر العبادي"),
                RelationMapping(label="agrees", written="Agrees", relation="supports"),
                SourceDerivation(source_id=article.id, derived_from_id=video.id, kind="summarises"),
                ClaimOutcome(claim_id=defended.id, outcome="unresolved", rationale="Unseen video."),
                ReportSnapshot(scope="tag=Mosul", content={"summary": {"pairs": 2}}),
            ]
        )


def contents(engine, tables) -> dict[str, list[tuple]]:
    """Every row of every table or view, in a stable order (by id, or by every column)."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns))
                )
            ]
            for table in tables
        }


def table_contents(engine):
    return contents(engine, Base.metadata.sorted_tables)


def view_contents(engine, names=tuple(VIEWS)):
    return contents(engine, [VIEWS[name] for name in names])


def schema(engine) -> dict:
    """What the database holds, by inspection: tables, views and each table's shape.

    The full-text index (migration 0004) is left out: its own tests inspect it.
    """
    inspector = inspect(engine)
    tables = {name for name in inspector.get_table_names() if not is_search_object(name, "table")}
    shape = {
        name: {
            "columns": [
                (column["name"], str(column["type"]), column["nullable"])
                for column in inspector.get_columns(name)
                if not is_search_object(column["name"], "column")
            ],
            "primary key": inspector.get_pk_constraint(name)["constrained_columns"],
            "foreign keys": sorted(
                (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in inspector.get_foreign_keys(name)
            ),
            "indexes": sorted(
                (ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                for ix in inspector.get_indexes(name)
                if not is_search_object(ix["name"], "index")
            ),
            "unique": sorted(uq["name"] for uq in inspector.get_unique_constraints(name)),
            "checks": sorted(ck["name"] for ck in inspector.get_check_constraints(name)),
        }
        for name in sorted(tables - {VERSION_TABLE})
    }
    return {"tables": tables, "views": set(inspector.get_view_names()), "shape": shape}


def assert_complete(found: dict) -> None:
    """Every model table and every research view is there, with all its parts."""
    assert found["tables"] == set(Base.metadata.tables) | {VERSION_TABLE}
    assert found["views"] == set(VIEWS)
    for name, table in Base.metadata.tables.items():
        shape = found["shape"][name]
        assert [column[0] for column in shape["columns"]] == list(table.columns.keys())
        assert {ix[0] for ix in shape["indexes"]} >= {index.name for index in table.indexes}
        assert set(shape["checks"]) == {
            c.name for c in table.constraints if type(c).__name__ == "CheckConstraint"
        }
        assert set(shape["unique"]) == {
            c.name for c in table.constraints if type(c).__name__ == "UniqueConstraint"
        }
        assert {fk[0] for fk in shape["foreign keys"]} == {
            c.name for c in table.foreign_key_constraints
        }


# --- up, down, up --------------------------------------------------------------------------


def test_upgrade_head_builds_the_whole_schema_on_an_empty_database(empty_engine):
    assert schema(empty_engine)["tables"] == set()

    migrations.upgrade(empty_engine)

    assert_complete(schema(empty_engine))
    assert all(rows == [] for rows in view_contents(empty_engine).values())


def test_fill_puts_rows_in_every_table(empty_engine):
    migrations.upgrade(empty_engine)
    fill(empty_engine)
    assert all(count > 0 for count in row_counts(empty_engine).values()), row_counts(empty_engine)
    assert all(rows for rows in view_contents(empty_engine).values())


def test_downgrade_base_removes_everything_and_upgrade_rebuilds_it(empty_engine):
    migrations.upgrade(empty_engine)
    first = schema(empty_engine)
    fill(empty_engine)

    migrations.downgrade(empty_engine, "base")

    emptied = schema(empty_engine)
    assert emptied["tables"] <= {VERSION_TABLE}  # Alembic keeps its (now empty) table
    assert emptied["views"] == set()
    assert migrations.current_revision(empty_engine) is None

    migrations.upgrade(empty_engine)

    again = schema(empty_engine)
    assert_complete(again)
    assert again == first
    assert set(row_counts(empty_engine).values()) == {0}
    fill(empty_engine)  # the rebuilt schema takes the same data
    assert all(count > 0 for count in row_counts(empty_engine).values())


# Schema added after 0002: a downgrade to 0002 or below drops it, an upgrade makes it anew.
LATER_COLUMNS = {"session_token", "must_change_password", "created_by", "external_id",
                 "withdrawn_at", "withdrawn_by"}  # fmt: skip
#: Columns a later revision adds to some tables only (0011: version), by table.
LATER_TABLE_COLUMNS = {
    table: {"version"} for table in ("annotations", "claim_links", "claim_sources", "assessments")
}


def lasting(engine) -> dict[str, list[tuple]]:
    """Rows of the tables that exist at 0002, without the columns added after it."""
    tables = [t for t in Base.metadata.sorted_tables if t.name not in LATER_TABLES]
    return contents(
        engine,
        [
            _columns_at(engine, t, leave_out=LATER_COLUMNS | LATER_TABLE_COLUMNS.get(t.name, set()))
            for t in tables
        ],
    )


@pytest.mark.parametrize(("target", "views_there"), [("0001", False), ("0002", True)])
def test_a_downgrade_keeps_the_data_and_upgrade_restores_the_rest(
    empty_engine, target, views_there
):
    migrations.upgrade(empty_engine)
    fill(empty_engine)
    tables, views = lasting(empty_engine), view_contents(empty_engine, EARLY_VIEWS)

    migrations.downgrade(empty_engine, target)

    found = schema(empty_engine)
    assert found["views"] == (set(EARLY_VIEWS) if views_there else set())
    assert found["tables"] == set(Base.metadata.tables) - set(LATER_TABLES) | {VERSION_TABLE}
    assert not any(
        column[0] in LATER_COLUMNS | LATER_TABLE_COLUMNS.get(table, set())
        for table, shape in found["shape"].items()
        for column in shape["columns"]
    )
    assert migrations.current_revision(empty_engine) == target
    assert lasting(empty_engine) == tables

    migrations.upgrade(empty_engine)

    assert lasting(empty_engine) == tables
    assert view_contents(empty_engine, EARLY_VIEWS) == views
    with empty_engine.connect() as connection:  # every user has a fresh, distinct token
        tokens = connection.execute(text("SELECT session_token FROM users")).scalars().all()
    assert len(set(tokens)) == len(tokens) > 0 and all(len(t) == 32 for t in tokens)


def _columns_at(engine, table, leave_out=frozenset()):
    """`table` as the database has it now: only the columns it holds at this revision."""
    present = {column["name"] for column in inspect(engine).get_columns(table.name)} - leave_out
    columns = [Column(c.name, c.type, primary_key=c.primary_key) for c in table.columns]
    return Table(table.name, MetaData(), *(c for c in columns if c.name in present))


# --- the models and the migrations agree ---------------------------------------------------


def test_the_migrated_schema_matches_the_models(migrated_engine):
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


# --- where the database is -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected", "up_to_date"),
    [
        (None, None, False),
        ("0001", "0001", False),
        ("head", "head", True),
    ],
    ids=["never migrated", "at 0001", "at head"],
)
def test_current_revision_and_is_up_to_date(empty_engine, target, expected, up_to_date):
    if target is not None:
        migrations.upgrade(empty_engine, target)
    if expected == "head":
        expected = migrations.head_revision()
    assert migrations.current_revision(empty_engine) == expected
    assert migrations.is_up_to_date(empty_engine) is up_to_date


def test_after_a_downgrade_the_database_is_no_longer_up_to_date(empty_engine):
    migrations.upgrade(empty_engine)
    assert migrations.is_up_to_date(empty_engine)
    migrations.downgrade(empty_engine, "0001")
    assert not migrations.is_up_to_date(empty_engine)
    migrations.downgrade(empty_engine, "base")
    assert migrations.current_revision(empty_engine) is None
    assert not migrations.is_up_to_date(empty_engine)


def test_head_revision_is_the_single_newest_script():
    scripts = ScriptDirectory.from_config(migrations.alembic_config())
    assert scripts.get_heads() == [migrations.head_revision()]
    assert scripts.get_revision(migrations.head_revision()).nextrev == frozenset()


# --- every foreign key is indexed ----------------------------------------------------------


@pytest.mark.parametrize("table", sorted(Base.metadata.tables))
def test_every_foreign_key_has_an_index(migrated_engine, table):
    """Each FK's columns lead some index, unique constraint or the primary key.

    Without one, deleting or updating a parent row scans the whole child table (PostgreSQL
    does not index foreign keys by itself, nor does SQLite).
    """
    inspector = inspect(migrated_engine)
    leading = [tuple(ix["column_names"]) for ix in inspector.get_indexes(table)]
    leading += [tuple(uq["column_names"]) for uq in inspector.get_unique_constraints(table)]
    leading.append(tuple(inspector.get_pk_constraint(table)["constrained_columns"]))

    foreign_keys = inspector.get_foreign_keys(table)
    assert len(foreign_keys) == len(Base.metadata.tables[table].foreign_key_constraints)
    unindexed = [
        fk["constrained_columns"]
        for fk in foreign_keys
        if not any(
            columns[: len(fk["constrained_columns"])] == tuple(fk["constrained_columns"])
            for columns in leading
        )
    ]
    assert unindexed == []
