"""History: paged both ways, filtered by person, kind, action and day, with readable
values; a claim's history includes its links, appearances, assessments and notes."""

from datetime import date, timedelta

from counterclaim.models.base import utcnow
from counterclaim.services.accounts import history
from factories import make_actor, make_appearance, make_claim, make_link, make_note, make_user


def test_pages_of_changes_walk_back_and_forth_alike(session):
    for n in range(23):
        make_actor(session, name=f"Paged actor {n}")
    kinds = ("actors",)
    forward, older = [], None
    while True:
        page = history.recent_page(session, entities=kinds, older_than=older, size=5)
        forward.append([r.id for r in page.items])
        if page.older_than is None:
            break
        older = page.older_than
    assert sum(map(len, forward)) >= 23
    back, newer = [forward[-1]], page.newer_than
    while newer is not None:
        page = history.recent_page(session, entities=kinds, newer_than=newer, size=5)
        back.insert(0, [r.id for r in page.items])
        newer = page.newer_than
    assert back == forward


def test_filters_by_person_action_and_day(session):
    maria, other = make_user(session, display_name="Maria"), make_user(session)
    session.info["user_id"] = maria.id
    actor = make_actor(session, name="Filtered actor")
    actor.description = "changed"
    session.flush()
    session.info["user_id"] = other.id
    make_actor(session)
    session.flush()
    mine = history.recent_page(session, user_id=maria.id).items
    assert {(r.entity, r.action) for r in mine} == {("actors", "create"), ("actors", "update")}
    updates = history.recent_page(session, user_id=maria.id, action="update").items
    assert [r.entity_id for r in updates] == [actor.id]
    today = utcnow().date()
    assert history.recent_page(session, user_id=maria.id, since=today, until=today).items
    tomorrow = today + timedelta(days=1)
    assert not history.recent_page(session, user_id=maria.id, since=tomorrow).items


def test_values_name_the_records_they_refer_to(client, session):
    abadi = make_actor(session, name="Haider al-Abadi")
    claim = make_claim(session, claimant=abadi, stated_on=date(2016, 11, 27))
    session.commit()
    page = client.get(f"/history/claims/{claim.id}").get_data(as_text=True)
    assert "<th>claimant</th>" in page and "Haider al-Abadi" in page


def test_a_claims_history_includes_its_links_sources_and_notes(client, session):
    claim = make_claim(session)
    make_link(session, claim, make_claim(session))
    make_appearance(session, claim=claim, excerpt="appearance excerpt in history")
    make_note(session, claim=claim, body="a note body in history")
    session.commit()
    page = client.get(f"/history/claims/{claim.id}").get_data(as_text=True)
    parts = page.split('id="parts-history"', 1)[1]
    assert "appearance excerpt in history" in parts and "a note body in history" in parts
    assert "Created</strong> link" in parts


def test_a_bad_date_is_refused_next_to_its_field(client):
    response = client.get("/history/?since=2016-13-45")
    assert response.status_code == 400 and "Not a valid date value" in response.get_data(
        as_text=True
    )
