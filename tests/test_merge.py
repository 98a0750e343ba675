"""Merging duplicate claims: B's links, sources, assessments, notes and tags move to A in
one transaction, without duplicate or self links; B stays as a duplicates record."""

import pytest
from sqlalchemy import or_, select

from counterclaim.models import Annotation, Assessment, ClaimLink, ClaimSource, Revision
from counterclaim.services.claims import merging
from counterclaim.services.errors import NotAllowed
from factories import (
    make_appearance,
    make_assessment,
    make_claim,
    make_link,
    make_note,
    make_source,
    make_tag,
)


def links_of(session, claim_id):
    return {
        (link.from_claim_id, link.to_claim_id, link.relation)
        for link in session.scalars(
            select(ClaimLink).where(
                or_(ClaimLink.from_claim_id == claim_id, ClaimLink.to_claim_id == claim_id)
            )
        )
    }


@pytest.fixture
def pair(session):
    """A (kept) and B (its duplicate), each with evidence, some of it shared."""
    mosul, isis = make_tag(session, name="Mosul"), make_tag(session, name="ISIS")
    keep = make_claim(session, text="ISIS is collapsing.", tags=[mosul])
    duplicate = make_claim(session, text="ISIS is collapsing!", tags=[mosul, isis])
    x, y, z = make_claim(session), make_claim(session), make_claim(session)
    article, video = make_source(session), make_source(session)
    make_link(session, keep, x, relation="contradicts")
    make_link(session, duplicate, x, relation="contradicts")  # the same link: dropped
    make_link(session, duplicate, y, relation="supports")  # moved
    make_link(session, z, duplicate, relation="responds_to")  # moved, direction kept
    make_link(session, keep, duplicate, relation="qualifies")  # would be a self link
    make_appearance(session, keep, article, locator="para 1")
    make_appearance(session, duplicate, article, locator="para 1")  # dropped
    make_appearance(session, duplicate, video, locator="00:10")  # moved
    make_assessment(session, duplicate, credibility=4)
    make_note(session, duplicate, body="Same words, other outlet.")
    session.commit()
    return keep, duplicate, {"x": x, "y": y, "z": z, "mosul": mosul, "isis": isis}


def test_merge_moves_everything_without_duplicate_or_self_links(session, pair):
    keep, duplicate, other = pair
    report = merging.merge_claims(session, keep, duplicate)

    assert links_of(session, keep.id) == {
        (keep.id, other["x"].id, "contradicts"),
        (keep.id, other["y"].id, "supports"),
        (other["z"].id, keep.id, "responds_to"),
        (keep.id, duplicate.id, "duplicates"),
    }
    assert links_of(session, duplicate.id) == {(keep.id, duplicate.id, "duplicates")}
    appearances = session.scalars(select(ClaimSource).where(ClaimSource.claim_id == keep.id))
    assert sorted(a.locator for a in appearances) == ["00:10", "para 1"]
    assert session.scalar(select(Assessment.claim_id)) == keep.id
    assert session.scalar(select(Annotation.claim_id)) == keep.id
    assert sorted(t.name for t in keep.tags) == ["ISIS", "Mosul"] and duplicate.tags == []
    assert duplicate.status == "retracted"
    assert report.moved == {"links": 2, "appearances": 1, "assessments": 1, "notes": 1,
                            "tags": 1}  # fmt: skip
    assert report.dropped == {"links": 2, "appearances": 1}


def test_merge_is_recorded_in_revisions(session, pair):
    keep, duplicate, _other = pair
    merging.merge_claims(session, keep, duplicate)
    actions = {
        (r.entity, r.action)
        for r in session.scalars(select(Revision).where(Revision.id > 0))
        if r.action in ("merge", "delete") or r.changes.get("relation") == [None, "duplicates"]
    }
    assert {("claims", "merge"), ("claim_links", "merge"), ("claim_sources", "merge"),
            ("assessments", "merge"), ("annotations", "merge"), ("claim_links", "delete"),
            ("claim_sources", "delete"), ("claim_links", "create")} <= actions  # fmt: skip


def test_merging_through_the_web_is_one_step_for_an_editor(client, session, pair):
    keep, duplicate, _other = pair
    page = client.get(f"/claims/{keep.id}/merge?duplicate_id={duplicate.id}")
    assert page.status_code == 200 and b"ISIS is collapsing!" in page.data
    response = client.post(f"/claims/{keep.id}/merge", data={"duplicate_id": duplicate.id})
    assert response.status_code == 302
    session.refresh(duplicate)
    assert duplicate.status == "retracted"
    detail = client.get(f"/claims/{keep.id}").get_data(as_text=True)
    assert "Duplicates" in detail and f"Merged claim #{duplicate.id} into this one" in detail


@pytest.mark.parametrize(
    ("target", "message"),
    [("self", "into itself"), (987654, "There is no claim #987654")],
)
def test_merge_refusals_say_why_and_change_nothing(client, session, pair, target, message):
    keep, duplicate, _other = pair
    target = keep.id if target == "self" else target
    response = client.post(f"/claims/{keep.id}/merge", data={"duplicate_id": target})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    session.refresh(duplicate)
    assert duplicate.status == "open"


def test_merging_back_the_other_way_is_refused(session, pair):
    keep, duplicate, _other = pair
    merging.merge_claims(session, keep, duplicate)
    duplicate.status, keep.status = "open", "retracted"
    session.flush()
    with pytest.raises(NotAllowed, match="itself merged"):
        merging.merge_claims(session, keep, duplicate)


def test_an_analyst_may_not_merge(login_as, pair):
    keep, duplicate, _other = pair
    analyst = login_as("analyst")
    assert (
        analyst.post(f"/claims/{keep.id}/merge", data={"duplicate_id": duplicate.id}).status_code
        == 403
    )
