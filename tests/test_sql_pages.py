"""The SQL console in the browser: run by GET, parameters as fields, results, errors,
the busy answer, CSV and JSON downloads; saved queries listed, run by link, edited."""

import csv
import io
import json

import pytest

from counterclaim.models import SavedQuery
from counterclaim.services.research.result_formats import csv_cell
from research import TIME_LIMIT


@pytest.fixture
def sql_client(app, client, research):
    """The client, its console reading the seeded research database."""
    app.config.update(
        DATABASE_URL=research.url,
        READONLY_DATABASE_URL=research.readonly_url,
        SQL_TIME_LIMIT=TIME_LIMIT,
        SQL_ROW_LIMIT=5,
    )
    return client


def page(response) -> str:
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    return text


def test_the_console_page_offers_a_query_box(sql_client):
    response = sql_client.get("/sql/")
    assert response.status_code == 200
    assert 'name="sql"' in page(response) and "Run" in page(response)


def test_a_query_runs_from_its_url(sql_client):
    response = sql_client.get(
        "/sql/", query_string={"sql": "SELECT name, kind FROM actors WHERE name = 'DEBKA Weekly'"}
    )
    text = page(response)
    assert response.status_code == 200
    assert '<th scope="col">name</th>' in text and '<th scope="col">kind</th>' in text
    assert "<td>DEBKA Weekly</td><td>media</td>" in text
    assert "1 row</strong>" in text and " ms" in text and "truncated" not in text


def test_a_long_result_says_it_was_truncated(sql_client):
    text = page(sql_client.get("/sql/", query_string={"sql": "SELECT id FROM claims"}))
    assert "5 rows</strong>" in text and "truncated" in text


def test_parameters_become_fields_and_the_query_waits_for_them(sql_client):
    sql = "SELECT name FROM tags WHERE name = :tag OR kind = :kind ORDER BY name"
    text = page(sql_client.get("/sql/", query_string={"sql": sql}))
    assert 'name="p-tag"' in text and 'name="p-kind"' in text
    assert "fill them in" in text and "<td>" not in text
    response = sql_client.get(
        "/sql/", query_string={"sql": sql, "p-tag": "Mosul", "p-kind": "event"}
    )
    text = page(response)
    assert "<td>Mosul</td>" in text and "<td>Tal Afar airfield capture</td>" in text
    assert 'value="Mosul"' in text


@pytest.mark.parametrize(
    ("sql", "status", "shown"),
    [
        ("SELECT nosuch FROM claims", 400, "nosuch"),
        ("DELETE FROM tags", 400, "Refused"),
        ("SELECT password_hash FROM users", 400, "password_hash"),
        (
            "SELECT count(*) FROM claims a, claims b, claims c, claims d, claims e, claims f",
            400,
            "limit",
        ),
        ("   ", 200, "SQL console"),
    ],
)
def test_errors_show_the_databases_message_never_a_traceback(sql_client, sql, status, shown):
    response = sql_client.get("/sql/", query_string={"sql": sql})
    assert response.status_code == status
    assert shown in page(response)


def test_a_syntax_error_shows_where(sql_client, research):
    text = page(
        sql_client.get("/sql/", query_string={"sql": "SELECT id\nFROM claims ORDER BY idd"})
    )
    if research.kind == "postgresql":
        assert "At line 2, column 22" in text
    assert "idd" in text


def test_the_issues_full_join_using_csv_gives_no_hash(sql_client, research):
    sql = (
        "SELECT username, password_hash FROM (SELECT NULL AS password_hash) AS t"
        " FULL JOIN users USING (password_hash)"
    )
    response = sql_client.get("/sql/", query_string={"sql": sql, "format": "csv"})
    assert response.status_code == 400 and "Refused" in page(response)
    assert not any(secret in page(response) for secret in research.secrets)


def test_blobs_are_shown_as_their_size_and_first_bytes(sql_client, research):
    blob = (
        "zeroblob(3999999)" if research.kind == "sqlite" else "decode(repeat('00', 3999999), 'hex')"
    )
    response = sql_client.get("/sql/", query_string={"sql": f"SELECT {blob} AS b"})
    text = page(response)
    assert f"<td>blob, 3,999,999 bytes: {'00' * 16}…</td>" in text
    assert len(text) < 100_000


def test_a_page_cut_at_its_bytes_says_so(app, sql_client, research):
    app.config.update(SQL_PAGE_MAX_BYTES=2_500_000)
    text_of = (
        "printf('%.*c', 1000000, 'x')" if research.kind == "sqlite" else "repeat('x', 1000000)"
    )
    sql = f"SELECT {text_of} FROM claims"
    text = page(sql_client.get("/sql/", query_string={"sql": sql}))
    assert "2 rows</strong>" in text and "bytes a page may hold" in text


def test_a_busy_console_answers_503(app, sql_client):
    sql_client.get("/sql/", query_string={"sql": "SELECT 1 AS one"})
    console = app.extensions["counterclaim.sql_console"]
    held = [console.stream("SELECT id FROM claims") for _ in range(console.settings.concurrency)]
    try:
        response = sql_client.get("/sql/", query_string={"sql": "SELECT 1 AS one"})
    finally:
        for stream in held:
            stream.close()
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "busy" in page(response)


