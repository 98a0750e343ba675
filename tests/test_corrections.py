"""Mistakes correctable (issue 13, item 7): notes edited and deleted, assessments recorded
anew from the last one or withdrawn, links and appearances changed, tags added by analysts;
all audited, under the ownership rules, and merged like any edit."""

import pytest
from lxml import html
from sqlalchemy import select

from counterclaim.models import Annotation, Revision, Tag
from counterclaim.services.claims import claims, evidence, links
from counterclaim.services.claims.editing import EditConflict
from counterclaim.services.errors import Duplicate, NotAllowed, StaleEdit
from factories import (
    make_appearance,
    make_assessment,
    make_claim,
    make_link,
    make_note,
    make_source,
    make_tag,
    make_user,
)


def _form(response) -> dict:
    page = html.fromstring(response.get_data(as_text=True))
    form = page.xpath("//form[@method='post'][.//input[@name='version']]")[0]
    return {name: value.removeprefix("\n") for name, value in form.form_values()}


def _actions(session, entity: str, entity_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Revision.action)
            .where(Revision.entity == entity, Revision.entity_id == entity_id)
            .order_by(Revision.id)
        )
    )


# --- notes --------------------------------------------------------------------------------


def test_an_analyst_edits_and_deletes_their_own_note(login_as, session):
    analyst = login_as("analyst")
    note = make_note(session, author=analyst.user, body="Said on the *sixth* week.")
    session.commit()

    form = _form(analyst.get(f"/notes/{note.id}/edit"))
    response = analyst.post(f"/notes/{note.id}/edit", data=form | {"body": "The seventh week."})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/claims/{note.claim_id}#notes")
    session.refresh(note)
    assert (note.body, note.version) == ("The seventh week.", 2)
    assert analyst.post(f"/notes/{note.id}/delete").status_code == 302
    note_id = note.id
    session.expire_all()
    assert session.scalar(select(Annotation).where(Annotation.id == note_id)) is None
    assert _actions(session, "annotations", note_id) == ["create", "update", "delete"]


def test_an_analyst_may_not_touch_anothers_note_but_an_editor_may(login_as, session):
    note = make_note(session, body="Not yours.")
    session.commit()
    stranger = login_as("analyst")
    assert stranger.get(f"/notes/{note.id}/edit").status_code == 403
    assert stranger.post(f"/notes/{note.id}/delete").status_code == 403
    editor = login_as("editor")
    form = _form(editor.get(f"/notes/{note.id}/edit"))
    assert editor.post(f"/notes/{note.id}/edit", data=form | {"body": "Fixed."}).status_code == 302


def test_an_empty_note_is_refused_beside_the_field_keeping_nothing_lost(login_as, session):
    analyst = login_as("analyst")
    note = make_note(session, author=analyst.user, body="Keep me.")
    session.commit()
    form = _form(analyst.get(f"/notes/{note.id}/edit"))
    response = analyst.post(f"/notes/{note.id}/edit", data=form | {"body": "  "})
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    assert 'href="#body">Write the note.' in response.get_data(as_text=True)


def test_a_source_note_is_edited_too(login_as, session):
    editor = login_as("editor")
    note = make_note(session, source=make_source(session), author=editor.user)
    session.commit()
    form = _form(editor.get(f"/notes/{note.id}/edit"))
    response = editor.post(f"/notes/{note.id}/edit", data=form | {"body": "On the source."})
    assert response.headers["Location"].endswith(f"/sources/{note.source_id}")


def test_two_edits_of_a_note_clash_and_nothing_is_lost(login_as, session):
    editor, other = login_as("editor"), login_as("editor")
    note = make_note(session, body="Start.")
    session.commit()
    mine, theirs = _form(editor.get(f"/notes/{note.id}/edit")), _form(
        other.get(f"/notes/{note.id}/edit"))  # fmt: skip
    other.post(f"/notes/{note.id}/edit", data=theirs | {"body": "Theirs."})
    response = editor.post(f"/notes/{note.id}/edit", data=mine | {"body": "Mine."})
    assert response.status_code == 409
    assert _form(response)["body"] == "Mine."
    session.refresh(note)
    assert note.body == "Theirs."


# --- assessments --------------------------------------------------------------------------


def test_a_new_assessment_is_prefilled_from_the_analysts_standing_one(login_as, session):
    analyst = login_as("analyst")
    claim = make_claim(session)
    make_assessment(session, claim, analyst.user, credibility=2, rationale="Old reasons.")
    make_assessment(session, claim, analyst.user, credibility=4, rationale="Newer reasons.")
    make_assessment(session, claim, credibility=1, rationale="Someone else's.")
    session.commit()

    form = _form_with_fields(analyst.get(f"/claims/{claim.id}/assessments/new"))

    assert (form["credibility"], form["rationale"]) == ("4", "Newer reasons.")


