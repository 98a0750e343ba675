"""Record pickers reach every actor, source and tag, by script or by a Search button."""

from counterclaim.models import ClaimSource
from counterclaim.services.catalogue import pickers
from factories import make_actor, make_claim, make_source, make_tag


def test_find_matches_every_word_and_keeps_the_chosen_first(session):
    wanted = make_source(session, title="Reuters: Iraqi forces pause the Mosul advance")
    make_source(session, title="Reuters: Mosul airport retaken")
    chosen = make_source(session, title="Unrelated bulletin")
    found = pickers.find(session, "source", "mosul PAUSE", include=[chosen.id])
    assert [i for i, _ in found.choices] == [chosen.id, wanted.id]
    assert found.choices[1][1] == f"{wanted.title} (C) #{wanted.id}"
    assert not found.more


def test_find_says_when_more_matched_than_it_shows(session):
    for n in range(pickers.LIMIT + 1):
        make_tag(session, name=f"zz-picker-{n}")
    found = pickers.find(session, "tag", "zz-picker")
    assert len(found.choices) == pickers.LIMIT and found.more


def test_find_treats_percent_and_underscore_as_letters(session):
    make_actor(session, name="Ninety_nine")
    make_actor(session, name="Ninety nine")
    assert [n for _, n in pickers.find(session, "actor", "y_n").choices] == ["Ninety_nine"]
    assert pickers.find(session, "actor", "%").choices == []


def test_find_by_number_and_leave_one_out(session):
    actor = make_actor(session, name="Someone numbered")
    assert pickers.find(session, "actor", f"#{actor.id}").choices[0][0] == actor.id
    others = pickers.find(session, "actor", "numbered", exclude=actor.id)
    assert actor.id not in dict(others.choices)


def test_the_json_search_as_one_types(login_as, anonymous, session):
    client = login_as("viewer")
    source = make_source(session, title="Amaq statement on Bartella")
    body = client.get("/pick/source", query_string={"q": "bartella"}).get_json()
    assert body["choices"] == [{"id": source.id, "label": f"{source.title} (C) #{source.id}"}]
    assert client.get("/pick/users").status_code == 404
    assert anonymous.get("/pick/actor").status_code in (302, 401)


def test_search_button_without_script_keeps_what_was_typed(login_as, session):
    client = login_as("analyst")
    claim = make_claim(session)
    for n in range(120):
        make_source(session, title=f"Filler {n}")
    old = make_source(session, title="Old Kurdistan24 report")
    session.commit()
    data = {"source_id_q": "kurdistan24", "find": "source_id", "excerpt": "typed already"}
    response = client.post(f"/claims/{claim.id}/sources/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'value="{old.id}"' in page and "Filler" not in page
    assert "typed already" in page and 'value="kurdistan24"' in page
    assert session.query(ClaimSource).filter_by(claim_id=claim.id).count() == 0


def test_a_source_that_does_not_exist_is_refused_next_to_the_field(login_as, session):
    client = login_as("analyst")
    claim = make_claim(session)
    data = {"source_id": "987654", "excerpt": "x", "stance": "neutral"}
    response = client.post(f"/claims/{claim.id}/sources/new", data=data)
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_the_duplicate_to_merge_is_found_by_its_words(client, session):
    keep = make_claim(session, text="ISIS is collapsing in Mosul")
    twin = make_claim(session, text="The ISIS organisation is collapsing, says Abadi")
    session.commit()
    page = client.get(f"/claims/{keep.id}/merge", query_string={"q": "collapsing"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"duplicate_id={twin.id}" in html
    assert f"duplicate_id={keep.id}" not in html
