"""Signing in and out: passwords, `next`, session revocation, rate limit, cookies, headers,
the first administrator and the `counterclaim user` commands."""

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from conftest import ENGINES
from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.models import User
from counterclaim.services.accounts import users
from counterclaim.services.errors import DomainError
from counterclaim.web.security import HEADERS
from factories import run_cli

PASSWORD = "correct horse battery staple"


@pytest.fixture
def member(session):
    """An analyst with a password."""
    user = users.create_user(session, "mreyes", PASSWORD, role="analyst", display_name="Maria")
    session.commit()
    return user


def sign_in(client, username="mreyes", password=PASSWORD, next_=None):
    url = "/login" + (f"?next={next_}" if next_ is not None else "")
    return client.post(url, data={"username": username, "password": password})


# --- signing in ----------------------------------------------------------------------------


def test_signing_in_with_the_right_password_opens_the_workbench(anonymous, member):
    assert anonymous.get("/claims/").status_code == 302
    response = sign_in(anonymous, next_="/claims/")
    assert response.status_code == 302 and response.headers["Location"] == "/claims/"
    page = anonymous.get("/claims/").get_data(as_text=True)
    assert "Maria" in page and "Sign out" in page


@pytest.mark.parametrize(
    ("username", "password"),
    [("mreyes", "wrong password!!"), ("nobody", PASSWORD), ("MREYES ", "x"), ("", "")],
    ids=["wrong password", "unknown user", "wrong password, other case", "empty"],
)
def test_a_failed_sign_in_says_so_and_lets_nobody_in(anonymous, member, username, password):
    response = sign_in(anonymous, username, password)
    assert response.status_code == 400
    assert anonymous.get("/claims/").status_code == 302


def test_usernames_are_not_case_sensitive(anonymous, member):
    assert sign_in(anonymous, "MReyes").status_code == 302


