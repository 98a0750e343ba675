"""Every page renders, unknown ids answer 404, and every POST needs a CSRF token."""

import re

import pytest

from counterclaim.models import SavedQuery
from factories import (
    make_appearance,
    make_assessment,
    make_claim,
    make_link,
    make_note,
    make_source,
    make_tag,
)


@pytest.fixture
def world(session):
    """One of everything, so every URL of the app has something to show."""
    claim = make_claim(session, tags=[make_tag(session)])
    other = make_claim(session)
    appearance = make_appearance(session, claim=claim, source=make_source(session))
    link = make_link(session, claim, other, relation="contradicts", rationale="clash")
    make_assessment(session, claim=claim)
    make_note(session, claim=claim, body="**bold** note")
    make_note(session, source=appearance.source, body="on the source")
    query = SavedQuery(name="By tag", sql="SELECT id FROM tags WHERE name = :tag")
    session.add(query)
    session.commit()
    return {
        "claim_id": claim.id,
        "source_id": appearance.source_id,
        "actor_id": claim.claimant_id,
        "tag_id": claim.tags[0].id,
        "link_id": link.id,
        "appearance_id": appearance.id,
        "query_id": query.id,
    }


def _routes(app, method):
    for rule in app.url_map.iter_rules():
        if method in rule.methods and rule.endpoint != "static":
            yield rule


def _fill(rule, ids) -> str:
    return re.sub(r"<int:(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)


def test_every_get_page_renders(app, client, world):
    rendered = []
    for rule in _routes(app, "GET"):
        url = _fill(rule, world)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert b"Traceback" not in response.data
        rendered.append(url)
    assert len(rendered) >= 25


def test_unknown_ids_answer_404(app, client, world):
    missing = dict.fromkeys(world, 987654)
    checked = 0
    for rule in _routes(app, "GET"):
        if "<int:" not in rule.rule:
            continue
        response = client.get(_fill(rule, missing))
        assert response.status_code == 404, rule.rule
        assert b"Traceback" not in response.data
        checked += 1
    assert checked >= 15


def test_a_link_or_appearance_of_another_claim_answers_404(client, world, session):
    stranger = make_claim(session)
    session.commit()
    claim_id = stranger.id
    assert client.get(f"/claims/{claim_id}/links/{world['link_id']}/delete").status_code == 404
    url = f"/claims/{claim_id}/sources/{world['appearance_id']}/delete"
    assert client.get(url).status_code == 404


def test_every_post_refuses_a_missing_csrf_token(csrf_app, world):
    client = csrf_app.test_client()
    posted = 0
    for rule in _routes(csrf_app, "POST"):
        response = client.post(_fill(rule, world), data={"text": "x"})
        assert response.status_code == 400, rule.rule
        assert b"CSRF" in response.data
        posted += 1
    assert posted >= 15


def test_a_valid_csrf_token_is_accepted(csrf_app, world):
    client = csrf_app.test_client()
    page = client.get(f"/claims/{world['claim_id']}/notes/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/claims/{world['claim_id']}/notes/new", data={"csrf_token": token, "body": "hello"}
    )
    assert response.status_code == 302


def test_error_pages_show_no_traceback(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Not Found" in response.data and b"Traceback" not in response.data


def test_a_damaged_page_cursor_is_a_400_with_the_reason(client):
    response = client.get("/claims/?after=not-a-cursor")
    assert response.status_code == 400
    assert b"page link is damaged" in response.data


def test_every_view_declares_the_least_role_it_needs(app):
    from counterclaim.web.access import ROLE_ORDER, required_role

    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and required_role(app.view_functions[rule.endpoint]) not in ROLE_ORDER
    ]
    assert undeclared == []
