"""Ids are never reused, on both engines: after a delete, through migration 0011, after a
dump import and `counterclaim generate` (services/ids.py)."""

import io

import pytest
from sqlalchemy import func, select, text

from conftest import ENGINES
from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.models import Actor, Claim, Revision, Source, Tag
from counterclaim.services import ids, migrations
from counterclaim.services.claims.claims import delete_claim
from counterclaim.services.demo import synthetic
from counterclaim.services.exchange import dump, run_import
from factories import make_actor, make_claim, make_source, make_tag, make_user


@pytest.mark.parametrize(
    ("model", "factory"),
    [(Claim, make_claim), (Actor, make_actor), (Source, make_source), (Tag, make_tag)],
)
def test_the_newest_rows_id_is_not_given_again_after_it_is_deleted(session, model, factory):
    newest = factory(session)
    deleted_id = newest.id
    session.delete(newest)
    session.flush()

    again = factory(session)

    assert again.id > deleted_id


def test_delete_the_newest_claim_then_create_another_gets_a_new_id(session):
    user = make_user(session, role="editor")
    session.info["user_id"] = user.id
    claim = make_claim(session)
    deleted_id = claim.id
    delete_claim(session, claim)

    again = make_claim(session)

    assert again.id == deleted_id + 1
    history = session.scalars(
        select(Revision.action).where(Revision.entity == "claims", Revision.entity_id == again.id)
    ).all()
    assert history == ["create"]  # the new claim's history is its own


def test_the_counter_starts_past_ids_only_revisions_remember(session):
    """A row deleted before AUTOINCREMENT (or removed from a dump) is named by revisions."""
    claim = make_claim(session)
    session.add(Revision(entity="claims", entity_id=claim.id + 40, action="delete", changes={}))
    session.flush()
    connection = session.connection()

    assert ids.next_ids(connection, [Claim.__table__]) == {"claims": claim.id + 41}
    ids.advance_counters(connection, [Claim.__table__])

    assert make_claim(session).id == claim.id + 41


def test_advancing_never_moves_a_counter_back(session):
    claim = make_claim(session)
    newest = make_claim(session, claimant=claim.claimant)
    newest_id = newest.id
    session.delete(newest)
    session.flush()
    connection = session.connection()

    ids.advance_counters(connection, [Claim.__table__])

    assert make_claim(session, claimant=claim.claimant).id == newest_id + 1


@pytest.fixture(params=ENGINES)
def empty_engine(request, database_url_factory):
    engine = make_engine(database_url_factory(request.param))
    yield engine
    engine.dispose()


def test_generate_starts_past_a_deleted_claims_id(empty_engine):
    migrations.upgrade(empty_engine)
    synthetic.generate(empty_engine, claims=20, seed=3)
    with make_sessionmaker(empty_engine).begin() as session:
        newest = session.scalar(select(func.max(Claim.id)))
        deleted_id = newest + 5  # claims newest+1..newest+5 were made, then deleted
        session.add(Revision(entity="claims", entity_id=deleted_id, action="delete", changes={}))

    synthetic.generate(empty_engine, claims=20, seed=4)

    with make_sessionmaker(empty_engine).begin() as session:
        first_new = session.scalar(select(func.min(Claim.id)).where(Claim.id > newest))
        assert first_new == deleted_id + 1
        claimant = session.scalar(select(func.min(Actor.id)))
        assert make_claim(session, claimant_id=claimant).id == deleted_id + 21


# --- migration 0011 keeps ids, triggers and the full-text index ---------------------------


def _objects(connection) -> list[tuple]:
    if connection.dialect.name == "sqlite":
        sql = "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view', 'index')"
    else:
        sql = (
            "SELECT 'index', indexname FROM pg_indexes WHERE schemaname = 'public'"
            " UNION ALL SELECT 'view', viewname FROM pg_views WHERE schemaname = 'public'"
        )
    return sorted(connection.exec_driver_sql(sql).all())


def _found(connection, word: str) -> list[int]:
    if connection.dialect.name == "sqlite":
        sql = "SELECT rowid FROM search_claims WHERE search_claims MATCH :word ORDER BY rowid"
    else:
        sql = (
            "SELECT id FROM claims WHERE search_vector @@"
            " to_tsquery('counterclaim_search', :word) ORDER BY id"
        )
    return list(connection.execute(text(sql), {"word": word}).scalars())


def _write_at_0008(connection) -> None:
    connection.execute(
        text(
            "INSERT INTO users (id, username, display_name, password_hash, role, is_active,"
            " created_at, updated_at, session_token, must_change_password)"
            " VALUES (3, 'alice', 'Alice', '', 'editor', true, :t, :t, 'x', false)"
        ),
        {"t": "2016-11-27 10:00:00"},
    )
    connection.execute(
        text(
            "INSERT INTO actors (id, name, kind, description, created_at, updated_at)"
            " VALUES (5, 'Haider al-Abadi', 'person', '', :t, :t)"
        ),
        {"t": "2016-11-27 10:00:00"},
    )
    for claim_id, words in ((7, "ISIS is collapsing"), (9, "Mosul is defended")):
        connection.execute(
            text(
                "INSERT INTO claims (id, text, is_verbatim, claimant_id, status, version,"
                " created_at, updated_at) VALUES (:id, :words, false, 5, 'open', 1, :t, :t)"
            ),
            {"id": claim_id, "words": words, "t": "2016-11-27 10:00:00"},
        )
    # claim 12 was deleted before the upgrade: only its revision remembers the id.
    connection.execute(
        text(
            "INSERT INTO revisions (entity, entity_id, action, changes, at)"
            " VALUES ('claims', 12, 'delete', '{}', :t)"
        ),
        {"t": "2016-11-27 11:00:00"},
    )


