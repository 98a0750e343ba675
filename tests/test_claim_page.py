"""The claim page shows the argument: the claim once, each counterclaim beside it with
its own consensus, and the consensus in words near the top."""

import pytest

from counterclaim.services.claims.consensus import meaning
from factories import make_appearance, make_assessment, make_claim, make_link, make_user


def test_the_claim_is_shown_once_however_many_counterclaims(client, session):
    claim = make_claim(session, text="Mosul airport is under government control")
    others = [make_claim(session, text=f"Counterclaim {n}") for n in range(4)]
    for other in others:
        make_link(session, claim, other, rationale=f"Rationale for {other.text}")
    session.commit()
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True).split("<main", 1)[1]
    assert page.count("Mosul airport is under government control") == 1
    for other in others:
        assert other.text in page and f"Rationale for {other.text}" in page


def test_each_counterclaim_carries_its_consensus_and_sources(client, session):
    claim = make_claim(session)
    other = make_claim(session, text="The airport still holds out")
    make_appearance(session, claim=other, excerpt="fighting continues at the airport")
    make_link(session, claim, other, strength="strong")
    make_assessment(session, other, make_user(session), credibility=4)
    make_assessment(session, other, make_user(session), credibility=5)
    session.commit()
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    counter = page.split('class="side other-side"', 1)[1]
    assert "fighting continues at the airport" in counter
    assert "strong link" in counter
    assert 'title="Consensus credibility 4.5: between doubtful (4) and improbable (5)' in counter


@pytest.mark.parametrize(
    ("median", "words"),
    [(1.0, "Confirmed by other sources"), (4.5, "between doubtful (4) and improbable (5)"),
     (None, "Truth cannot be judged")],
)  # fmt: skip
def test_a_median_is_said_in_words(median, words):
    assert meaning(median) == words
