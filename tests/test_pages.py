"""Every page renders, unknown ids answer 404, and every POST needs a CSRF token.

The route × role matrix is in test_access.py; it uses `world`, `routes` and `fill`."""

import re

import pytest
from sqlalchemy import select

from counterclaim.models import Revision, SavedQuery, SourceDerivation
from factories import (
    make_appearance,
    make_assessment,
    make_claim,
    make_link,
    make_note,
    make_source,
    make_tag,
    make_user,
)


@pytest.fixture
def world(session):
    """One of everything, so every URL of the app has something to show."""
    return make_world(session)


def make_world(session, owner=None) -> dict:
    """Make one of everything (created by `owner`); return the ids URLs need."""
    if owner is not None:
        session.info["user_id"] = owner.id  # the audit trail stamps created_by with it
    claim = make_claim(session, tags=[make_tag(session)])
    other = make_claim(session)
    appearance = make_appearance(session, claim=claim, source=make_source(session))
    link = make_link(session, claim, other, relation="contradicts", rationale="clash")
    assessment = make_assessment(session, claim=claim, **({"analyst": owner} if owner else {}))
    note = make_note(
        session, claim=claim, body="**bold** note", **({"author": owner} if owner else {})
    )
    make_note(session, source=appearance.source, body="on the source")
    query = SavedQuery(name="By tag", sql="SELECT id FROM tags WHERE name = :tag")
    session.add(query)
    derivation = SourceDerivation(
        source_id=appearance.source_id, derived_from_id=make_source(session).id, kind="quotes"
    )
    session.add(derivation)
    claim.text = "Claim number one, edited"  # an update, so that history has a revision to restore
    session.flush()
    user = make_user(session, role="viewer")
    session.info.pop("user_id", None)
    session.commit()
    revision = session.scalars(
        select(Revision).where(Revision.entity == "claims", Revision.entity_id == claim.id)
    ).first()
    return {
        "claim_id": claim.id,
        "source_id": appearance.source_id,
        "actor_id": claim.claimant_id,
        "tag_id": claim.tags[0].id,
        "link_id": link.id,
        "appearance_id": appearance.id,
        "query_id": query.id,
        "user_id": user.id,
        "entity": "claims",
        "entity_id": claim.id,
        "revision_id": revision.id,
        "assessment_id": assessment.id,
        "note_id": note.id,
        "derivation_id": derivation.id,
        "kind": "source",  # a record picker
    }


def routes(app, method):
    """Every rule of the app that answers `method` (the static files aside)."""
    for rule in app.url_map.iter_rules():
        if method in rule.methods and rule.endpoint != "static":
            yield rule


_routes = routes


def fill(rule, ids) -> str:
    """Return the rule's URL with each <converter:name> replaced by ids[name]."""
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)


_fill = fill


def test_unknown_ids_answer_404(app, login_as, world):
    client = login_as("admin")
    missing = {**dict.fromkeys(world, 987654), "entity": "claims"}
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


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin"])
def test_every_post_refuses_a_missing_csrf_token(csrf_app, login_as, world, signed_in):
    client = login_as("admin") if signed_in else csrf_app.test_client()
    posted = 0
    for rule in _routes(csrf_app, "POST"):
        response = client.post(_fill(rule, world), data={"text": "x"})
        assert response.status_code == 400, rule.rule
        assert b"CSRF" in response.data
        posted += 1
    assert posted >= 20


def test_a_valid_csrf_token_is_accepted(csrf_app, login_as, world):
    client = login_as("analyst")
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
    from counterclaim.web.access import DECLARATIONS, PUBLIC, required_role

    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and required_role(app.view_functions[rule.endpoint]) not in DECLARATIONS
    ]
    assert undeclared == []
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and required_role(app.view_functions[rule.endpoint]) == PUBLIC
    }
    assert public == {"auth.login"}  # everything else needs a signed-in user
