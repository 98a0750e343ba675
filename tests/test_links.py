"""Cross-references: linking claims through the search picker, both ends, refusals."""

import pytest
from sqlalchemy import func, select

from counterclaim.models import ClaimLink
from counterclaim.services.claims import links as service
from counterclaim.services.errors import Duplicate, NotAllowed
from factories import make_claim, make_link


def _link(client, claim, target, relation="contradicts", **extra):
    data = {"target_id": str(target.id), "relation": relation, "strength": "strong"}
    data |= {"rationale": "They cannot both be true."} | extra
    return client.post(f"/claims/{claim.id}/links/new", data=data)


@pytest.mark.parametrize("relation", ["contradicts", "duplicates"])
def test_a_symmetric_link_is_stored_once_lower_id_first(client, session, relation):
    first, second = make_claim(session), make_claim(session)
    session.commit()
    assert _link(client, second, first, relation).status_code == 302
    link = session.scalar(select(ClaimLink))
    assert (link.from_claim_id, link.to_claim_id) == (first.id, second.id)
    refused = _link(client, first, second, relation)
    assert refused.status_code == 400 and b"already linked" in refused.data
    assert session.scalar(select(func.count()).select_from(ClaimLink)) == 1


@pytest.mark.parametrize("relation", ["supports", "qualifies", "responds_to"])
def test_a_directed_link_keeps_its_direction_and_may_go_both_ways(client, session, relation):
    first, second = make_claim(session), make_claim(session)
    session.commit()
    assert _link(client, second, first, relation).status_code == 302
    assert _link(client, first, second, relation).status_code == 302
    pairs = set(session.execute(select(ClaimLink.from_claim_id, ClaimLink.to_claim_id)))
    assert pairs == {(second.id, first.id), (first.id, second.id)}
    assert _link(client, second, first, relation).status_code == 400


def test_a_contradiction_is_shown_side_by_side_from_both_ends(client, session):
    claim = make_claim(session, text="ISIS is collapsing")
    counter = make_claim(session, text="ISIS shows a competent defence")
    make_link(session, claim, counter, rationale="Cannot both hold")
    session.commit()
    for here, there in ((claim, counter), (counter, claim)):
        page = client.get(f"/claims/{here.id}").get_data(as_text=True)
        versus = page.split('id="counterclaims"', 1)[1].split("</section>", 1)[0]
        assert 'class="versus"' in versus
        assert here.text in versus and there.text in versus and "Cannot both hold" in versus
        assert here.claimant.name in versus and there.claimant.name in versus


def test_supports_and_qualifies_are_listed_below_from_the_right_side(client, session):
    claim = make_claim(session, text="The main claim")
    backer = make_claim(session, text="Backing evidence")
    caveat = make_claim(session, text="A caveat")
    make_link(session, backer, claim, relation="supports")
    make_link(session, caveat, claim, relation="qualifies")
    session.commit()
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Supported by" in page and "Backing evidence" in page
    assert "Qualified by" in page and "A caveat" in page
    backer_page = client.get(f"/claims/{backer.id}").get_data(as_text=True)
    assert "This claim supports" in backer_page and "The main claim" in backer_page


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"target_id": ""}, b"Search for the other claim and choose it."),
        ({"target_id": "999999"}, b"no longer exists"),
        ({"relation": ""}, b"Choose how the claims relate."),
        ({"relation": "refutes"}, b"Not a valid choice"),
        ({"strength": "total"}, b"Not a valid choice"),
        ({"rationale": " "}, b"Say why the claims are linked."),
    ],
)
def test_a_bad_link_form_is_refused_with_the_reason(client, session, data, field_message):
    claim, other = make_claim(session), make_claim(session)
    session.commit()
    form = {"target_id": str(other.id), "relation": "contradicts", "strength": "strong"}
    form |= {"rationale": "why"} | data
    response = client.post(f"/claims/{claim.id}/links/new", data=form)
    assert response.status_code == 400 and field_message in response.data
    assert session.scalar(select(func.count()).select_from(ClaimLink)) == 0


def test_a_claim_cannot_be_linked_to_itself(client, session):
    claim = make_claim(session)
    session.commit()
    response = _link(client, claim, claim)
    assert response.status_code == 400 and b"cannot be linked to itself" in response.data
    with pytest.raises(NotAllowed):
        service.link_claims(session, claim, claim, "supports")


def test_the_service_refuses_a_reversed_duplicate(session):
    first, second = make_claim(session), make_claim(session)
    service.link_claims(session, first, second, "contradicts")
    with pytest.raises(Duplicate):
        service.link_claims(session, second, first, "contradicts")


def test_the_picker_finds_claims_by_part_of_their_text(client, session):
    claim = make_claim(session, text="ISIS is collapsing")
    make_claim(session, text="A highly COMPETENT defence infrastructure")
    make_claim(session, text="Supplies flow freely")
    session.commit()
    page = client.get(f"/claims/picker?q=competent+defence&exclude={claim.id}")
    assert b"A highly COMPETENT defence infrastructure" in page.data
    assert b"Supplies flow" not in page.data and b'name="target_id"' in page.data
    own = client.get(f"/claims/picker?q=collapsing&exclude={claim.id}")
    assert b"ISIS is collapsing" not in own.data and b"No claim contains" in own.data


def test_the_link_page_searches_without_script(client, session):
    claim = make_claim(session)
    make_claim(session, text="The Peshmerga turned back")
    session.commit()
    page = client.get(f"/claims/{claim.id}/links/new?q=peshmerga&rationale=kept")
    assert page.status_code == 200
    assert b"The Peshmerga turned back" in page.data and b"kept</textarea>" in page.data


def test_unlinking_asks_first_then_removes_only_the_link(client, session):
    link = make_link(session)
    session.commit()
    claim_id, link_id = link.from_claim_id, link.id
    assert client.get(f"/claims/{claim_id}/links/{link_id}/delete").status_code == 200
    assert client.post(f"/claims/{claim_id}/links/{link_id}/delete").status_code == 302
    session.expunge_all()
    assert session.get(ClaimLink, link_id) is None


@pytest.mark.parametrize(
    ("first", "second"),
    [("contradicts", "qualifies"), ("supports", "responds_to"), ("duplicates", "contradicts")],
)
def test_two_claims_may_be_linked_by_two_different_relations(session, first, second):
    one, other = make_claim(session), make_claim(session)
    a = service.link_claims(session, one, other, first)
    b = service.link_claims(session, one, other, second)
    assert {a.relation, b.relation} == {first, second} and a.id != b.id
    with pytest.raises(Duplicate):
        service.link_claims(session, one, other, second)
