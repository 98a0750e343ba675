"""What keeps pages cheap at a million claims gives the same answers as the slow way."""

import pytest
from sqlalchemy import select

from counterclaim.models import claim_consensus
from counterclaim.services import claims as service
from factories import make_assessment, make_claim, make_user

# Each analyst's ratings of one claim, oldest first: the latest one counts.
CONSENSUS_CASES = [
    pytest.param([[3]], id="one analyst"),
    pytest.param([[2], [4]], id="even count: mean of the middle two"),
    pytest.param([[1], [5], [2]], id="odd count: the middle one"),
    pytest.param([[6], [6]], id="only cannot-judge"),
    pytest.param([[2, 6], [4], [5, 1]], id="later ratings replace earlier ones"),
    pytest.param([[3], [6], [5], [1, 1, 2]], id="6 counted apart from the median"),
]


@pytest.mark.parametrize("ratings", CONSENSUS_CASES)
def test_the_dossier_consensus_equals_the_research_view(session, ratings):
    claim = make_claim(session)
    for series in ratings:
        analyst = make_user(session)
        for credibility in series:
            make_assessment(session, claim=claim, analyst=analyst, credibility=credibility)
    session.commit()
    row = session.execute(
        select(claim_consensus).where(claim_consensus.c.claim_id == claim.id)
    ).one()
    assert service.claim_dossier(session, claim.id).consensus == dict(row._mapping)


def test_a_claim_nobody_assessed_has_no_consensus(session):
    claim = make_claim(session)
    session.commit()
    assert service.claim_dossier(session, claim.id).consensus is None