def test_postgresql_without_the_readonly_role_explains_itself(app, client, research):
    if research.kind != "postgresql":
        pytest.skip("PostgreSQL only")
    app.config.update(DATABASE_URL=research.url, READONLY_DATABASE_URL=None)
    response = client.get("/sql/", query_string={"sql": "SELECT 1"})
    assert response.status_code == 503
    assert "create-readonly-role" in page(response)


# --- Downloads ---------------------------------------------------------------------------

ESCAPES = "SELECT '=HYPERLINK(1)' AS a, '+1' AS b, '-1' AS c, '@x' AS d, 'x=1' AS e, -2 AS f"


def test_the_csv_download_holds_every_row_and_escapes_formulas(sql_client, research):
    response = sql_client.get(
        "/sql/", query_string={"sql": "SELECT id FROM claims ORDER BY id", "format": "csv"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    claims = research.query("SELECT id FROM claims ORDER BY id")
    assert rows == [["id"], *[[str(row[0])] for row in claims]] and len(claims) > 5
    escaped = sql_client.get("/sql/", query_string={"sql": ESCAPES, "format": "csv"})
    cells = list(csv.reader(io.StringIO(escaped.get_data(as_text=True))))[1]
    assert cells == ["'=HYPERLINK(1)", "'+1", "'-1", "'@x", "x=1", "-2"]


def test_the_json_download_holds_every_row(sql_client, research):
    response = sql_client.get(
        "/sql/", query_string={"sql": "SELECT id, text FROM claims WHERE id > :n ORDER BY id",
                               "p-n": "0", "format": "json"},
    )  # fmt: skip
    assert response.mimetype == "application/json"
    data = json.loads(response.get_data(as_text=True))
    assert data["columns"] == ["id", "text"]
    assert data["rows"] == [
        list(row) for row in research.query("SELECT id, text FROM claims ORDER BY id")
    ]


def test_a_refused_download_is_an_error_page(sql_client):
    response = sql_client.get("/sql/", query_string={"sql": "DROP TABLE claims", "format": "csv"})
    assert response.status_code == 400
    assert "Refused" in page(response)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (-1, -1),
        (None, ""),
        (b"\x00\xff", "00ff"),
    ],
)
def test_csv_cells_are_escaped_against_formula_injection(value, cell):
    assert csv_cell(value) == cell


# --- Saved queries -------------------------------------------------------------------------


@pytest.fixture
def saved(session):
    query = SavedQuery(
        name="Tags of a kind",
        description="Every tag of one kind.",
        sql="SELECT name FROM tags WHERE kind = :kind ORDER BY name",
    )
    plain = SavedQuery(name="Actors", sql="SELECT name FROM actors ORDER BY name")
    session.add_all([query, plain])
    session.commit()
    return query, plain


def test_saved_queries_are_listed(sql_client, saved):
    text = page(sql_client.get("/sql/saved/"))
    assert "Tags of a kind" in text and "Every tag of one kind." in text and "Actors" in text


def test_a_saved_query_runs_by_link_with_its_parameters_in_the_url(sql_client, saved):
    query, plain = saved
    text = page(sql_client.get(f"/sql/saved/{query.id}"))
    assert 'name="p-kind"' in text and "<td>" not in text
    text = page(sql_client.get(f"/sql/saved/{query.id}?run=1&p-kind=operation"))
    assert "<td>Mosul offensive</td>" in text and "<td>Raqqa offensive</td>" in text
    assert "<td>DEBKA Weekly</td>" in page(sql_client.get(f"/sql/saved/{plain.id}"))
    download = sql_client.get(f"/sql/saved/{query.id}?run=1&p-kind=operation&format=csv")
    assert download.headers["Content-Disposition"] == 'attachment; filename="tags-of-a-kind.csv"'
    assert download.get_data(as_text=True).splitlines()[1:] == [
        "Mosul offensive",
        "Raqqa offensive",
    ]


def test_an_editor_saves_edits_and_deletes_a_query(sql_client, session):
    form = sql_client.get("/sql/saved/new?sql=SELECT+1+AS+one")
    assert "SELECT 1 AS one" in page(form)
    response = sql_client.post(
        "/sql/saved/new", data={"name": "One", "description": "A one.", "sql": "SELECT 1 AS one"}
    )
    assert response.status_code == 302
    query = session.query(SavedQuery).filter_by(name="One").one()
    query_id = query.id
    assert response.headers["Location"].endswith(f"/sql/saved/{query_id}")
    response = sql_client.post(
        f"/sql/saved/{query.id}/edit",
        data={"name": "Two", "description": "", "sql": "SELECT 2 AS two"},
    )
    assert response.status_code == 302
    session.expire_all()
    assert (query.name, query.sql) == ("Two", "SELECT 2 AS two")
    assert "Delete the saved query" in page(sql_client.get(f"/sql/saved/{query_id}/delete"))
    assert sql_client.post(f"/sql/saved/{query_id}/delete").status_code == 302
    session.expire_all()
    assert session.get(SavedQuery, query_id) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Actors", "sql": "SELECT 1"}, "exists already"),
        ({"name": "", "sql": "SELECT 1"}, "This field is required"),
        ({"name": "Empty", "sql": ""}, "This field is required"),
        ({"name": "Long", "sql": "SELECT '" + "x" * 20_000 + "'"}, "Field cannot be longer"),
    ],
)
def test_a_bad_saved_query_is_refused_next_to_the_field(sql_client, saved, data, message):
    response = sql_client.post("/sql/saved/new", data={"description": "", **data})
    assert response.status_code == 400
    assert message in page(response)
