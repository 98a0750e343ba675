"""Claims: the forms, the list's filters, keyset pagination, editing conflicts, deleting."""

from datetime import date

import pytest
from sqlalchemy import func, select

from counterclaim.models import Claim, ClaimSource, Source
from counterclaim.services.claims import claims as service
from factories import (
    make_actor,
    make_appearance,
    make_assessment,
    make_claim,
    make_link,
    make_note,
    make_source,
    make_tag,
)


def _valid(actor, **overrides):
    return {
        "text": "ISIS is collapsing",
        "claimant_id": str(actor.id),
        "status": "open",
    } | overrides


# ---- creating ---------------------------------------------------------------------------


def test_a_new_claim_is_saved_with_its_tags_and_first_source(client, session):
    actor, tag, source = make_actor(session), make_tag(session), make_source(session)
    session.commit()
    data = _valid(
        actor,
        stated_on="2016-11-27",
        is_verbatim="y",
        tag_ids=[str(tag.id)],
        source_id=str(source.id),
        excerpt="the whole organization collapsing",
        locator="para 2",
        stance="skeptical",
    )
    response = client.post("/claims/new", data=data)
    assert response.status_code == 302
    claim = session.scalar(select(Claim).where(Claim.text == "ISIS is collapsing"))
    assert response.location.endswith(f"/claims/{claim.id}")
    assert claim.claimant_id == actor.id and claim.stated_on == date(2016, 11, 27)
    assert claim.is_verbatim and [t.id for t in claim.tags] == [tag.id]
    appearance = session.scalar(select(ClaimSource).where(ClaimSource.claim_id == claim.id))
    assert (appearance.source_id, appearance.stance, appearance.locator) == (
        source.id,
        "skeptical",
        "para 2",
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"text": ""}, "text", "This field is required."),
        ({"text": "   "}, "text", "This field is required."),
        ({"text": "x" * 10_001}, "text", "Field cannot be longer than 10000 characters."),
        ({"claimant_id": ""}, "claimant_id", "Choose who made the claim."),
        ({"claimant_id": "999999"}, "claimant_id", "Not a valid choice."),
        ({"claimant_id": "abc"}, "claimant_id", "Choose who made the claim."),
        ({"stated_on": "27/11/2016"}, "stated_on", "Not a valid date value."),
        ({"status": "closed"}, "status", "Not a valid choice."),
        ({"tag_ids": ["424242"]}, "tag_ids", "not a valid choice"),
        ({"source_id": "{source}", "excerpt": ""}, "excerpt", "Quote the passage"),
        ({"stance": "hostile"}, "stance", "Not a valid choice."),
    ],
)
def test_an_invalid_claim_is_refused_with_the_message_next_to_its_field(
    client, session, change, field, message
):
    actor, source = make_actor(session), make_source(session)
    session.commit()
    data = _valid(actor, text="Typed text survives", stance="origin")
    data |= {
        k: (v.format(source=source.id) if isinstance(v, str) else v) for k, v in change.items()
    }
    before = session.scalar(select(func.count()).select_from(Claim))
    response = client.post("/claims/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page
    error = page.split(f'id="{field}-error">', 1)[1].split("</div>", 1)[0]
    assert message.lower() in error.lower()
    if "text" not in change:
        assert "Typed text survives" in page  # what was typed is kept
    assert session.scalar(select(func.count()).select_from(Claim)) == before


# ---- editing ----------------------------------------------------------------------------


def test_an_edit_saves_and_raises_the_version(client, session):
    claim = make_claim(session)
    session.commit()
    data = _valid(claim.claimant, text="Edited text", version=str(claim.version))
    response = client.post(f"/claims/{claim.id}/edit", data=data)
    assert response.status_code == 302
    session.refresh(claim)
    assert (claim.text, claim.version) == ("Edited text", 2)


def test_a_stale_edit_is_refused_showing_what_changed_and_overwriting_nothing(client, session):
    claim = make_claim(session, text="Original")
    session.commit()
    first = _valid(claim.claimant, text="Saved by analyst one", version="1")
    assert client.post(f"/claims/{claim.id}/edit", data=first).status_code == 302
    second = _valid(claim.claimant, text="Typed by analyst two", version="1")
    response = client.post(f"/claims/{claim.id}/edit", data=second)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "saved by someone else" in page
    assert "Saved by analyst one" in page and "Typed by analyst two" in page
    session.refresh(claim)
    assert (claim.text, claim.version) == ("Saved by analyst one", 2)
    # The form now carries the current version: saving again, knowingly, works.
    assert 'name="version" type="hidden" value="2"' in page
    again = _valid(claim.claimant, text="Typed by analyst two", version="2")
    assert client.post(f"/claims/{claim.id}/edit", data=again).status_code == 302


def test_an_edit_without_its_version_is_refused(client, session):
    claim = make_claim(session)
    session.commit()
    response = client.post(f"/claims/{claim.id}/edit", data=_valid(claim.claimant))
    assert response.status_code == 400
    session.refresh(claim)
    assert claim.version == 1


def test_changing_only_the_tags_is_an_edit_with_a_new_version(client, session):
    claim, tag = make_claim(session), make_tag(session)
    session.commit()
    data = _valid(claim.claimant, text=claim.text, version="1", tag_ids=[str(tag.id)])
    assert client.post(f"/claims/{claim.id}/edit", data=data).status_code == 302
    session.refresh(claim)
    assert [t.id for t in claim.tags] == [tag.id] and claim.version == 2


# ---- deleting ---------------------------------------------------------------------------


def test_delete_asks_for_confirmation_first(client, session):
    claim_id = make_claim(session).id
    session.commit()
    page = client.get(f"/claims/{claim_id}/delete")
    assert page.status_code == 200 and b"Delete claim" in page.data
    assert session.get(Claim, claim_id) is not None
    assert client.post(f"/claims/{claim_id}/delete").status_code == 302
    session.expunge_all()
    assert session.get(Claim, claim_id) is None


@pytest.mark.parametrize(
    "judgment",
    [
        lambda s, c: make_link(s, c, make_claim(s)),
        lambda s, c: make_link(s, make_claim(s), c, relation="supports"),
        lambda s, c: make_assessment(s, claim=c),
        lambda s, c: make_note(s, claim=c),
    ],
    ids=["contradiction", "incoming-support", "assessment", "note"],
)
def test_a_claim_with_judgments_is_not_deleted_but_retracted(client, session, judgment):
    claim = make_claim(session)
    judgment(session, claim)
    session.commit()
    response = client.post(f"/claims/{claim.id}/delete", follow_redirects=True)
    assert b"retract it instead" in response.data
    session.expire_all()
    assert session.get(Claim, claim.id) is not None


def test_deleting_a_claim_removes_its_excerpts_but_keeps_the_source(client, session):
    appearance = make_appearance(session)
    session.commit()
    claim_id, source_id = appearance.claim_id, appearance.source_id
    client.post(f"/claims/{claim_id}/delete")
    session.expunge_all()
    assert session.get(Claim, claim_id) is None
    assert session.scalar(select(func.count()).where(ClaimSource.claim_id == claim_id)) == 0
    assert session.get(Source, source_id) is not None


# ---- the list ---------------------------------------------------------------------------


@pytest.fixture
def corpus(session):
    """Claims that differ in each filtered property."""
    abadi, isis = make_actor(session, name="Haider al-Abadi"), make_actor(session, name="ISIS")
    mosul = make_tag(session, name="Mosul", kind="place")
    reliable, shaky = make_source(session, reliability="B"), make_source(session, reliability="E")
    claims = {
        "collapse": make_claim(
            session, text="ISIS is collapsing", claimant=abadi, stated_on=date(2016, 11, 27),
            tags=[mosul], status="under_review",
        ),
        "defence": make_claim(
            session, text="A competent defence of Mosul", claimant=isis,
            stated_on=date(2016, 11, 20), tags=[mosul],
        ),
        "supplies": make_claim(
            session, text="Supplies were cut", claimant=isis, stated_on=date(2016, 10, 1),
            status="settled",
        ),
        "undated": make_claim(session, text="An undated claim", claimant=abadi, stated_on=None),
    }  # fmt: skip
    make_appearance(session, claim=claims["collapse"], source=reliable)
    make_appearance(session, claim=claims["supplies"], source=shaky)
    session.commit()
    return claims, {"abadi": abadi, "isis": isis, "mosul": mosul, "reliable": reliable}


def _listed(client, query="") -> set[str]:
    response = client.get(f"/claims/?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    texts = ["ISIS is collapsing", "A competent defence of Mosul", "Supplies were cut"]
    return {t for t in texts + ["An undated claim"] if t in page}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"collapse", "defence", "supplies", "undated"}),
        ("q=collaps", {"collapse"}),
        ("q=ISIS+collapsing", {"collapse"}),
        ("q=isis", {"collapse"}),  # case-folded
        ("q=50%25", set()),  # LIKE wildcards are literal
        ("claimant={isis}", {"defence", "supplies"}),
        ("claimant_name=abad", {"collapse", "undated"}),  # part of the name, case-folded
        ("claimant_name=50%25", set()),
        ("tag={mosul}", {"collapse", "defence"}),
        ("status=settled", {"supplies"}),
        ("stated_from=2016-11-01", {"collapse", "defence"}),
        ("stated_to=2016-11-20", {"defence", "supplies"}),
        ("stated_from=2016-11-21&stated_to=2016-11-30", {"collapse"}),
        ("source={reliable}", {"collapse"}),
        ("reliability=C", {"collapse"}),
        ("reliability=E", {"collapse", "supplies"}),
        ("claimant={isis}&tag={mosul}", {"defence"}),
    ],
)
def test_each_filter_narrows_the_list(client, corpus, query, expected):
    claims, things = corpus
    ids = {name: thing.id for name, thing in things.items()}
    shown = _listed(client, query.format(**ids))
    assert shown == {claims[name].text for name in expected}


