"""Edit conflicts never lose work: the three-way merge on save (services/claims/editing.py), on
claims and sources, through the service and through the forms."""

import json
from datetime import date

import pytest
from lxml import html

from counterclaim.services.catalogue import sources
from counterclaim.services.claims import claims
from counterclaim.services.claims.editing import EditConflict, encode_base, three_way
from factories import make_actor, make_claim, make_source, make_tag, make_user


@pytest.mark.parametrize(
    ("base", "mine", "stored", "changes", "clashes", "kept"),
    [
        # nobody changed it
        ({"a": 1}, {"a": 1}, {"a": 1}, {}, [], []),
        # only I changed it
        ({"a": 1}, {"a": 2}, {"a": 1}, {"a": 2}, [], []),
        # only they changed it: theirs stays, and is reported kept
        ({"a": 1}, {"a": 1}, {"a": 3}, {}, [], ["a"]),
        # we both made the same change
        ({"a": 1}, {"a": 2}, {"a": 2}, {}, [], []),
        # we both changed it, differently: a clash
        ({"a": 1}, {"a": 2}, {"a": 3}, {}, ["a"], []),
        # fields are decided one by one
        ({"a": 1, "b": 1}, {"a": 2, "b": 1}, {"a": 1, "b": 5}, {"a": 2}, [], ["b"]),
        # dates compare as ISO text, lists as sorted lists
        ({"d": "2016-11-27"}, {"d": date(2016, 11, 27)}, {"d": date(2016, 11, 28)}, {}, [], ["d"]),
        ({"t": [1, 2]}, {"t": [2, 1]}, {"t": [1]}, {}, [], ["t"]),
        ({"t": [1, 2]}, {"t": [1, 2, 3]}, {"t": [1]}, {}, ["t"], []),
    ],
)
def test_three_way_decides_each_field(base, mine, stored, changes, clashes, kept):
    found_changes, found_clashes, found_kept = three_way(base, mine, stored)
    assert found_changes == changes
    assert sorted(found_clashes) == clashes
    assert found_kept == kept


def test_alice_changes_the_date_after_eve_settled_it_and_both_changes_stay(session):
    eve, alice = make_user(session, display_name="Eve"), make_user(session, display_name="Alice")
    claim = make_claim(session, status="under_review")
    opened = _base(claim)  # both open the form at version 1

    session.info["user_id"] = eve.id
    claims.update_claim(
        session, claim, 1, base=opened, **_values(claim, status="settled")
    )  # fmt: skip
    session.info["user_id"] = alice.id
    alices = _values(claim, status="under_review", stated_on=date(2016, 11, 20))
    merged = claims.update_claim(session, claim, 1, base=opened, **alices)

    assert (claim.status, claim.stated_on, claim.version) == ("settled", date(2016, 11, 20), 3)
    assert merged.changed == ["stated_on"] and merged.kept_theirs == ["status"]
    assert [s.who for s in merged.saves] == ["Eve"]


def test_both_change_the_status_differently_then_nothing_is_saved_until_alice_chooses(session):
    eve = make_user(session, display_name="Eve")
    claim = make_claim(session, status="under_review", text="Mosul is defended")
    opened = _base(claim)
    session.info["user_id"] = eve.id
    claims.update_claim(session, claim, 1, base=opened, **_values(claim, status="settled"))

    mine = _values(claim, status="retracted", text="Mosul is defended well")
    with pytest.raises(EditConflict) as caught:
        claims.update_claim(session, claim, 1, base=opened, **mine)

    conflict = caught.value
    assert list(conflict.clashes) == ["status"]
    assert (conflict.clashes["status"].theirs, conflict.clashes["status"].mine) == (
        "settled",
        "retracted",
    )
    assert conflict.merged["text"] == "Mosul is defended well"  # my other change, kept
    assert conflict.saves[0].who == "Eve" and conflict.saves[0].fields == ["status"]
    assert (claim.status, claim.text, claim.version) == ("settled", "Mosul is defended", 2)

    # Alice keeps Eve's status: her text change is saved with it.
    claims.update_claim(
        session, claim, conflict.current_version, base=conflict_base(conflict),
        keep={"status"}, **mine,
    )  # fmt: skip
    assert (claim.status, claim.text) == ("settled", "Mosul is defended well")


def test_a_resave_from_the_conflict_never_reverts_what_the_saver_did_not_touch(session):
    claim = make_claim(session, status="open", text="Original")
    opened = _base(claim)
    claims.update_claim(session, claim, 1, base=opened, **_values(claim, text="Eve's text"))
    with pytest.raises(EditConflict) as caught:
        claims.update_claim(session, claim, 1, base=opened, **_values(claim, text="Alice's"))
    conflict = caught.value
    # Meanwhile a third analyst settles it.
    claims.update_claim(session, claim, 2, base=_base(claim), **_values(claim, status="settled"))

    form = conflict.merged  # what Alice's form shows now, which she saves as it is
    claims.update_claim(session, claim, conflict.current_version, base=conflict_base(conflict),
                        **form)  # fmt: skip

    assert (claim.text, claim.status) == ("Alice's", "settled")


def test_tags_merge_like_any_field(session):
    mosul, nineveh = make_tag(session), make_tag(session)
    claim = make_claim(session, text="Before")
    opened = _base(claim)
    claims.update_claim(session, claim, 1, base=opened, tags=[mosul], **_values(claim))
    claims.update_claim(session, claim, 1, base=opened, tags=[], **_values(claim, text="After"))
    assert ([t.id for t in claim.tags], claim.text) == ([mosul.id], "After")
    with pytest.raises(EditConflict):
        claims.update_claim(session, claim, 1, base=opened, tags=[nineveh], **_values(claim))


