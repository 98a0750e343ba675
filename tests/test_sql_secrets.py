# ruff: noqa: E501 - the catalogue keeps one statement per line
"""No secret leaves the SQL console, whatever the query's shape, on both engines.

The seeded users carry real argon2id hashes and session tokens (tests/research.py). A
catalogue of shapes that once leaked or could, and a Hypothesis property that builds
shapes over the secret columns (joins of every kind, USING, NATURAL, CTEs, subqueries,
compound selects, aggregates, window functions, JSON, hex, substr, casts), each asserting
that no part of a secret comes back in any cell, as text, hex or bytes.
"""

import contextlib
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counterclaim.services.research.sql_common import ConsoleError, QueryDenied
from counterclaim.services.research.sql_console import Console

settings.register_profile(
    "sql-secrets",
    derandomize=True,  # the same examples on every run, so a failure reproduces
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: The shortest run of a secret's characters that counts as a leak.
WINDOW = 10

SHAPES = [
    ("full-join-using", "SELECT username, role, password_hash FROM (SELECT NULL AS password_hash) AS t FULL JOIN users USING (password_hash)"),
    ("full-join-using-token", "SELECT username, session_token FROM (SELECT NULL AS session_token) AS t FULL JOIN users USING (session_token)"),
    ("full-join-using-only", "SELECT password_hash FROM (SELECT NULL AS password_hash) AS t FULL JOIN users USING (password_hash)"),
    ("full-join-using-csv", "SELECT * FROM (SELECT NULL AS password_hash) AS t FULL JOIN users USING (password_hash)"),
    ("right-join-using", "SELECT password_hash FROM (SELECT NULL AS password_hash) AS t RIGHT JOIN users USING (password_hash)"),
    ("left-join-using", "SELECT password_hash FROM users LEFT JOIN (SELECT NULL AS password_hash) AS t USING (password_hash)"),
    ("natural-full-join", "SELECT * FROM (SELECT NULL AS session_token) AS t NATURAL FULL JOIN users"),
    ("natural-join-cte", "WITH t(session_token) AS (SELECT NULL) SELECT * FROM users NATURAL LEFT JOIN t"),
    ("using-in-cte", "WITH x AS (SELECT password_hash FROM (SELECT NULL AS password_hash) AS t FULL JOIN users USING (password_hash)) SELECT * FROM x"),
    ("using-in-subquery", "SELECT (SELECT max(password_hash) FROM (SELECT NULL AS password_hash) AS t FULL JOIN users USING (password_hash)) AS leak"),
    ("using-aggregate", "SELECT group_concat(session_token) FROM (SELECT NULL AS session_token) AS t FULL JOIN users USING (session_token)"),
    ("using-hex", "SELECT hex(password_hash) FROM (SELECT NULL AS password_hash) AS t FULL JOIN users USING (password_hash)"),
    ("using-window", "SELECT first_value(session_token) OVER (ORDER BY 1) FROM (SELECT NULL AS session_token) AS t FULL JOIN users USING (session_token)"),
    ("using-union", "SELECT 'x' UNION ALL SELECT password_hash FROM (SELECT NULL AS password_hash) AS t FULL JOIN users USING (password_hash)"),
    ("using-json", "SELECT json_array(password_hash) FROM (SELECT NULL AS password_hash) AS t FULL JOIN users USING (password_hash)"),
    ("using-in-where", "SELECT username FROM (SELECT NULL AS session_token) AS t FULL JOIN users USING (session_token) WHERE session_token LIKE 'a%'"),
    ("using-order-by", "SELECT username FROM (SELECT NULL AS session_token) AS t FULL JOIN users USING (session_token) ORDER BY session_token"),
    ("token-range-seek", "SELECT username FROM users WHERE session_token > '8'"),
    ("token-index-min", "SELECT min(session_token) FROM users"),
    ("token-covering-count", "SELECT count(*) FROM users INDEXED BY sqlite_autoindex_users_2"),
    ("star-in-exists", "SELECT 1 WHERE EXISTS (SELECT * FROM users WHERE password_hash LIKE '$argon2%')"),
    ("rowvalue", "SELECT username FROM users WHERE (id, password_hash) > (0, '')"),
    ("in-subquery", "SELECT 1 WHERE '$' IN (SELECT substr(password_hash, 1, 1) FROM users)"),
    ("stat4", "SELECT * FROM sqlite_stat4"),
    ("dbpage", "SELECT data FROM sqlite_dbpage"),
    ("catalog-shadow", "SELECT passwd FROM pg_shadow"),
    ("pg-row-to-json", "SELECT row_to_json(u) FROM users AS u"),
    ("pg-whole-row", "SELECT u FROM users AS u"),
    ("pg-whole-row-text", "SELECT CAST(u AS TEXT) FROM users AS u"),
]  # fmt: skip


def leaked(secrets, rows) -> list[str]:
    """Return the secrets of which a run of WINDOW characters appears in any cell."""
    # An argon2 hash's parameters ($argon2id$v=19$m=65536,t=3,p=4$) are public: its salt
    # and digest are the secret.
    material = {
        secret: secret.rsplit("$", 2)[-2] + "$" + secret.rsplit("$", 1)[-1]
        for secret in secrets
        if secret.startswith("$")
    }
    windows = {
        text[i : i + WINDOW]: secret
        for secret in secrets
        for text in [material.get(secret, secret)]
        for i in range(len(text) - WINDOW + 1)
    }
    found = set()
    for row in rows:
        for value in row:
            if value is None:
                continue
            forms = [str(value)]
            if isinstance(value, bytes):
                forms.append(value.decode("latin-1"))
            for form in list(forms):
                with contextlib.suppress(ValueError):
                    forms.append(bytes.fromhex(form).decode("latin-1"))
            for form in forms:
                found |= {secret for window, secret in windows.items() if window in form}
    return sorted(found)


def outcome(console, sql):
    """Return every row the console gives for `sql`, page and download, or [] if refused."""
    try:
        rows = list(console.run(sql).rows)
        with console.stream(sql) as stream:
            rows += list(stream)
        return rows
    except ConsoleError:
        return []


@pytest.fixture(scope="module")
def console(research):
    console = research.console(time_limit=2)
    yield console
    console.dispose()


def test_the_research_database_holds_real_secrets(research):
    assert sum(s.startswith("$argon2id$") for s in research.secrets) == 3
    assert sum(len(s) == 32 for s in research.secrets) == 3
    # The leak detector finds them (so that a test with it can fail).
    assert leaked(research.secrets, [("$argon2id$v=19$m=65536,t=3,p=4$", None, 42)]) == []
    assert leaked(research.secrets, [(research.secrets[0].encode().hex(),)])
    assert leaked(research.secrets, [("x" + research.secrets[1][5:20],)])


@pytest.mark.parametrize(("name", "sql"), SHAPES, ids=[name for name, _ in SHAPES])
def test_no_shape_returns_a_secret(research, console, name, sql):
    assert leaked(research.secrets, outcome(console, sql)) == []


def test_the_full_join_using_read_is_refused_by_the_bytecode_check(research, console):
    if research.kind != "sqlite":
        pytest.skip("the bytecode check is SQLite's; PostgreSQL has column privileges")
    with pytest.raises(QueryDenied, match=r"read users\.password_hash, which is hidden"):
        console.run(dict(SHAPES)["full-join-using-only"])


def test_an_index_holding_a_hidden_column_is_never_opened(tmp_path):
    """A seek or scan of such an index compares or copies the values without any Column
    read of the table: the bytecode check refuses the cursor itself."""
    path = tmp_path / "accounts.db"
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, token TEXT UNIQUE)"
        )
        connection.execute("INSERT INTO users VALUES (1, 'a', 'f00d'), (2, 'b', 'beef')")
    console = Console(f"sqlite:///{path}", hidden=frozenset({("users", "token")}))
    try:
        assert console.run("SELECT username FROM users ORDER BY id").rows == [("a",), ("b",)]
        for sql in (
            "SELECT count(*) FROM users INDEXED BY sqlite_autoindex_users_1",
            "SELECT token FROM (SELECT NULL AS token) AS x FULL JOIN users USING (token)",
            "SELECT username FROM (SELECT NULL AS token) AS x FULL JOIN users USING (token)"
            " WHERE token > 'c'",
        ):
            with pytest.raises(QueryDenied, match="hidden"):
                console.run(sql)
    finally:
        console.dispose()