@pytest.mark.parametrize(
    "query",
    ["stated_from=yesterday", "claimant=abc", "status=closed", "source=-1", "sort=random",
     "stated_from=2016-12-01&stated_to=2016-11-01"],
)  # fmt: skip
def test_a_bad_filter_is_a_400_naming_the_problem(client, corpus, query):
    response = client.get(f"/claims/?{query}")
    assert response.status_code == 400
    assert b'class="error"' in response.data


@pytest.mark.parametrize("sort", list(service.SORTS))
def test_keyset_pages_walk_every_claim_once_in_order(client, session, sort):
    actor = make_actor(session)
    made = [
        make_claim(
            session, text=f"Paged claim {n:03}", claimant=actor,
            stated_on=None if n % 7 == 0 else date(2016, 1 + n % 12, 1 + n % 28),
        )
        for n in range(47)
    ]  # fmt: skip
    session.commit()
    seen, cursor, pages = [], None, 0
    while True:
        page = service.list_claims(
            session, service.ClaimFilters(claimant_id=actor.id), sort=sort, after=cursor, size=10
        )
        seen += [c.id for c in page.items]
        pages += 1
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert pages == 5
    assert sorted(seen) == sorted(c.id for c in made) and len(seen) == len(set(seen))
    spec = service.SORTS[sort]
    values = [getattr(session.get(Claim, i), spec.column.key) for i in seen]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=spec.descending)
    assert all(v is None for v in values[len(known) :])  # unknown dates come last


