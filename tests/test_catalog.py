"""Sources, actors and tags: their forms accept what is valid and explain what is not."""

import pytest
from sqlalchemy import func, select

from counterclaim.models import Actor, Claim, Source, Tag
from factories import make_actor, make_appearance, make_claim, make_source, make_tag

SOURCE = {"title": "DEBKA Weekly, 2 Dec 2016", "kind": "article", "reliability": "D"}


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# ---- sources ----------------------------------------------------------------------------


def test_a_source_is_recorded_with_its_reliability(client, session):
    publisher = make_actor(session, kind="media")
    session.commit()
    data = SOURCE | {
        "publisher_id": str(publisher.id),
        "url": "https://example.org/a",
        "published_on": "2016-12-02",
        "notes": "Single-sourced intelligence newsletter.",
    }
    response = client.post("/sources/new", data=data)
    assert response.status_code == 302
    source = session.scalar(select(Source))
    assert (source.reliability, source.publisher_id, str(source.published_on)) == (
        "D",
        publisher.id,
        "2016-12-02",
    )
    page = client.get(response.location).get_data(as_text=True)
    assert "Not usually reliable" in page


def test_a_source_page_reads_its_publisher_with_the_source(client, session, count_queries):
    """The publisher comes joined, so a page with one costs no more statements than one
    without (each statement costs a round trip; PostgreSQL pays for each on a busy host)."""
    bare = make_source(session)
    published = make_source(session, publisher=make_actor(session, name="Amaq", kind="media"))
    for source in (bare, published):
        make_appearance(session, make_claim(session), source)
    session.commit()
    counts = {}
    for source in (bare, published):
        with count_queries() as counter:
            page = client.get(f"/sources/{source.id}").get_data(as_text=True)
        counts[source.id] = counter.count
    assert "Amaq" in page
    assert counts[bare.id] == counts[published.id]
    assert client.get("/sources/999999").status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, b"This field is required."),
        ({"reliability": "G"}, b"Not a valid choice"),
        ({"kind": "rumour"}, b"Not a valid choice"),
        ({"url": "javascript:alert(1)"}, b"Give an http:// or https:// address."),
        ({"archived_url": "ftp://archive"}, b"Give an http:// or https:// address."),
        ({"published_on": "2016-13-45"}, b"Not a valid date value."),
        ({"publisher_id": "999999"}, b"Not a valid choice"),
    ],
)
def test_a_bad_source_is_refused_next_to_its_field(client, session, change, message):
    response = client.post("/sources/new", data=SOURCE | change)
    assert response.status_code == 400 and message in response.data
    assert _count(session, Source) == 0


def test_a_stale_source_edit_is_refused(client, session):
    source = make_source(session, title="Old title")
    session.commit()
    edit = SOURCE | {"version": "1"}
    assert client.post(f"/sources/{source.id}/edit", data=edit).status_code == 302
    stale = SOURCE | {"title": "Another title", "version": "1"}
    response = client.post(f"/sources/{source.id}/edit", data=stale)
    assert response.status_code == 409 and b"saved by someone else" in response.data
    session.refresh(source)
    assert (source.title, source.version) == (SOURCE["title"], 2)


def test_a_source_carrying_claims_is_not_deleted(client, session):
    appearance = make_appearance(session)
    session.commit()
    response = client.post(f"/sources/{appearance.source_id}/delete", follow_redirects=True)
    assert b"detach them first" in response.data
    assert _count(session, Source) == 1


def test_an_unused_source_is_deleted_after_confirmation(client, session):
    source_id = make_source(session).id
    session.commit()
    assert client.get(f"/sources/{source_id}/delete").status_code == 200
    assert client.post(f"/sources/{source_id}/delete").status_code == 302
    assert _count(session, Source) == 0


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [("reliability=A", "Gold", "Junk"), ("q=junk", "Junk", "Gold"), ("kind=video", "Junk", "Gold")],
)
def test_the_sources_list_filters(client, session, query, shown, hidden):
    make_source(session, title="Gold standard", reliability="A", kind="report")
    make_source(session, title="Junk video", reliability="E", kind="video")
    session.commit()
    page = client.get(f"/sources/?{query}").get_data(as_text=True)
    assert shown in page and hidden not in page


# ---- actors -----------------------------------------------------------------------------


def test_an_actor_is_recorded_with_an_affiliation(client, session):
    government = make_actor(session, name="Government of Iraq", kind="government")
    session.commit()
    data = {"name": "Haider al-Abadi", "kind": "person", "affiliation_id": str(government.id)}
    assert client.post("/actors/new", data=data).status_code == 302
    actor = session.scalar(select(Actor).where(Actor.name == "Haider al-Abadi"))
    assert actor.affiliation_id == government.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, b"This field is required."),
        ({"name": "Taken"}, b"An actor with this name exists already."),
        ({"kind": "alien"}, b"Not a valid choice"),
        ({"affiliation_id": "999999"}, b"Not a valid choice"),
    ],
)
def test_a_bad_actor_is_refused_next_to_its_field(client, session, data, message):
    make_actor(session, name="Taken")
    session.commit()
    response = client.post("/actors/new", data={"name": "New", "kind": "person"} | data)
    assert response.status_code == 400 and message in response.data
    assert _count(session, Actor) == 1


def test_an_actor_cannot_be_its_own_affiliation(client, session):
    actor = make_actor(session)
    session.commit()
    data = {"name": actor.name, "kind": "person", "affiliation_id": str(actor.id)}
    assert client.post(f"/actors/{actor.id}/edit", data=data).status_code == 400


def test_an_actor_with_claims_is_kept(client, session):
    claim = make_claim(session)
    session.commit()
    response = client.post(f"/actors/{claim.claimant_id}/delete", follow_redirects=True)
    assert b"an actor with claims is kept" in response.data
    assert session.get(Actor, claim.claimant_id) is not None


def test_arabic_names_and_claims_are_kept_and_shown(client, session):
    data = {"name": "حيدر العبادي", "kind": "person"}
    assert client.post("/actors/new", data=data).status_code == 302
    actor = session.scalar(select(Actor).where(Actor.name == "حيدر العبادي"))
    claim = {"text": "داعش ينهار", "claimant_id": str(actor.id), "status": "open"}
    response = client.post("/claims/new", data=claim)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "داعش ينهار" in page and "حيدر العبادي" in page
    assert session.scalar(select(Claim.text)) == "داعش ينهار"


# ---- tags -------------------------------------------------------------------------------


def test_a_tag_is_added_edited_and_deleted_leaving_its_claims(client, session):
    assert client.post("/tags/new", data={"name": "Mosul", "kind": "place"}).status_code == 302
    tag = session.scalar(select(Tag))
    claim = make_claim(session, tags=[tag])
    session.commit()
    edit = {"name": "Mosul city", "kind": "place"}
    assert client.post(f"/tags/{tag.id}/edit", data=edit).status_code == 302
    assert client.get("/tags/").get_data(as_text=True).count("Mosul city") == 1
    assert client.post(f"/tags/{tag.id}/delete").status_code == 302
    session.expire_all()
    assert _count(session, Tag) == 0 and session.get(Claim, claim.id).tags == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, b"This field is required."),
        ({"name": "Raqqa"}, b"A tag with this name exists already."),
        ({"kind": "mood"}, b"Not a valid choice"),
    ],
)
def test_a_bad_tag_is_refused_next_to_its_field(client, session, data, message):
    make_tag(session, name="Raqqa")
    session.commit()
    response = client.post("/tags/new", data={"name": "New", "kind": "topic"} | data)
    assert response.status_code == 400 and message in response.data
    assert _count(session, Tag) == 1