def test_a_disabled_account_or_one_without_a_password_cannot_sign_in(anonymous, session, member):
    users.create_user(session, "nopass", None, role="analyst")
    users.update_user(session, member, by=None, is_active=False)
    session.commit()
    assert b"Wrong username or password" in sign_in(anonymous).data
    assert sign_in(anonymous, "nopass", "").status_code == 400


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "////evil.example", "/\\evil.example", "https:evil.example",
     "javascript:alert(1)", "https://evil.example/", "/%0d%0aSet-Cookie:x", "\\/evil.example",
     "/\\/evil.example", " //evil.example", "http:/evil.example", ""],
)  # fmt: skip
def test_next_only_ever_leads_to_a_local_path(anonymous, member, target):
    response = sign_in(anonymous, next_=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/claims/?q=Mosul&status=open", "/sources/1", "/"])
def test_next_keeps_a_local_path_with_its_query(anonymous, member, target):
    from urllib.parse import quote

    response = sign_in(anonymous, next_=quote(target, safe=""))
    assert response.headers["Location"] == target


def test_password_rules_refuse_short_ones(session):
    with pytest.raises(DomainError, match="at least 12"):
        users.create_user(session, "shorty", "too short", role="viewer")


def test_passwords_are_stored_as_argon2id_hashes(session, member):
    assert member.password_hash.startswith("$argon2id$")
    assert PASSWORD not in member.password_hash


# --- ending sessions -----------------------------------------------------------------------


def captured_cookie(app, client):
    """Return a new client that carries a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(anonymous, member, app):
    assert sign_in(anonymous).status_code == 302
    thief = captured_cookie(app, anonymous)
    assert thief.get("/claims/").status_code == 200  # the copy works, for now
    return thief


def test_signing_out_ends_the_session_even_for_a_captured_cookie(app, anonymous, member):
    thief = _signed_in(anonymous, member, app)
    assert anonymous.post("/logout").status_code == 302
    assert anonymous.get("/claims/").status_code == 302
    assert thief.get("/claims/").status_code == 302


def test_changing_ones_password_ends_the_other_sessions(app, anonymous, member):
    thief = _signed_in(anonymous, member, app)
    data = {"current_password": PASSWORD, "new_password": "another long password", "confirm":
            "another long password"}  # fmt: skip
    assert anonymous.post("/account", data=data).status_code == 302
    assert anonymous.get("/claims/").status_code == 200  # this session goes on
    assert thief.get("/claims/").status_code == 302
    assert sign_in(app.test_client(), password="another long password").status_code == 302


def test_a_wrong_current_password_changes_nothing(anonymous, member):
    sign_in(anonymous)
    data = {"current_password": "not it at all", "new_password": "x" * 12, "confirm": "x" * 12}
    assert anonymous.post("/account", data=data).status_code == 400
    assert anonymous.get("/claims/").status_code == 200


@pytest.mark.parametrize("how", ["disable", "new password", "new role"])
def test_an_admin_ends_a_users_sessions(app, anonymous, member, login_as, how):
    thief = _signed_in(anonymous, member, app)
    admin = login_as("admin")
    if how == "disable":
        data = {"display_name": "Maria", "role": "analyst"}  # is_active unchecked
        response = admin.post(f"/users/{member.id}/edit", data=data)
    elif how == "new password":
        data = {"new_password": "a brand new password", "confirm": "a brand new password"}
        response = admin.post(f"/users/{member.id}/password", data=data)
    else:
        data = {"display_name": "Maria", "role": "viewer", "is_active": "y"}
        response = admin.post(f"/users/{member.id}/edit", data=data)
    assert response.status_code == 302
    assert anonymous.get("/claims/").status_code == 302
    assert thief.get("/claims/").status_code == 302


def test_an_admin_cannot_lock_themselves_out(login_as, session):
    admin = login_as("admin")
    response = admin.post(f"/users/{admin.user.id}/edit", data={"role": "viewer"})
    assert response.status_code == 400
    assert b"your own" in response.data
    assert admin.get("/users/").status_code == 200


def test_an_admin_adds_a_user_who_can_then_sign_in(app, login_as, session):
    admin = login_as("admin")
    data = {"username": "tkowalski", "display_name": "Tomasz", "role": "viewer",
            "is_active": "y", "password": PASSWORD, "confirm": PASSWORD}  # fmt: skip
    assert admin.post("/users/new", data=data).status_code == 302
    assert sign_in(app.test_client(), "tkowalski").status_code == 302
    duplicate = admin.post("/users/new", data=data)
    assert duplicate.status_code == 400 and b"already" in duplicate.data


# --- rate limit, cookies, headers, sizes --------------------------------------------------


def test_sign_in_attempts_are_rate_limited(app, anonymous, member):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert sign_in(anonymous, password="wrong password!!").status_code == 400
    refused = sign_in(anonymous)  # even the right password, until the minute is over
    assert refused.status_code == 429
    assert b"Traceback" not in refused.data
    assert anonymous.get("/login").status_code == 200  # reading the page is not limited


@pytest.mark.parametrize(
    ("base_url", "setting", "secure"),
    [("http://localhost", None, False), ("https://localhost", None, True),
     ("http://localhost", True, True), ("https://localhost", False, False)],
)  # fmt: skip
def test_the_session_cookie_flags(app, member, base_url, setting, secure):
    app.config["SESSION_COOKIE_SECURE"] = setting
    client = app.test_client()
    response = client.post(
        "/login", data={"username": "mreyes", "password": PASSWORD}, base_url=base_url
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure


def _assert_security_headers(response):
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp


@pytest.mark.parametrize(
    ("who", "method", "url", "status"),
    [("editor", "GET", "/", 200), ("editor", "GET", "/no/such/page", 404),
     ("viewer", "GET", "/tags/new", 403), ("anonymous", "GET", "/claims/", 302),
     ("anonymous", "GET", "/login", 200), ("editor", "GET", "/static/app.css", 200),
     ("editor", "GET", "/claims/?after=damaged", 400)],
)  # fmt: skip
def test_every_response_carries_the_security_headers(app, login_as, who, method, url, status):
    client = app.test_client() if who == "anonymous" else login_as(who)
    response = client.open(url, method=method)
    response.close()  # a static file's handle
    assert response.status_code == status
    _assert_security_headers(response)


def test_a_csrf_refusal_carries_the_headers_too(csrf_app, login_as):
    response = login_as("analyst").post("/tags/new", data={})
    assert response.status_code in (400, 403)
    _assert_security_headers(response)


def test_an_oversized_body_gets_a_friendly_413(app, client, session):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = client.post("/sources/new", data={"title": "x", "notes": "y" * 20_000})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than the workbench accepts" in page and "Traceback" not in page
    _assert_security_headers(response)


def test_templates_have_no_inline_script_style_or_handlers():
    from counterclaim.paths import resource_dir

    offenders = []
    for path in sorted(resource_dir("templates").rglob("*.html")):
        text = path.read_text()
        # A JSON-LD data block is not script: browsers never run it and CSP does not apply.
        inline = r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>"
        if re.search(inline, text) or re.search(r"\sstyle=", text):
            offenders.append(path.name)
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offenders.append(path.name)
    assert offenders == []


# --- the first administrator and `counterclaim user` ---------------------------------------


@pytest.fixture(scope="module", params=ENGINES)
def migrated(request, database_url_factory):
    """One migrated database per engine for the `user` command tests, with user "twice"."""
    url = database_url_factory(request.param)
    run(url, "db", "upgrade")
    run(url, "user", "add", "twice", "--no-password")
    return url


run = run_cli


def stored_users(database) -> dict[str, User]:
    engine = make_engine(database)
    try:
        with make_sessionmaker(engine)() as session:
            return {u.username: u for u in session.scalars(select(User))}
    finally:
        engine.dispose()


def test_serve_creates_the_first_admin_once_and_shows_the_password_once(database, monkeypatch):
    monkeypatch.setattr("waitress.serve", lambda app, **kw: None)
    monkeypatch.delenv("COUNTERCLAIM_ADMIN_PASSWORD", raising=False)
    code, output = run(database, "serve", "--no-seed")
    assert code == 0, output
    password = re.search(r"One-time password.*:\n\n    (\S+)\n", output).group(1)
    admin = stored_users(database)["admin"]
    assert admin.role == "admin" and users._hasher.verify(admin.password_hash, password)
    code, again = run(database, "serve", "--no-seed")
    assert code == 0 and "administrator" not in again and password not in again


def test_the_one_time_password_must_be_replaced_before_anything_else(anonymous, session):
    admin, password = users.ensure_first_admin(session)
    session.commit()
    assert admin.must_change_password
    assert sign_in(anonymous, "admin", password, next_="/users/").status_code == 302
    for path in ("/users/", "/claims/", "/history/"):
        response = anonymous.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == f"/account?next={quote(path)}", path
    data = {"current_password": password, "new_password": PASSWORD, "confirm": PASSWORD}
    response = anonymous.post("/account?next=%2Fhistory%2F", data=data)
    assert (response.status_code, response.headers["Location"]) == (302, "/history/")
    assert anonymous.get("/users/").status_code == 200
    session.refresh(admin)
    assert not admin.must_change_password
    assert users.ensure_first_admin(session) is None  # there is an admin: nothing more


def test_serve_takes_the_admin_password_from_the_environment(database, monkeypatch):
    monkeypatch.setattr("waitress.serve", lambda app, **kw: None)
    env = {"COUNTERCLAIM_ADMIN_PASSWORD": PASSWORD}
    code, output = run(database, "serve", "--no-seed", env=env)
    assert code == 0 and PASSWORD not in output and "COUNTERCLAIM_ADMIN_PASSWORD" in output
    admin = stored_users(database)["admin"]
    assert users._hasher.verify(admin.password_hash, PASSWORD) and not admin.must_change_password


def test_user_commands_add_passwd_disable_enable_list(migrated):
    database = migrated
    code, output = run(database, "user", "add", "Afarah", "--role", "editor", "--name", "Amira",
                       input=f"{PASSWORD}\n{PASSWORD}\n")  # fmt: skip
    assert (code, output.splitlines()[-1]) == (0, "Added afarah (editor).")
    token = stored_users(database)["afarah"].session_token
    code, output = run(
        database, "user", "passwd", "afarah", env={"COUNTERCLAIM_PASSWORD": "n" * 12}
    )
    assert code == 0 and "signed out" in output
    assert stored_users(database)["afarah"].session_token != token
    assert run(database, "user", "disable", "afarah")[0] == 0
    assert stored_users(database)["afarah"].is_active is False
    assert "afarah\teditor\tdisabled\tAmira" in run(database, "user", "list")[1].splitlines()
    assert run(database, "user", "enable", "afarah")[0] == 0
    assert "afarah\teditor\tactive\tAmira" in run(database, "user", "list")[1].splitlines()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [(["user", "add", "x y"], {"COUNTERCLAIM_PASSWORD": PASSWORD}, "A username is"),
     (["user", "add", "short"], {"COUNTERCLAIM_PASSWORD": "tiny"}, "at least 12 characters"),
     (["user", "passwd", "ghost"], {"COUNTERCLAIM_PASSWORD": PASSWORD}, "there is no user 'ghost'"),
     (["user", "disable", "ghost"], None, "there is no user 'ghost'"),
     (["user", "add", "twice", "--no-password"], None, "already a user 'twice'")],
)  # fmt: skip
def test_user_commands_refuse_bad_input_in_one_line(migrated, args, env, message):
    code, output = run(migrated, *args, env=env)
    assert code == 1
    assert output.startswith("Error: ") and message in output and output.count("\n") == 1