def _form_with_fields(response) -> dict:
    page = html.fromstring(response.get_data(as_text=True))
    form = page.xpath("//form[@method='post'][.//textarea]")[0]
    return {name: value.removeprefix("\n") for name, value in form.form_values()}


def test_withdrawing_keeps_the_row_and_leaves_it_out_of_the_consensus(login_as, session):
    analyst = login_as("analyst")
    claim = make_claim(session)
    make_assessment(session, claim, analyst.user, credibility=2)
    newest = make_assessment(session, claim, analyst.user, credibility=5)
    make_assessment(session, claim, credibility=1)
    session.commit()
    assert claims.claim_dossier(session, claim.id).consensus["credibility_median"] == 3.0
    assert claims.beside(session, [claim.id]).disputed == {claim.id}

    page = analyst.get(f"/claims/{claim.id}/assessments/{newest.id}/withdraw")
    assert page.status_code == 200 and "Withdraw this assessment" in page.get_data(as_text=True)
    response = analyst.post(
        f"/claims/{claim.id}/assessments/{newest.id}/withdraw", data={"version": "1"}
    )

    assert response.status_code == 302
    session.refresh(newest)
    assert newest.withdrawn_at is not None and newest.withdrawn_by == analyst.user.id
    dossier = claims.claim_dossier(session, claim.id)
    assert sorted(a.credibility for a in dossier.current_assessments) == [1, 2]
    assert dossier.consensus["credibility_median"] == 1.5
    assert claims.beside(session, [claim.id]).disputed == set()  # 1 and 2: no longer 2 apart
    assert claims.claims_with_band  # the band filter uses the same standing rule
    assert _actions(session, "assessments", newest.id) == ["create", "update"]
    shown = analyst.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "(withdrawn " in shown


def test_withdrawn_is_left_out_of_the_list_filters(session):
    claim = make_claim(session)
    only = make_assessment(session, claim, credibility=2)
    evidence.withdraw_assessment(session, only, only.analyst, 1)
    matching = session.scalars(
        select(claims.Claim.id).where(claims.claims_with_band("none"), claims.Claim.id == claim.id)
    ).all()
    assert matching == [claim.id]  # no standing assessment: "not assessed"


def test_another_analysts_assessment_cannot_be_withdrawn(login_as, session):
    assessment = make_assessment(session)
    session.commit()
    stranger = login_as("analyst")
    url = f"/claims/{assessment.claim_id}/assessments/{assessment.id}/withdraw"
    assert stranger.post(url, data={"version": "1"}).status_code == 403
    session.refresh(assessment)
    assert assessment.withdrawn_at is None


def test_a_withdrawal_is_refused_twice_and_when_stale(session):
    assessment = make_assessment(session)
    with pytest.raises(StaleEdit):
        evidence.withdraw_assessment(session, assessment, assessment.analyst, 7)
    evidence.withdraw_assessment(session, assessment, assessment.analyst, 1)
    with pytest.raises(NotAllowed):
        evidence.withdraw_assessment(session, assessment, assessment.analyst, 2)


# --- links --------------------------------------------------------------------------------


def test_a_link_changes_its_relation_strength_and_rationale(login_as, session):
    analyst = login_as("analyst")
    first, second = make_claim(session), make_claim(session)
    link = make_link(session, second, first, relation="supports", created_by=analyst.user.id)
    session.commit()

    form = _form(analyst.get(f"/claims/{first.id}/links/{link.id}/edit"))
    change = {"relation": "contradicts", "strength": "strong", "rationale": "It denies it."}
    response = analyst.post(f"/claims/{first.id}/links/{link.id}/edit", data=form | change)

    assert response.status_code == 302
    session.refresh(link)
    # contradicts is symmetric: stored once, lower id first
    assert (link.from_claim_id, link.to_claim_id) == (first.id, second.id)
    assert (link.relation, link.strength, link.rationale) == (
        "contradicts",
        "strong",
        "It denies it.",
    )
    assert _actions(session, "claim_links", link.id) == ["create", "update"]


def test_a_link_change_that_would_duplicate_another_is_refused_beside_the_field(login_as, session):
    editor = login_as("editor")
    first, second = make_claim(session), make_claim(session)
    make_link(session, first, second, relation="contradicts")
    link = make_link(session, first, second, relation="supports")
    session.commit()
    form = _form(editor.get(f"/claims/{first.id}/links/{link.id}/edit"))
    response = editor.post(
        f"/claims/{first.id}/links/{link.id}/edit",
        data=form | {"relation": "contradicts", "rationale": "Denies it."},
    )
    assert response.status_code == 400
    assert "already linked" in response.get_data(as_text=True)
    session.refresh(link)
    assert link.relation == "supports"