def test_who_someone_is_is_still_readable_through_joins(console):
    sql = (
        "SELECT users.username, count(annotations.id) FROM users"
        " LEFT JOIN annotations ON annotations.author_id = users.id"
        " GROUP BY users.username ORDER BY users.username"
    )
    assert [row[0] for row in console.run(sql).rows] == ["afarah", "mreyes", "tkowalski"]


# --- Generated shapes ---------------------------------------------------------------------

SECRET = st.sampled_from(["password_hash", "session_token"])


def _wrap(engine: str):
    common = [
        "{x}", "upper({x})", "lower({x})", "substr({x}, 2, 30)", "{x} || ''", "coalesce({x}, '')",
        "CAST({x} AS TEXT)", "replace({x}, '$', '#')", "trim({x})", "CASE WHEN 1 = 1 THEN {x} END",
    ]  # fmt: skip
    if engine == "sqlite":
        return common + ["hex({x})", "quote({x})", "json_array({x})", "json_object('v', {x})",
                         "CAST({x} AS BLOB)", "printf('%s', {x})", "unicode({x}) || {x}"]  # fmt: skip
    return common + ["encode(CAST({x} AS bytea), 'hex')", "json_build_array({x})",
                     "to_jsonb({x})", "format('%s', {x})", "md5({x}) || {x}"]  # fmt: skip