def test_a_source_edit_merges_too(session):
    source = make_source(session, title="DEBKA", reliability="D")
    opened = sources.source_values(source)
    sources.update_source(session, source, 1, base=_json(opened), **{**opened, "reliability": "E"})
    sources.update_source(session, source, 1, base=_json(opened), **{**opened, "author": "Staff"})
    assert (source.reliability, source.author) == ("E", "Staff")


def test_without_a_base_a_stale_edit_clashes_on_every_field_that_differs(session):
    claim = make_claim(session, text="Stored")
    claims.update_claim(session, claim, 1, **_values(claim, status="settled"))
    with pytest.raises(EditConflict) as caught:
        claims.update_claim(session, claim, 1, **_values(claim, status="open", text="Mine"))
    assert sorted(caught.value.clashes) == ["status", "text"]


# --- through the forms --------------------------------------------------------------------


def _form(response) -> dict:
    """The edit form's fields as a browser would post them back unchanged."""
    page = html.fromstring(response.get_data(as_text=True))
    form = page.xpath("//form[@method='post'][.//input[@name='base']]")[0]
    # A browser drops the newline that opens a textarea's content; lxml keeps it.
    return {name: value.removeprefix("\n") for name, value in form.form_values()}


def test_two_editors_in_the_forms_keep_both_changes(app, login_as, session):
    claim = make_claim(session, status="under_review", claimant=make_actor(session))
    session.commit()
    eve = login_as("editor", display_name="Eve")
    alice = login_as("editor", display_name="Alice")
    eves, alices = _form(eve.get(f"/claims/{claim.id}/edit")), _form(alice.get(
        f"/claims/{claim.id}/edit"))  # fmt: skip

    assert (
        eve.post(f"/claims/{claim.id}/edit", data=eves | {"status": "settled"}).status_code == 302
    )
    response = alice.post(
        f"/claims/{claim.id}/edit", data=alices | {"stated_on": "2016-11-20"},
        follow_redirects=True,
    )  # fmt: skip

    assert "merged with Eve" in response.get_data(as_text=True)
    session.refresh(claim)
    assert (claim.status, claim.stated_on) == ("settled", date(2016, 11, 20))


def test_the_conflict_page_names_who_saved_and_offers_a_choice(app, login_as, session):
    claim = make_claim(session, status="under_review", text="Kept text")
    session.commit()
    eve, alice = login_as("editor", display_name="Eve"), login_as("editor", display_name="Alice")
    eves, alices = _form(eve.get(f"/claims/{claim.id}/edit")), _form(alice.get(
        f"/claims/{claim.id}/edit"))  # fmt: skip
    eve.post(f"/claims/{claim.id}/edit", data=eves | {"status": "settled"})

    response = alice.post(
        f"/claims/{claim.id}/edit", data=alices | {"status": "retracted", "text": "Alice's text"}
    )

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "<strong>Eve</strong> saved at" in page
    assert 'name="keep-status" value="theirs"' in page and "settled — " in page
    again = _form(response)
    assert again["text"] == "Alice's text" and again["status"] == "retracted"
    assert again["version"] == "2"

    saved = alice.post(f"/claims/{claim.id}/edit", data=again | {"keep-status": "theirs"})

    assert saved.status_code == 302
    session.refresh(claim)
    assert (claim.status, claim.text, claim.version) == ("settled", "Alice's text", 3)


def test_a_tampered_base_is_treated_as_no_base(app, login_as, session):
    claim = make_claim(session)
    session.commit()
    client = login_as("editor")
    data = _form(client.get(f"/claims/{claim.id}/edit")) | {"base": "{not json"}
    assert client.post(f"/claims/{claim.id}/edit", data=data | {"text": "X"}).status_code == 302
    session.refresh(claim)
    assert claim.text == "X"


def test_two_editors_of_a_source_keep_both_changes(app, login_as, session):
    source = make_source(session, title="DEBKA", reliability="D")
    session.commit()
    eve, alice = login_as("editor", display_name="Eve"), login_as("editor", display_name="Alice")
    eves = _form(eve.get(f"/sources/{source.id}/edit"))
    alices = _form(alice.get(f"/sources/{source.id}/edit"))
    eve.post(f"/sources/{source.id}/edit", data=eves | {"reliability": "E"})
    response = alice.post(f"/sources/{source.id}/edit", data=alices | {"author": "Staff"})
    assert response.status_code == 302
    session.refresh(source)
    assert (source.reliability, source.author) == ("E", "Staff")


# --- helpers ------------------------------------------------------------------------------


def _values(claim, **changes) -> dict:
    values = {name: getattr(claim, name) for name in claims.CLAIM_FIELDS}
    return values | changes


def _json(values: dict) -> dict:
    return json.loads(encode_base(values))


def _base(claim) -> dict:
    return _json(claims.claim_values(claim))


def conflict_base(conflict) -> dict:
    return _json(conflict.stored)


def test_two_saves_in_the_same_instant_lose_nothing(app, login_as, session, monkeypatch):
    """The UPDATE's version check catches a save that raced past the merge (PostgreSQL)."""
    from sqlalchemy.orm.exc import StaleDataError

    claim = make_claim(session, text="Stored")
    session.commit()
    client = login_as("editor")
    form = _form(client.get(f"/claims/{claim.id}/edit"))

    def raced(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'claims' expected to update 1 row")

    monkeypatch.setattr(claims, "update_claim", raced)
    response = client.post(f"/claims/{claim.id}/edit", data=form | {"text": "Typed"})

    assert response.status_code == 409
    assert "at the same moment" in response.get_data(as_text=True)
    assert _form(response)["text"] == "Typed"
