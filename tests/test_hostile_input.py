"""Crafted input (issue 11, finding 7): every one answers 400 with a reason, or just works."""

import base64
import json

import pytest

from factories import make_claim, make_source

NUL = "a\x00b"


def cursor(value) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


DEEP = b"[" * 5_000 + b"]" * 5_000
FORGED_CURSORS = [
    cursor([[1, 2], 5]),
    cursor([10**30, 5]),
    cursor(["2016-01-01", 10**30]),
    cursor(DEEP),
    cursor([{"t": "date", "v": "2016-01-01"}, 10**30]),
    cursor([{"t": "date"}, 1]),
    cursor([{"t": "datetime", "v": 5}, 1]),
    cursor(["x" * 10_000, 1]),
    cursor([NUL, 1]),
    cursor([1.5e308, 1]),
    cursor(["abc", -(10**20)]),
    "!!!",
    "A" * 50_000,
]
GETS = [
    "/sources/?q=a%00b",
    "/claims/?claimant_name=a%00b",
    "/claims/?q=a%00b",
    "/reports/report?tag=a%00b",
    "/actors/?q=a%00b",
    "/claims/?year=0000",
    "/claims/?claimant_name=" + "a%25_" * 12_000,
    "/sources/?q=" + "+".join(["word"] * 3_000),
    "/claims/picker?exclude=" + "9" * 40,
    "/claims/new?source=" + "9" * 40,
    "/claims/?claimant=" + "9" * 40,
    "/claims/?source=" + "9" * 40,
    "/claims/?tag=" + "9" * 40,
    "/search/?q=a%00b",
]


@pytest.mark.parametrize("url", GETS)
def test_crafted_query_strings_never_fail(login_as, url):
    response = login_as("admin").get(url)
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize("path", ["/claims/", "/sources/", "/actors/"])
@pytest.mark.parametrize("after", FORGED_CURSORS)
def test_forged_cursors_are_refused(login_as, path, after):
    response = login_as("viewer").get(path, query_string={"after": after})
    assert response.status_code == 400
    assert b"page link" in response.data


def test_huge_merge_id_is_refused(login_as, session):
    claim = make_claim(session)
    client = login_as("editor")
    assert client.get(f"/claims/{claim.id}/merge?duplicate_id={'9' * 40}").status_code in (200, 400)
    posted = client.post(f"/claims/{claim.id}/merge", data={"duplicate_id": "9" * 40})
    assert posted.status_code == 400


def test_nul_in_a_form_field_is_a_form_error(login_as, session):
    source = make_source(session)
    client = login_as("editor")
    claim = make_claim(session)
    for url, data in [
        ("/claims/new", {"text": "\x00starts", "claimant_id": claim.claimant_id}),
        (f"/claims/{claim.id}/notes", {"body": "\x00note"}),
        (f"/sources/{source.id}/edit", {"title": NUL, "version": source.version}),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 400, (url, response.status_code)


def test_a_crash_keeps_the_security_headers(app, login_as):
    def boom():
        raise RuntimeError("a bug")

    app.add_url_rule("/boom", "boom", boom)
    response = login_as("viewer").get("/boom")
    assert response.status_code == 500 and b"Traceback" not in response.data
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_wsgi_layer_answers_a_500_with_the_headers_when_flask_cannot():
    from werkzeug.test import Client
    from werkzeug.wrappers import Response

    from counterclaim.web.security import SecurityHeaders

    def broken(environ, start_response):
        raise RuntimeError("the error handler itself failed")

    response = Client(SecurityHeaders(broken), Response).get("/")
    assert response.status_code == 500
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_huge_id_in_a_url_is_not_found(login_as):
    assert login_as("viewer").get("/claims/" + "9" * 40).status_code == 404
