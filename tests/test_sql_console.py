# ruff: noqa: E501 - the catalogue keeps one statement per line
"""The read-only SQL console on both engines: a catalogue of hostile statements, each
refused or cut within the time limit with nothing changed; good queries return the right
rows; truncation, downloads, the time limit on streams, busy slots and error positions."""

import threading
import time

import pytest

from counterclaim.services.research.sql_common import (
    ConsoleBusy,
    ConsoleError,
    ConsoleSettings,
    ConsoleUnavailable,
    QueryDenied,
    QueryFailed,
    QueryRejected,
    QueryTimedOut,
    line_and_column,
    parameter_names,
)
from research import TIME_LIMIT, fingerprint

#: How far past the time limit a statement may still be running (connection set-up, a
#: loaded machine); the statements that need cutting would run for hours.
MARGIN = 1.5

CROSS_JOIN = "SELECT count(*) FROM claims a, claims b, claims c, claims d, claims e, claims f"

HOSTILE = [
    # Writes.
    ("insert", "INSERT INTO actors (name, kind, description) VALUES ('evil', 'person', '')"),
    ("insert-select", "INSERT INTO tags (name, kind, description) SELECT name || '!', kind, description FROM tags"),
    ("insert-on-conflict", "INSERT INTO tags (id, name, kind, description) VALUES (1, 'x', 'topic', '') ON CONFLICT DO NOTHING"),
    ("update", "UPDATE claims SET status = 'retracted'"),
    ("update-role", "UPDATE users SET role = 'admin'"),
    ("delete", "DELETE FROM claim_links"),
    ("delete-user", "DELETE FROM users WHERE id = 1"),
    ("replace", "REPLACE INTO tags (id, name, kind, description) VALUES (1, 'x', 'topic', '')"),
    ("merge", "MERGE INTO tags USING tags AS t ON tags.id = t.id WHEN MATCHED THEN DELETE"),
    ("truncate", "TRUNCATE claims"),
    ("upsert-returning", "INSERT INTO tags (name, kind, description) VALUES ('evil', 'topic', '') RETURNING id"),
    # DDL.
    ("drop-table", "DROP TABLE claims"),
    ("drop-view", "DROP VIEW claim_contradictions"),
    ("drop-index", "DROP INDEX ix_claims_status_id"),
    ("create-table", "CREATE TABLE evil (id INTEGER)"),
    ("create-table-as", "CREATE TABLE evil AS SELECT * FROM claims"),
    ("create-temp-table", "CREATE TEMP TABLE evil AS SELECT * FROM claims"),
    ("create-view", "CREATE VIEW evil AS SELECT 1 AS one"),
    ("create-index", "CREATE INDEX evil ON claims (text)"),
    ("alter-add-column", "ALTER TABLE claims ADD COLUMN evil TEXT"),
    ("alter-rename", "ALTER TABLE users RENAME TO people"),
    ("create-trigger", "CREATE TRIGGER evil AFTER INSERT ON claims BEGIN DELETE FROM tags; END"),
    ("create-virtual-table", "CREATE VIRTUAL TABLE evil USING fts5(x)"),
    ("create-function", "CREATE FUNCTION evil() RETURNS int AS 'SELECT 1' LANGUAGE sql"),
    ("comment-on", "COMMENT ON TABLE claims IS 'evil'"),
    ("grant", "GRANT ALL ON claims TO PUBLIC"),
    ("create-role", "CREATE ROLE evil LOGIN SUPERUSER"),
    ("alter-own-role", "ALTER ROLE CURRENT_USER SET default_transaction_read_only = off"),
    # Files: ATTACH (mode=ro alone would still let it create a file), VACUUM INTO, COPY.
    ("attach-new-file", "ATTACH DATABASE '{data}/evil.db' AS evil"),
    ("attach-uri", "ATTACH 'file:{data}/evil2.db?mode=rwc' AS evil"),
    ("attach-memory", "ATTACH ':memory:' AS evil"),
    ("detach", "DETACH DATABASE main"),
    ("vacuum-into", "VACUUM INTO '{data}/copy.db'"),
    ("vacuum", "VACUUM"),
    ("analyze", "ANALYZE"),
    ("reindex", "REINDEX"),
    ("copy-to-file", "COPY claims TO '{data}/claims.csv'"),
    ("copy-from-file", "COPY tags FROM '/etc/hostname'"),
    ("copy-to-program", "COPY (SELECT 1) TO PROGRAM 'touch {data}/evil'"),
    ("lo-import", "SELECT lo_import('/etc/hostname')"),
    ("lo-export", "SELECT lo_export(oid, '{data}/evil') FROM pg_largeobject_metadata"),
    ("read-server-file", "SELECT pg_read_file('/etc/hostname')"),
    ("list-server-dir", "SELECT pg_ls_dir('.')"),
    # PRAGMAs that change state, or tell where the files are.
    ("pragma-journal-mode", "PRAGMA journal_mode = DELETE"),
    ("pragma-foreign-keys", "PRAGMA foreign_keys = OFF"),
    ("pragma-query-only-off", "PRAGMA query_only = OFF"),
    ("pragma-writable-schema", "PRAGMA writable_schema = ON"),
    ("pragma-user-version", "PRAGMA user_version = 42"),
    ("pragma-wal-checkpoint", "PRAGMA wal_checkpoint(TRUNCATE)"),
    ("pragma-database-list", "PRAGMA database_list"),
    ("pragma-table-valued", "SELECT * FROM pragma_database_list"),
    # Extensions and dangerous functions.
    ("load-extension", "SELECT load_extension('/tmp/evil.so')"),
    ("load-extension-entry", "SELECT load_extension('libc.so.6', 'system')"),
    ("fts3-tokenizer", "SELECT fts3_tokenizer('simple')"),
    ("readfile", "SELECT readfile('/etc/hostname')"),
    ("terminate-backends", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"),
    ("terminate-self", "SELECT pg_terminate_backend(pg_backend_pid())"),
    ("cancel-backends", "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"),
    ("reload-conf", "SELECT pg_reload_conf()"),
    ("set-config-read-write", "SELECT set_config('transaction_read_only', 'off', true)"),
    ("set-config-no-timeout", "SELECT set_config('statement_timeout', '0', true), pg_sleep(30)"),
    ("nextval", "SELECT nextval('claims_id_seq')"),
    ("setval", "SELECT setval('claims_id_seq', 1)"),
    ("data-directory", "SELECT current_setting('data_directory')"),
    # Several statements in one, and comment tricks.
    ("two-statements", "SELECT 1; DROP TABLE claims"),
    ("two-statements-update", "SELECT 1; UPDATE claims SET status = 'settled'"),
    ("comment-then-delete", "SELECT 1;/**/DELETE FROM tags"),
    ("comment-update", "/**/update claims set status = 'retracted'"),
    ("line-comment-delete", "-- just a comment\nDELETE FROM tags"),
    ("comment-hiding-select", "/* SELECT */ DELETE FROM tags"),
    # Writes inside CTEs, SELECT ... INTO.
    ("cte-delete", "WITH gone AS (DELETE FROM tags RETURNING *) SELECT * FROM gone"),
    ("cte-update", "WITH done AS (UPDATE claims SET status = 'settled' RETURNING id) SELECT count(*) FROM done"),
    ("cte-then-insert", "WITH x AS (SELECT 1 AS one) INSERT INTO tags (name, kind, description) SELECT 'evil', 'topic', '' FROM x"),
    ("cte-then-delete", "WITH x AS (SELECT 1 AS one) DELETE FROM tags"),
    ("select-into", "SELECT * INTO evil FROM claims"),
    ("select-into-temp", "SELECT * INTO TEMP evil FROM claims"),
    ("select-for-update", "SELECT * FROM claims FOR UPDATE"),
    ("explain-analyze-delete", "EXPLAIN ANALYZE DELETE FROM tags"),
    ("explain-delete", "EXPLAIN DELETE FROM tags"),
    # Transactions and session state.
    ("begin", "BEGIN"),
    ("commit", "COMMIT"),
    ("rollback-then-delete", "ROLLBACK; DELETE FROM tags"),
    ("savepoint", "SAVEPOINT evil"),
    ("set-read-write", "SET TRANSACTION READ WRITE"),
    ("set-session-read-write", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"),
    ("set-timeout", "SET statement_timeout = 0"),
    ("prepare", "PREPARE evil AS DELETE FROM tags"),
    ("do-block", "DO $$BEGIN DELETE FROM tags; END$$"),
    ("lock-table", "LOCK TABLE claims IN ACCESS EXCLUSIVE MODE"),
    ("notify", "NOTIFY evil"),
    ("checkpoint", "CHECKPOINT"),
    # Secrets.
    ("secret-column", "SELECT password_hash FROM users"),
    ("secret-star", "SELECT * FROM users"),
    ("secret-qualified-star", "SELECT u.* FROM users AS u"),
    ("secret-in-where", "SELECT username FROM users WHERE password_hash IS NULL"),
    ("secret-subquery", "SELECT (SELECT max(password_hash) FROM users) AS leak"),
    ("secret-in-cte", "WITH u AS (SELECT * FROM users) SELECT username FROM u"),
    ("secret-aggregate", "SELECT count(*) FROM users WHERE substr(password_hash, 1, 1) = '$'"),
    ("catalog-shadow", "SELECT * FROM pg_shadow"),
    ("catalog-authid", "SELECT rolpassword FROM pg_authid"),
    # Resource exhaustion: cut at the time limit.
    ("cross-join", CROSS_JOIN),
    ("recursive-forever", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"),
    ("recursive-forever-flat", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n FROM r) SELECT max(n) FROM r"),
    ("recursive-cross", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT r.n + 1 FROM r, claims) SELECT count(*) FROM r"),
    ("sleep", "SELECT pg_sleep(30)"),
    ("generate-series", "SELECT count(*) FROM generate_series(1, 100000000000)"),
    ("huge-blob", "SELECT length(randomblob(2000000000))"),
    ("huge-zeroblob", "SELECT zeroblob(2000000000)"),
    ("huge-repeat", "SELECT repeat('x', 2000000000)"),
    ("huge-sql", "SELECT 1" + " " * 30_000),
]  # fmt: skip


@pytest.fixture(scope="module")
def console(research):
    console = research.console()
    yield console
    console.dispose()


@pytest.fixture(scope="module")
def baseline(research):
    return fingerprint(research)


def test_the_catalogue_is_large_enough():
    assert len(HOSTILE) >= 60
    assert len({name for name, _ in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize(("name", "sql"), HOSTILE, ids=[name for name, _ in HOSTILE])
def test_a_hostile_statement_is_refused_or_cut_and_changes_nothing(
    research, console, baseline, name, sql
):
    started = time.monotonic()
    with pytest.raises(ConsoleError) as refused:
        console.run(sql.replace("{data}", str(research.data_dir)))
    elapsed = time.monotonic() - started
    assert not isinstance(refused.value, ConsoleBusy | ConsoleUnavailable), refused.value
    assert str(refused.value)
    assert elapsed < TIME_LIMIT + MARGIN, f"{name} ran {elapsed:.2f} s"
    assert fingerprint(research) == baseline


#: Statements PostgreSQL lets the read-only role run (PUBLIC may call these functions) but
#: whose effect cannot outlive the query: the console's transaction is always rolled back.
ROLLED_BACK_ON_POSTGRES = [
    ("lo-create", "SELECT lo_create(0)"),
    ("lo-from-bytea", "SELECT lo_from_bytea(0, 'evil')"),
    ("txid", "SELECT txid_current()"),
    ("set-config-session", "SELECT set_config('default_transaction_read_only', 'off', false)"),
]


@pytest.mark.parametrize(
    ("name", "sql"), ROLLED_BACK_ON_POSTGRES, ids=[name for name, _ in ROLLED_BACK_ON_POSTGRES]
)
def test_what_postgresql_allows_leaves_nothing_behind(research, console, baseline, name, sql):
    if research.kind == "sqlite":
        with pytest.raises(QueryFailed, match="no such function"):
            console.run(sql)
    else:
        assert console.run(sql).row_count == 1
    assert fingerprint(research) == baseline
    assert console.run("SELECT count(*) AS n FROM tags").rows[0][0] == 17


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("insert", QueryDenied),
        ("secret-column", QueryDenied),
        ("secret-star", QueryDenied),
        ("cross-join", QueryTimedOut),
        ("recursive-forever", QueryTimedOut),
        ("huge-sql", QueryRejected),
    ],
)
def test_refusals_say_what_happened(console, name, expected):
    with pytest.raises(expected):
        console.run(dict(HOSTILE)[name])


def test_a_secret_column_is_refused_by_name_but_who_someone_is_can_be_read(console):
    with pytest.raises(QueryDenied, match="password_hash"):
        console.run("SELECT password_hash FROM users")
    result = console.run("SELECT id, username, display_name FROM users ORDER BY username")
    assert [row[1] for row in result.rows] == ["afarah", "mreyes", "tkowalski"]


@pytest.mark.parametrize("column", ["role", "is_active", "must_change_password", "created_at"])
def test_account_details_are_the_admins_business_not_the_consoles(console, column):
    with pytest.raises(QueryDenied, match=column):
        console.run(f"SELECT username, {column} FROM users")


# --- Good queries return the right rows --------------------------------------------------------

ABADI_COLLAPSING = "We have seen the whole [ISIS] organization collapsing"


def test_a_join_over_the_research_views(research, console):
    sql = (
        "SELECT actors.name, contested.contradictions, contested.contradicting_actors"
        "  FROM contested_claims AS contested JOIN actors ON actors.id = contested.claimant_id"
        " WHERE contested.text LIKE :start ORDER BY contested.claim_id"
    )
    result = console.run(sql, {"start": ABADI_COLLAPSING + "%"})
    assert result.columns == ["name", "contradictions", "contradicting_actors"]
    assert result.rows == [("Haider al-Abadi", 3, 2)]
    assert result.truncated is False and result.row_count == 1


def test_a_window_function_ranks_each_actors_claims(research, console):
    sql = """
        SELECT claimant_id, claim_id, contradictions,
               ROW_NUMBER() OVER (PARTITION BY claimant_id
                                  ORDER BY contradictions DESC, claim_id) AS rank
          FROM contested_claims ORDER BY claimant_id, rank
    """
    rows = console.run(sql).rows
    expected = research.query(
        "SELECT claimant_id, claim_id, contradictions FROM contested_claims"
        " ORDER BY claimant_id, contradictions DESC, claim_id"
    )
    ranked, seen = [], {}
    for claimant, claim, count in expected:
        seen[claimant] = seen.get(claimant, 0) + 1
        ranked.append((claimant, claim, count, seen[claimant]))
    assert [tuple(row) for row in rows] == ranked
    assert len(rows) >= 5


def test_ctes_and_a_bounded_recursive_cte(console):
    result = console.run(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :top),"
        " contested AS (SELECT COUNT(*) AS c FROM contested_claims)"
        " SELECT x, (SELECT c FROM contested) > 5 AS many FROM n ORDER BY x",
        {"top": "4"},
    )
    assert [row[0] for row in result.rows] == [1, 2, 3, 4]
    assert all(bool(row[1]) for row in result.rows)


def test_parameters_used_twice_and_with_a_cast_are_bound_not_pasted(console):
    sql = (
        "SELECT name FROM actors WHERE name = :name OR name = :other OR description = :name"
        " ORDER BY name"
    )
    assert parameter_names(sql) == ["name", "other"]
    result = console.run(sql, {"name": "Haider al-Abadi", "other": "x' OR '1'='1"})
    assert result.rows == [("Haider al-Abadi",)]


def test_a_missing_parameter_is_asked_for(console):
    with pytest.raises(QueryRejected, match=":actor"):
        console.run("SELECT id FROM actors WHERE name = :actor", {})


def test_truncation_is_known_from_one_row_more(research):
    console = research.console(row_limit=5)
    total = research.query("SELECT count(*) FROM claim_tags")[0][0]
    cut = console.run("SELECT id FROM claim_tags ORDER BY id")
    assert cut.row_count == 5 and cut.truncated is True
    exact = console.run("SELECT id FROM claim_tags ORDER BY id LIMIT 5")
    assert exact.row_count == 5 and exact.truncated is False
    with console.stream("SELECT id FROM claim_tags ORDER BY id") as stream:
        assert len(list(stream)) == total > 5


def test_a_stream_is_cut_at_the_time_limit_too(research):
    console = research.console(time_limit=0.3)
    started = time.monotonic()
    with (
        pytest.raises(QueryTimedOut),
        console.stream(CROSS_JOIN.replace("count(*)", "a.id")) as rows,
    ):
        for _row in rows:
            pass
    assert time.monotonic() - started < 0.3 + MARGIN


def test_a_busy_console_says_so_and_frees_its_slot(research):
    console = research.console(concurrency=1)
    stream = console.stream("SELECT id FROM claims")
    try:
        with pytest.raises(ConsoleBusy, match="busy"):
            console.run("SELECT 1 AS one")
    finally:
        stream.close()
    assert console.run("SELECT 1 AS one").rows == [(1,)]


def test_concurrent_queries_beyond_the_slots_are_turned_away(research):
    console = research.console(concurrency=2, time_limit=0.4)
    outcomes = []

    def run():
        try:
            console.run(CROSS_JOIN)
        except ConsoleError as error:
            outcomes.append(type(error))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(QueryTimedOut) >= 1
    assert outcomes.count(ConsoleBusy) >= 1
    assert len(outcomes) == 4


@pytest.mark.parametrize(
    ("sql", "word"),
    [
        ("SELECT id FROM claims\n WHERE claimant_id = :who ORDER BY idd", "idd"),
        ("SELECT id, :who AS w FROM claims ORDER BY nosuch", "nosuch"),
        ("SELEC 1", "SELEC"),
    ],
)
def test_errors_carry_the_databases_message_and_position(research, console, sql, word):
    with pytest.raises((QueryFailed, QueryDenied)) as failed:  # a bad first word is refused
        console.run(sql, {"who": "2"})
    assert word in str(failed.value) or "syntax" in str(failed.value)
    if research.kind == "postgresql" or word == "SELEC":
        position = failed.value.position
        assert position is not None and sql[position - 1 :].startswith(word)


def test_line_and_column():
    assert line_and_column("SELECT 1\nFROM x", 10) == (2, 1)
    assert line_and_column("SELECT 1", 8) == (1, 8)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"SQL_TIME_LIMIT": "soon"}, "COUNTERCLAIM_SQL_TIME_LIMIT"),
        ({"SQL_TIME_LIMIT": "-1"}, "above 0"),
        ({"SQL_ROW_LIMIT": "1.5"}, "COUNTERCLAIM_SQL_ROW_LIMIT"),
        ({"SQL_CONCURRENCY": "0"}, "COUNTERCLAIM_SQL_CONCURRENCY"),
    ],
)
def test_bad_settings_are_refused_with_their_name(config, message):
    with pytest.raises(ConsoleUnavailable, match=message):
        ConsoleSettings.from_config(config)


