"""Several analysts: each one's latest assessment side by side, the consensus and spread,
and disagreement (spread >= 2) flagged on the claim page and filterable in the list."""

from counterclaim.services.claims import claims
from factories import make_assessment, make_claim, make_user


def _rated(session, ratings, **claim):
    made = make_claim(session, **claim)
    for credibility in ratings:
        make_assessment(session, made, make_user(session), credibility=credibility)
    return made


def test_the_claim_page_shows_each_analysts_latest_assessment_and_the_spread(client, session):
    claim = make_claim(session)
    maria, tomasz = make_user(session, display_name="Maria"), make_user(session, display_name="Tom")
    make_assessment(session, claim, maria, credibility=2, rationale="First look.")
    make_assessment(session, claim, tomasz, credibility=5, rationale="Unlikely.")
    make_assessment(session, claim, maria, credibility=3, rationale="After the video.")
    session.commit()
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Consensus credibility" in page and 'title="Consensus credibility 4:' in page
    assert "spread 2" in page and "analysts disagree" in page
    current = page.split("Earlier assessments")[0]
    assert "After the video." in current and "Unlikely." in current
    assert "First look." in page.split("Earlier assessments")[1]  # kept, with its rationale


def test_the_list_flags_and_filters_disagreement(client, session):
    disputed = _rated(session, [1, 4], text="Disputed claim")
    agreed = _rated(session, [2, 3], text="Agreed claim")
    unrated = make_claim(session, text="Unrated claim")
    session.commit()
    page = client.get("/claims/").get_data(as_text=True)
    assert page.count("analysts disagree") == 1
    filtered = client.get("/claims/?disagreement=y").get_data(as_text=True)
    assert "Disputed claim" in filtered
    assert "Agreed claim" not in filtered and "Unrated claim" not in filtered
    found = claims.list_claims(session, claims.ClaimFilters(disagreement=True)).items
    assert [c.id for c in found] == [disputed.id]
    assert claims.beside(session, [disputed.id, agreed.id, unrated.id]).disputed == {disputed.id}