def _aggregate(engine: str):
    concat = "group_concat({x}, ',')" if engine == "sqlite" else "string_agg({x}, ',')"
    return [concat, "max({x})", "min({x})"]


@st.composite
def shapes(draw, engine: str):
    """Draw a SELECT over a secret column, in one of many shapes."""
    column = draw(SECRET)
    wrap = draw(st.sampled_from(_wrap(engine)))
    join = draw(st.sampled_from(["INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL FULL",
                                 "NATURAL LEFT", "NATURAL"]))  # fmt: skip
    if join.startswith("NATURAL") or join == "CROSS":
        source = f"(SELECT NULL AS {column}) AS t {join} JOIN users"
    else:
        source = f"(SELECT NULL AS {column}) AS t {join} JOIN users USING ({column})"
    source = draw(st.sampled_from([source, "users", "(SELECT * FROM users) AS users",
                                   f"users JOIN users AS u2 USING ({column})"]))  # fmt: skip
    qualified = column if ("USING" in source or "NATURAL" in source) else f"users.{column}"
    expression = wrap.format(x=qualified)
    kind = draw(st.sampled_from(["plain", "aggregate", "window", "cte", "subquery", "union",
                                 "where", "order", "derived"]))  # fmt: skip
    if kind == "aggregate":
        expression = draw(st.sampled_from(_aggregate(engine))).format(x=expression)
        return f"SELECT {expression} AS v FROM {source}"
    if kind == "window":
        window = draw(st.sampled_from(["first_value", "last_value", "max"]))
        return f"SELECT {window}({expression}) OVER (PARTITION BY 1) AS v FROM {source}"
    if kind == "cte":
        return f"WITH leak(v) AS (SELECT {expression} FROM {source}) SELECT v FROM leak"
    if kind == "subquery":
        return f"SELECT (SELECT {expression} FROM {source} LIMIT 1) AS v"
    if kind == "union":
        op = draw(st.sampled_from(["UNION", "UNION ALL", "EXCEPT", "INTERSECT"]))
        return f"SELECT {expression} AS v FROM {source} {op} SELECT 'x'"
    if kind == "where":
        return f"SELECT username FROM {source} WHERE {expression} IS NOT NULL"
    if kind == "order":
        return f"SELECT {expression} AS v FROM {source} ORDER BY 1 DESC"
    if kind == "derived":
        return f"SELECT * FROM (SELECT {expression} AS v FROM {source}) AS d"
    return f"SELECT username, {expression} AS v FROM {source}"


@settings(settings.get_profile("sql-secrets"))
@given(data=st.data())
def test_no_generated_shape_returns_a_secret(research, console, data):
    sql = data.draw(shapes(research.kind), label="sql")
    assert leaked(research.secrets, outcome(console, sql)) == [], sql