def test_the_next_page_link_follows_the_cursor(client, session):
    actor = make_actor(session)
    for n in range(15):
        make_claim(session, text=f"Numbered {n:02}", claimant=actor)
    session.commit()
    first = client.get(f"/claims/?claimant={actor.id}&per_page=10").get_data(as_text=True)
    assert first.count("Numbered ") == 10 and 'rel="next"' in first
    next_url = first.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)
    assert second.count("Numbered ") == 5 and 'rel="next"' not in second
    assert "First page" in second


# ---- query counts -----------------------------------------------------------------------


def _statements(client, count_queries, url) -> int:
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_the_claims_list_sends_the_same_number_of_statements_for_more_rows(
    app, client, session, count_queries
):
    app.config["FACETS_SECONDS"] = 0  # count the facets on both visits

    def grow(n):
        actor = make_actor(session)
        for _ in range(n):
            claim = make_claim(session, claimant=actor, tags=[make_tag(session)])
            make_link(session, claim, make_claim(session, claimant=actor))
        session.commit()

    grow(2)
    few = _statements(client, count_queries, "/claims/")
    grow(20)
    many = _statements(client, count_queries, "/claims/")
    assert few == many


def test_the_claim_page_sends_the_same_number_of_statements_for_more_related_rows(
    client, session, count_queries
):
    claim = make_claim(session)
    session.commit()

    def grow(n):
        for _ in range(n):
            other = make_claim(session)
            make_appearance(session, claim=other)
            make_link(session, claim, other)
            make_link(session, make_claim(session), claim, relation="supports")
            make_assessment(session, claim=claim)
            make_note(session, claim=claim)
            make_appearance(session, claim=claim)
        session.commit()

    grow(1)
    few = _statements(client, count_queries, f"/claims/{claim.id}")
    grow(12)
    many = _statements(client, count_queries, f"/claims/{claim.id}")
    assert few == many


def test_the_claim_page_reads_each_thing_once(client, session, count_queries):
    """Corroboration reuses the appearances and judgments the page loaded; the ancestry
    comes with its publishers. Each statement costs a round trip on PostgreSQL."""
    claim = make_claim(session)
    make_link(session, claim, make_claim(session))
    make_appearance(session, claim=claim)
    make_assessment(session, claim=claim)
    session.commit()
    with count_queries() as counter:
        assert client.get(f"/claims/{claim.id}").status_code == 200
    related = "SELECT assessments.claim_id, assessments.analyst_id, assessments.credibility FROM"
    sent = [" ".join(s.split()) for s in counter.statements]
    sent = [s for s in sent if not s.startswith(related)]  # the linked claims' consensus
    for table in ("claim_sources", "assessments", "annotations", "reviews", "claim_outcomes"):
        reads = [s for s in sent if s.startswith("SELECT") and f"FROM {table} " in s]
        assert len(reads) == 1, (table, reads)
    publishers = "SELECT sources.id, sources.publisher_id FROM sources"
    assert not [s for s in sent if s.startswith(publishers)]  # they come with the ancestry


def test_contradictions_are_counted_from_both_ends_and_only_contradictions(session):
    middle, low, high, other = (make_claim(session) for _ in range(4))
    make_link(session, low, middle)  # contradicts; middle is the `to` end
    make_link(session, middle, high)  # contradicts; middle is the `from` end
    make_link(session, middle, other, relation="supports")
    make_link(session, other, low, relation="supports")
    session.flush()

    counts = service.beside(session, [middle.id, low.id, high.id, other.id]).contradictions

    assert counts == {middle.id: 2, low.id: 1, high.id: 1}
    assert service.beside(session, []).contradictions == {}
