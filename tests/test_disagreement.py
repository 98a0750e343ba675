"""Disagreement on the claims list agrees with the research view, without reading it."""

import pytest
from sqlalchemy import select

from counterclaim.models import claim_consensus
from counterclaim.services.claims import claims as service
from factories import make_actor, make_assessment, make_claim, make_user

# Each case: the ratings in the order they were made, as (analyst, credibility).
CASES = {
    "two analysts two apart": [(0, 2), (1, 4)],
    "one apart": [(0, 2), (1, 3)],
    "re-rated closer": [(0, 1), (1, 4), (0, 3)],
    "re-rated apart": [(0, 3), (1, 3), (1, 5)],
    "cannot judge is left out": [(0, 1), (1, 6)],
    "one analyst changing mind": [(0, 1), (0, 5)],
    "three analysts, outer two apart": [(0, 2), (1, 3), (2, 4)],
    "nobody": [],
}


@pytest.fixture
def rated(session):
    analysts = [make_user(session) for _ in range(3)]
    actor = make_actor(session)
    claims = {}
    for name, ratings in CASES.items():
        claim = make_claim(session, text=f"Case {name}", claimant=actor)
        for analyst, credibility in ratings:
            make_assessment(
                session, claim=claim, analyst=analysts[analyst], credibility=credibility
            )
        claims[name] = claim
    session.commit()
    return actor, claims


def test_the_page_and_the_filter_agree_with_the_view(session, rated):
    actor, claims = rated
    by_view = set(
        session.scalars(
            select(claim_consensus.c.claim_id).where(claim_consensus.c.disagreement.is_(True))
        )
    )
    ids = [claim.id for claim in claims.values()]
    assert service.beside(session, ids).disputed == by_view & set(ids)
    page = service.list_claims(
        session, service.ClaimFilters(claimant_id=actor.id, disagreement=True), size=50
    )
    assert {claim.id for claim in page.items} == by_view & set(ids)
    expected = {"two analysts two apart", "re-rated apart", "three analysts, outer two apart"}
    assert {name for name, claim in claims.items() if claim.id in by_view} == expected
