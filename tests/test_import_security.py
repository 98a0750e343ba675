"""Imports as an attack surface (issue 11, findings 1, 7 and 9).

A dump writes any table under the ids and authors it names, so only an administrator
loads one; every row it writes gets its revision; a malformed dump or a row the database
refuses is a 400 naming the table and row; hostile encodings and JSON are refused; the
import's own upload limit is the one that holds.
"""

import io
import json
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from counterclaim.db import make_engine
from counterclaim.models import Annotation, Revision, User
from factories import make_claim, make_user
from test_exchange_cli import database, migrated, run  # noqa: F401 - fixtures

HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"


@pytest.fixture
def app(app, tmp_path):
    app.instance_path = str(tmp_path)
    return app


def dump_of(tables: dict) -> bytes:
    return json.dumps({"format": "counterclaim-dump", "version": 1, "tables": tables}).encode()


def evil_admin(user_id=9001, username="evil-admin") -> dict:
    return {
        "users": {
            "columns": ["id", "username", "password_hash", "role", "display_name"],
            "rows": [[user_id, username, HASH, "admin", "x"]],
        }
    }


def upload(client, data: bytes, name="dump.json", **fields):
    file = FileStorage(io.BytesIO(data), filename=name)
    form = {"file": file, "entity": "claims", "dates": "iso", **fields}
    # Encoded in memory: the test client spools a large body to a file it never closes.
    boundary, body = encode_multipart(form)
    return client.post("/exchange/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")  # fmt: skip


def confirm(client, page: str):
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    return client.post("/exchange/import/confirm", data={"token": token})


def users_named(session, username: str) -> int:
    return session.scalar(select(func.count()).where(User.username == username))


@pytest.mark.parametrize("role", ["editor", "analyst", "viewer"])
def test_only_an_administrator_loads_a_dump(login_as, session, role):
    client = login_as(role)
    response = upload(client, dump_of(evil_admin()))
    assert response.status_code == 403
    if role == "editor":  # the others never reach the page
        assert "only an administrator may load" in response.get_data(as_text=True)
    explicit = upload(client, dump_of(evil_admin()), name="x.csv", format="dump")
    assert explicit.status_code == 403
    assert users_named(session, "evil-admin") == 0


def test_forged_history_and_authorship_need_an_administrator(login_as, session):
    victim = make_user(session, role="analyst")
    claim = make_claim(session)
    session.commit()
    forged = {
        "annotations": {
            "columns": ["id", "claim_id", "author_id", "body"],
            "rows": [[777001, claim.id, victim.id, "words put in their mouth"]],
        },
        "revisions": {
            "columns": ["id", "entity", "entity_id", "action", "changes", "user_id"],
            "rows": [[777002, "claims", claim.id, "delete", {}, victim.id]],
        },
    }
    response = upload(login_as("editor"), dump_of(forged))
    assert response.status_code == 403
    assert session.get(Annotation, 777001) is None and session.get(Revision, 777002) is None


def test_an_administrator_sees_the_accounts_then_loads_them_with_their_revisions(login_as, session):
    admin = login_as("admin")
    dry = upload(admin, dump_of(evil_admin()))
    page = dry.get_data(as_text=True)
    assert dry.status_code == 200
    assert "<bdi>evil-admin</bdi>: admin" in page
    assert users_named(session, "evil-admin") == 0  # a dry run writes nothing

    assert confirm(admin, page).status_code == 302
    assert users_named(session, "evil-admin") == 1
    revision = session.scalars(
        select(Revision).where(Revision.entity == "users", Revision.entity_id == 9001)
    ).one()
    assert revision.action == "create" and revision.user_id == admin.user.id
    assert revision.changes["username"] == [None, "evil-admin"]
    assert revision.changes["password_hash"] == [None, "(hidden)"]


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"users": {"columns": ["username", "role"], "rows": [["a", "admin"]]}},
         "table users, id: is missing: a dump keeps every id"),
        ({"users": {"columns": ["id", "username"], "rows": [["9", "a"]]}},
         "users[0]: a value cannot be read: id: &#39;9&#39; is not a 64-bit integer"),
        ({"users": {"columns": ["id", "username"], "rows": [[10**30, "a"]]}},
         "is not a 64-bit integer"),
        ({"users": {"columns": ["id", "username"], "rows": [[9, "a\u0000b"]]}},
         "users[0]: a value cannot be read: username: text holds a NUL character"),
        ({"users": {"columns": ["id", "username"], "rows": [[9, None]]}},
         "username may not be null"),
        ({"users": {"columns": ["id", "username"], "rows": [[9, ["a"]]]}},
         "list where text was expected"),
        ({"claims": {"columns": ["id", "text", "claimant_id", "stated_on"],
                     "rows": [[9, "t", 1, "yesterday"]]}}, "claims[0]: a value cannot be read"),
        ({"users": {"columns": ["id", "id", "username"], "rows": [[9, 9, "a"]]}},
         "names a column twice"),
        ({"nope": {"columns": [], "rows": []}}, "table nope: is not a table of this database"),
        ({"users": {"columns": [["id"], {}], "rows": []}}, "must be a list of column names"),
    ],
)  # fmt: skip
def test_a_malformed_dump_is_a_400_naming_table_and_row(login_as, session, tables, message):
    response = upload(login_as("admin"), dump_of(tables))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_duplicate_username_on_confirm_is_a_400_and_writes_nothing(login_as, session):
    admin = login_as("admin")
    make_user(session, username="taken")
    session.commit()
    tables = {**evil_admin(9100, "fresh"), "tags": {"columns": ["id", "name"],
                                                    "rows": [[9100, "from the dump"]]}}  # fmt: skip
    tables["users"]["rows"].append([9101, "taken", HASH, "viewer", "y"])
    page = upload(admin, dump_of(tables)).get_data(as_text=True)
    response = confirm(admin, page)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "users row 1 (id 9101): the database refused it" in text
    assert users_named(session, "fresh") == 0 and session.get(User, 9101) is None


