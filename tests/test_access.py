"""Who may do what: every route × every role, ownership, and forms that ignore extra fields.

The matrix is generated from the app's URL map, so a new route is checked the day it is
added: anonymous → the sign-in page (with `next`), a role below the declared one → 403,
the declared role or above → the page (GET 200; POST anything but 403 or a server error).
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from counterclaim.models import Claim, ClaimLink, Source, User
from counterclaim.models.vocabulary import role_rank
from counterclaim.web.access import PUBLIC, required_role
from factories import make_actor, make_claim, make_link, make_source
from test_pages import fill, make_world, routes

WHO = ["anonymous", "viewer", "analyst", "editor", "admin"]


def expectation(declared: str, who: str) -> str:
    if declared == PUBLIC:
        return "allowed"
    if who == "anonymous":
        return "sign in"
    return "allowed" if role_rank(who) >= role_rank(declared) else "forbidden"


def _ordered(rules):
    # Signing out ends the client's session: check it last.
    return sorted(rules, key=lambda rule: rule.endpoint == "auth.logout")


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("who", WHO)
def test_every_route_answers_each_role_as_it_declares(app, login_as, session, who, method):
    client = app.test_client() if who == "anonymous" else login_as(who)
    # An analyst's world is their own: ownership is tested apart, below.
    world = make_world(session, owner=client.user if who == "analyst" else None)
    seen = {"allowed": 0, "forbidden": 0, "sign in": 0}
    for rule in _ordered(routes(app, method)):
        url = fill(rule, world)
        expected = expectation(required_role(app.view_functions[rule.endpoint]), who)
        response = client.open(url, method=method, data={})
        response.close()  # a streamed body (CSV, JSON downloads) ends its request here
        where = (method, url, who, response.status_code)
        if expected == "sign in":
            assert response.status_code == 302, where
            location = urlsplit(response.headers["Location"])
            assert location.path == "/login", where
            assert parse_qs(location.query)["next"] == [url], where
        elif expected == "forbidden":
            assert response.status_code == 403, where
        elif method == "GET" and rule.endpoint == "auth.login" and who != "anonymous":
            assert response.status_code == 302, where  # signed in: on to the home page
        elif method == "GET":
            assert response.status_code == 200, where
        else:
            assert response.status_code != 403 and response.status_code < 500, where
            if rule.endpoint != "auth.logout":  # which rightly sends to the sign-in page
                assert "/login?" not in response.headers.get("Location", ""), where
        seen[expected] += 1
    assert seen["allowed"] > 0
    if who == "admin" and method == "GET":  # every page renders for the role that may see all
        assert seen["allowed"] >= 25
    if who == "anonymous":
        assert seen["sign in"] >= 20
    if who in ("viewer", "analyst"):
        assert seen["forbidden"] > 0


# --- ownership: analysts change what they created ------------------------------------------


def _owned(session, owner):
    session.info["user_id"] = owner.id
    claim, other = make_claim(session), make_claim(session)
    records = {
        "claim": claim,
        "source": make_source(session),
        "actor": make_actor(session),
        "link": make_link(session, claim, other, relation="supports"),
    }
    session.info.pop("user_id")
    session.commit()
    return records


EDIT_URLS = {
    "claim": lambda r: f"/claims/{r['claim'].id}/edit",
    "source": lambda r: f"/sources/{r['source'].id}/edit",
    "actor": lambda r: f"/actors/{r['actor'].id}/edit",
    "link": lambda r: f"/claims/{r['claim'].id}/links/{r['link'].id}/delete",
}


@pytest.mark.parametrize("kind", sorted(EDIT_URLS))
def test_an_analyst_changes_their_own_records_but_not_anothers(login_as, session, kind):
    author, stranger = login_as("analyst"), login_as("analyst")
    records = _owned(session, author.user)
    assert records[kind].created_by == author.user.id
    url = EDIT_URLS[kind](records)
    assert author.get(url).status_code == 200
    assert stranger.get(url).status_code == 403
    assert stranger.post(url, data={}).status_code == 403
    assert login_as("editor").get(url).status_code == 200


def test_the_claim_page_offers_edit_only_to_who_may(login_as, session):
    author, stranger = login_as("analyst"), login_as("analyst")
    claim = _owned(session, author.user)["claim"]
    edit = f'href="/claims/{claim.id}/edit"'
    assert edit in author.get(f"/claims/{claim.id}").get_data(as_text=True)
    page = stranger.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert edit not in page and "Link a claim" in page and "Merge" not in page
    viewer_page = login_as("viewer").get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Link a claim" not in viewer_page and "New claim" not in viewer_page


def test_records_are_stamped_with_their_creator_through_the_web(login_as, session):
    analyst = login_as("analyst")
    actor = make_actor(session)
    session.commit()
    response = analyst.post("/claims/new", data={"text": "Mine.", "claimant_id": actor.id})
    assert response.status_code == 302
    claim = session.scalar(select(Claim).where(Claim.text == "Mine."))
    assert claim.created_by == analyst.user.id


# --- forms take only what the role may set -------------------------------------------------

EXTRA = {"created_by": "1", "owner": "1", "role": "admin", "version": "99", "id": "4242",
         "is_active": "n", "password_hash": "x", "session_token": "x"}  # fmt: skip


def test_extra_fields_on_a_new_claim_change_nothing(login_as, session):
    analyst = login_as("analyst")
    actor = make_actor(session)
    session.commit()
    data = {"text": "Posted with extras.", "claimant_id": actor.id, **EXTRA}
    assert analyst.post("/claims/new", data=data).status_code == 302
    claim = session.scalar(select(Claim).where(Claim.text == "Posted with extras."))
    assert (claim.created_by, claim.version) == (analyst.user.id, 1)
    assert claim.id != 4242


def test_extra_fields_on_an_edit_change_nothing_but_the_form(login_as, session):
    editor = login_as("editor")
    source = make_source(session, title="Before")
    session.commit()
    data = {"title": "After", "kind": "article", "reliability": "B", "version": source.version}
    response = editor.post(
        f"/sources/{source.id}/edit", data={**data, **EXTRA, "version": source.version}
    )
    assert response.status_code == 302
    session.refresh(source)
    assert (source.title, source.reliability, source.created_by) == ("After", "B", None)


def test_extra_fields_on_the_account_page_do_not_raise_a_role(login_as, session):
    viewer = login_as("viewer")
    data = {"current_password": "wrong", "new_password": "x" * 12, "confirm": "x" * 12, **EXTRA}
    assert viewer.post("/account", data=data).status_code == 400
    user = session.get(User, viewer.user.id)
    session.refresh(user)
    assert (user.role, user.is_active) == ("viewer", True)


def test_extra_fields_on_a_link_keep_it_the_analysts(login_as, session):
    analyst = login_as("analyst")
    first, second = make_claim(session), make_claim(session)
    session.commit()
    data = {"target_id": second.id, "relation": "supports", "strength": "weak",
            "rationale": "Because.", **EXTRA}  # fmt: skip
    assert analyst.post(f"/claims/{first.id}/links/new", data=data).status_code == 302
    link = session.scalar(select(ClaimLink).where(ClaimLink.from_claim_id == first.id))
    assert link.created_by == analyst.user.id


# --- two analysts, one claim --------------------------------------------------------------


def test_two_people_saving_the_same_claim_get_one_conflict_and_lose_nothing(login_as, session):
    author, editor = login_as("analyst"), login_as("editor")
    claim = _owned(session, author.user)["claim"]
    base = {"claimant_id": claim.claimant_id, "status": "open", "version": claim.version}

    first = author.post(f"/claims/{claim.id}/edit", data={**base, "text": "The author's words."})
    second = editor.post(f"/claims/{claim.id}/edit", data={**base, "text": "The editor's words."})

    assert first.status_code == 302
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "The author&#39;s words." in page and "The editor&#39;s words." in page
    session.refresh(claim)
    assert claim.text == "The author's words." and claim.version == base["version"] + 1


def test_a_source_edit_by_a_stranger_is_refused_before_anything_is_saved(login_as, session):
    author, stranger = login_as("analyst"), login_as("analyst")
    source = _owned(session, author.user)["source"]
    data = {"title": "Hijacked", "kind": "article", "reliability": "A", "version": source.version}
    assert stranger.post(f"/sources/{source.id}/edit", data=data).status_code == 403
    assert session.scalar(select(Source.title).where(Source.id == source.id)) != "Hijacked"