def test_settings_from_the_environment_format():
    settings = ConsoleSettings.from_config(
        {"SQL_TIME_LIMIT": "2.5", "SQL_ROW_LIMIT": "10", "SQL_CONCURRENCY": 3}
    )
    assert (settings.time_limit, settings.row_limit, settings.concurrency) == (2.5, 10, 3)


# --- PostgreSQL: the role is the first layer ------------------------------------------------


def test_postgresql_without_a_readonly_role_is_unavailable(research):
    if research.kind != "postgresql":
        pytest.skip("PostgreSQL only")
    from counterclaim.services.research.sql_console import Console

    with pytest.raises(ConsoleUnavailable, match="create-readonly-role"):
        Console(research.url).run("SELECT 1")


def test_postgresql_refuses_to_run_as_a_role_that_can_write(research):
    if research.kind != "postgresql":
        pytest.skip("PostgreSQL only")
    from counterclaim.services.research.sql_console import Console

    owner = Console(research.url, readonly_url=research.url)  # the superuser
    with pytest.raises(ConsoleUnavailable, match="superuser"):
        owner.run("SELECT 1")


def test_the_readonly_role_reads_everything_but_secrets(research):
    if research.kind != "postgresql":
        pytest.skip("PostgreSQL only")
    from counterclaim.services.research.readonly_role import create_readonly_role

    def can(privilege_sql: str) -> bool:
        return research.query(privilege_sql, role=research.role)[0][0]

    assert can("SELECT has_table_privilege(:role, 'claims', 'SELECT')")
    assert can("SELECT has_table_privilege(:role, 'contested_claims', 'SELECT')")
    assert can("SELECT has_column_privilege(:role, 'users', 'username', 'SELECT')")
    assert not can("SELECT has_column_privilege(:role, 'users', 'password_hash', 'SELECT')")
    assert not can("SELECT has_table_privilege(:role, 'claims', 'INSERT, UPDATE, DELETE')")
    again = create_readonly_role(research.engine, research.role)  # idempotent
    assert again.created is False and again.password_set is False
    assert not can("SELECT has_column_privilege(:role, 'users', 'password_hash', 'SELECT')")
    assert research.console().run("SELECT 1 AS one").rows == [(1,)]


def test_every_console_setting_is_read_from_the_environment_and_documented(monkeypatch):
    from pathlib import Path

    from counterclaim import config

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for key, attribute, _kind, _expected in ConsoleSettings._SETTINGS:
        assert key in config.CONSOLE_SETTINGS
        assert f"`COUNTERCLAIM_{key}`" in readme, key
        monkeypatch.setenv(f"COUNTERCLAIM_{key}", "7")
        settings = ConsoleSettings.from_config(config.from_environment("/nonexistent"))
        assert getattr(settings, attribute) == 7, key
