"""An actor's page: their claims (paged), who contradicts them, what they published, and
their affiliation and members; searching their name offers their claims."""

from factories import make_actor, make_claim, make_link, make_source


def test_the_actor_page_shows_claims_opponents_sources_and_members(client, session):
    abadi = make_actor(session, name="Haider al-Abadi")
    isis = make_actor(session, name="ISIS (Islamic State)")
    debka = make_actor(session, name="DEBKA Weekly")
    member = make_actor(session, name="Iraqi Counter-Terrorism Service", affiliation=abadi)
    mine = [make_claim(session, claimant=abadi, text=f"Abadi claim {n}") for n in range(25)]
    make_link(session, mine[0], make_claim(session, claimant=isis))
    make_link(session, make_claim(session, claimant=isis), mine[1])  # the other direction
    make_link(session, mine[2], make_claim(session, claimant=debka))
    make_link(session, mine[3], make_claim(session, claimant=debka), relation="supports")
    make_source(session, title="Prime Minister's office statement", publisher=abadi)
    session.commit()
    page = client.get(f"/actors/{abadi.id}").get_data(as_text=True)
    opponents = page.split('id="opponents"', 1)[1].split("</section>", 1)[0]
    assert 'ISIS (Islamic State)</a> <span class="n">2 pairs' in opponents
    assert 'DEBKA Weekly</a> <span class="n">1 pair<' in opponents
    assert "Prime Minister&#39;s office statement" in page
    assert member.name in page.split('id="members"', 1)[1]
    claims = page.split('id="claims"', 1)[1].split("</section>", 1)[0]
    assert claims.count("<li>") == 20 and 'rel="next"' in claims
    assert '<h2>Claims <span class="count">25</span>' in claims  # all of them, not the page's


def test_the_counts_are_of_everything_though_the_lists_are_the_newest(client, session):
    """Sources published: the newest 20 listed, all 23 counted (in the same statement)."""
    agency = make_actor(session, name="Amaq News Agency")
    for n in range(23):
        make_source(session, title=f"Amaq bulletin {n:02d}", publisher=agency)
    make_source(session, title="Someone else's bulletin")
    session.commit()
    page = client.get(f"/actors/{agency.id}").get_data(as_text=True)
    assert '<h2>Sources published <span class="count">23</span>' in page
    assert "Amaq bulletin 22" in page and "Amaq bulletin 02" not in page
    assert "Someone else" not in page


def test_searching_a_name_offers_their_claims(client, session):
    actor = make_actor(session, name="Ahmed Shaker al-Askari")
    make_claim(session, claimant=actor)
    session.commit()
    page = client.get("/search/", query_string={"q": "Askari"}).get_data(as_text=True)
    assert f"/claims/?claimant={actor.id}" in page