def test_update_link_refuses_an_unknown_relation(session):
    link = make_link(session)
    with pytest.raises(NotAllowed):
        links.update_link(session, link, 1, relation="sort_of")


def test_a_stale_link_edit_merges(session):
    link = make_link(session, rationale="First.")
    base = {"relation": "contradicts", "strength": "moderate", "rationale": "First."}
    links.update_link(session, link, 1, base=base, **(base | {"strength": "weak"}))
    links.update_link(session, link, 1, base=base, **(base | {"rationale": "Second."}))
    assert (link.strength, link.rationale) == ("weak", "Second.")
    with pytest.raises(EditConflict):
        links.update_link(session, link, 1, base=base, **(base | {"strength": "strong"}))


# --- appearances --------------------------------------------------------------------------


def test_an_appearance_is_corrected(login_as, session):
    analyst = login_as("analyst")
    appearance = make_appearance(session, created_by=analyst.user.id)
    session.commit()
    url = f"/claims/{appearance.claim_id}/sources/{appearance.id}/edit"
    form = _form(analyst.get(url))
    change = {"excerpt": "the exact words", "locator": "para 4", "stance": "skeptical"}
    assert analyst.post(url, data=form | change).status_code == 302
    session.refresh(appearance)
    assert (appearance.excerpt, appearance.locator, appearance.stance) == (
        "the exact words",
        "para 4",
        "skeptical",
    )
    assert login_as("analyst").get(url).status_code == 403  # not theirs


def test_an_appearance_cannot_take_the_locator_of_another_of_the_same_source(session):
    claim, source = make_claim(session), make_source(session)
    make_appearance(session, claim, source, locator="para 2")
    other = make_appearance(session, claim, source, locator="para 3")
    with pytest.raises(Duplicate):
        evidence.update_appearance(
            session, other, 1, excerpt="x", locator="para 2", stance="neutral"
        )


# --- tags ---------------------------------------------------------------------------------


def test_an_analyst_adds_a_tag_but_only_an_editor_renames_it(login_as, session):
    analyst = login_as("analyst")
    response = analyst.post("/tags/new", data={"name": "Qayyarah", "kind": "place"})
    assert response.status_code == 302
    tag = session.scalar(select(Tag).where(Tag.name == "Qayyarah"))
    assert analyst.get(f"/tags/{tag.id}/edit").status_code == 403
    assert (
        login_as("viewer").post("/tags/new", data={"name": "X", "kind": "place"}).status_code == 403
    )


def test_the_claim_page_offers_corrections_only_to_who_may(login_as, session):
    analyst = login_as("analyst")
    claim = make_claim(session)
    make_note(session, claim, analyst.user)
    make_note(session, claim, make_user(session))
    make_assessment(session, claim, analyst.user)
    session.commit()
    page = analyst.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert page.count('/edit">edit') == 1  # their own note only
    assert page.count("/withdraw") == 1


def test_an_editor_merges_a_tag_into_another_recorded_in_each_claims_history(login_as, session):
    editor = login_as("editor")
    mosul, duplicate = make_tag(session, name="Mosul"), make_tag(session, name="mosul city")
    both = make_claim(session, tags=[mosul, duplicate])
    only = make_claim(session, tags=[duplicate])
    session.commit()
    duplicate_id = duplicate.id
    page = editor.get(f"/tags/{duplicate_id}/merge").get_data(as_text=True)
    assert "The 2 claims filed under" in page

    response = editor.post(f"/tags/{duplicate_id}/merge", data={"into_id": str(mosul.id)})

    assert response.status_code == 302
    session.expire_all()
    assert session.scalar(select(Tag).where(Tag.id == duplicate_id)) is None
    assert [t.id for t in session.get(claims.Claim, both.id).tags] == [mosul.id]
    assert [t.id for t in session.get(claims.Claim, only.id).tags] == [mosul.id]
    assert _actions(session, "claims", only.id)[-1] == "merge"


def test_a_tag_merge_needs_a_choice_and_an_editor(login_as, session):
    tag = make_tag(session)
    session.commit()
    response = login_as("editor").post(f"/tags/{tag.id}/merge", data={"into_id": ""})
    assert response.status_code == 400 and "Choose the tag to keep." in response.get_data(
        as_text=True
    )
    assert login_as("analyst").get(f"/tags/{tag.id}/merge").status_code == 403