def test_migration_0011_keeps_ids_triggers_and_the_search_index_up_and_down(empty_engine):
    migrations.upgrade(empty_engine, "0008")
    with empty_engine.begin() as connection:
        _write_at_0008(connection)
        before = _objects(connection)

    migrations.upgrade(empty_engine, "0013")  # 0014 replaces an index on purpose

    with empty_engine.begin() as connection:
        assert connection.execute(text("SELECT id FROM claims ORDER BY id")).scalars().all() == [
            7,
            9,
        ]
        assert _found(connection, "collapsing") == [7]
        after = _objects(connection)
        assert set(before) <= set(after)  # every trigger, view and index is back
        if empty_engine.dialect.name == "sqlite":
            sql = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'claims'"
            ).scalar()
            assert "AUTOINCREMENT" in sql and "CHECK (length(text) > 0)" in sql
    with make_sessionmaker(empty_engine).begin() as session:
        claim = make_claim(session, claimant_id=5, text="The guts to fight are gone")
        assert claim.id == 13  # past 12, which only a revision remembers
    with empty_engine.begin() as connection:
        assert _found(connection, "guts") == [13]  # the insert trigger (or column) works
        connection.execute(text("UPDATE claims SET text = 'Mosul holds' WHERE id = 9"))
        assert _found(connection, "defended") == [] and _found(connection, "holds") == [9]

    migrations.downgrade(empty_engine, "0008")

    with empty_engine.begin() as connection:
        assert _objects(connection) == before
        assert connection.execute(text("SELECT id FROM claims ORDER BY id")).scalars().all() == [
            7,
            9,
            13,
        ]
        assert _found(connection, "guts") == [13]
        connection.execute(text("DELETE FROM claims WHERE id = 13"))
        assert _found(connection, "guts") == []

    migrations.upgrade(empty_engine)  # and up again, with the data

    with make_sessionmaker(empty_engine).begin() as session:
        assert make_claim(session, claimant_id=5).id == 14


def test_a_dump_import_leaves_the_counters_past_the_dumps_deleted_ids(
    empty_engine, database_url_factory
):

    migrations.upgrade(empty_engine)
    with make_sessionmaker(empty_engine).begin() as session:
        kept = make_claim(session, text="Kept")
        gone = make_claim(session, text="Deleted", claimant=kept.claimant)
        gone_id = gone.id
        session.delete(gone)  # its revisions, in the dump, still name the id
    out = io.StringIO()
    dump.export(empty_engine, out)
    target = make_engine(database_url_factory(empty_engine.dialect.name))
    try:
        migrations.upgrade(target)
        with make_sessionmaker(target).begin() as session:
            run_import(session, dump.parse(out.getvalue(), "dump.json"))
        with make_sessionmaker(target).begin() as session:
            claimant = session.scalar(select(func.min(Actor.id)))
            assert make_claim(session, claimant_id=claimant).id == gone_id + 1
    finally:
        target.dispose()


def test_an_import_numbers_its_rows_past_every_id_ever_used_and_inserts_them_in_bulk(
    session, count_queries
):
    """On SQLite an import gives its new rows their ids (services/ids.py Numbering), so
    that a flush inserts each table's rows in one statement, never one row per INSERT;
    the ids start past a deleted claim's, and the counter follows them, on both engines."""
    from counterclaim.services.exchange import read_plan

    user = make_user(session, role="editor")
    session.info["user_id"] = user.id
    make_claim(session)
    newest = make_claim(session)
    deleted_id = newest.id
    delete_claim(session, newest)
    session.commit()
    rows = "".join(
        f"Claim {n} from a file,Someone {n % 3},2016-10-{n + 1:02d}\n" for n in range(30)
    )
    plan = read_plan(("text,claimant,stated_on\n" + rows).encode(), "claims.csv")
    with count_queries() as counter:
        report = run_import(session, plan)
    session.commit()

    assert report.created["claims"] == 30
    imported = session.scalars(select(Claim.id).where(Claim.text.like("Claim % from a file"))).all()
    assert sorted(imported) == list(range(deleted_id + 1, deleted_id + 31))
    inserts = [s for s in counter.statements if s.lstrip().upper().startswith("INSERT INTO CLAIMS")]
    if session.get_bind().dialect.name == "sqlite":
        assert len(inserts) == 1  # 30 claims, one batch
    assert make_claim(session).id == deleted_id + 31  # the counter followed