@pytest.mark.parametrize(
    ("data", "fields", "message"),
    [
        (b"text,claimant\nx,y\n", {"encoding": "punycode"}, "is not a text encoding"),
        (b"text,claimant\nx,y\n", {"encoding": "raw_unicode_escape"}, "is not a text encoding"),
        (b"text,claimant\nx,y\n", {"encoding": "rot13"}, "is not a text encoding"),
        (b'{"@type": "ClaimReview", "claimReviewed": "\\ud800"}', {}, "lone surrogate"),
        (b'{"a": ' + b"7" * 3_000_000 + b"}", {}, "Exceeds the limit"),
        (b"[" * 100_000 + b"]" * 100_000, {}, "nested too deeply"),
        (b"text,claimant\nx\x00,y\n", {}, "holds a NUL character at line 2"),
    ],
)
def test_hostile_files_are_refused_with_a_message(login_as, data, fields, message):
    name = "f.csv" if data.startswith(b"text") else "f.json"
    response = upload(login_as("editor"), data, name=name, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_import_limit_holds_under_csrf_not_the_app_wide_one(csrf_app, login_as, session):
    client = login_as("editor", client=csrf_app.test_client())
    page = client.get("/exchange/import").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert csrf_app.config["MAX_CONTENT_LENGTH"] < 5_000_000
    rows = b"text,claimant\n" + b"A claim long enough to count,AFP\n" * 160_000  # 5.3 MB
    response = upload(client, rows, name="big.csv", csrf_token=token)
    assert response.status_code == 200, response.status_code
    assert "Dry run of" in response.get_data(as_text=True)

    csrf_app.config["IMPORT_UPLOAD_MAX_BYTES"] = 1_000_000
    refused = upload(client, rows, name="big.csv", csrf_token=token)
    assert refused.status_code == 413
    assert "over the import limit of 976.6 KiB" in refused.get_data(as_text=True)


def test_the_cli_names_the_refused_row_and_writes_nothing(database, tmp_path):  # noqa: F811
    path = tmp_path / "dump.json"
    tables = evil_admin(9200, "twice")
    tables["users"]["rows"].append([9201, "twice", HASH, "viewer", "y"])
    path.write_bytes(dump_of(tables))
    code, output = run(database, "import", str(path))
    assert code == 1
    assert "users row 1 (id 9201): the database refused it" in output.splitlines()[-1]
    path.write_bytes(dump_of({"users": {"columns": ["username"], "rows": [["x"]]}}))
    code, output = run(database, "import", str(path))
    assert code == 1 and "table users, id: is missing" in output
    engine = make_engine(database)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(User)) == 0
    engine.dispose()


@pytest.mark.parametrize("name", ["factcheck-api-response.json", "snopes-graph.json"])
def test_every_row_a_web_import_writes_has_its_revision_by_the_importer(login_as, session, name):
    from pathlib import Path

    from counterclaim.models.audit import AUDITED

    editor = login_as("editor")
    data = (Path(__file__).parent / "data" / "exchange" / name).read_bytes()
    assert (
        confirm(editor, upload(editor, data, name=name).get_data(as_text=True)).status_code == 302
    )
    checked = 0
    for model in AUDITED:
        table = model.__table__
        created = session.scalars(
            select(Revision.entity_id).where(
                Revision.entity == table.name, Revision.action == "create",
                Revision.user_id == editor.user.id,
            )
        ).all()  # fmt: skip
        rows = session.scalars(select(table.c.id).where(table.c.id.not_in([editor.user.id])))
        rows = set(rows) if model is not User else {
            i for i in rows if session.get(User, i).username.startswith("reviewer:")
        }  # fmt: skip
        assert rows <= set(created), table.name
        checked += len(rows)
    assert checked > 3
