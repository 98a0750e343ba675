"""What keeps pages cheap at a million claims gives the same answers as the slow way."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from counterclaim.models import claim_consensus
from counterclaim.services.claims import claims as service
from factories import make_actor, make_assessment, make_claim, make_link, make_tag, make_user

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
    ours = service.claim_dossier(session, claim.id).consensus
    assert dict(row._mapping).items() <= ours.items()  # every column of the view, equal
    assert ours["disagreement"] == (ours["credibility_spread"] >= 2)


def test_a_claim_nobody_assessed_has_no_consensus(session):
    claim = make_claim(session)
    session.commit()
    assert service.claim_dossier(session, claim.id).consensus is None


def test_the_home_page_shows_the_latest_contradictions(client, session):
    older = make_link(session, rationale="first clash")
    newer = make_link(session, rationale="second clash")
    session.commit()
    page = client.get("/").get_data(as_text=True)
    assert page.index(newer.from_claim.text) < page.index(older.from_claim.text)
    assert newer.to_claim.text in page and older.to_claim.text in page


@pytest.mark.parametrize(("max_age", "shown"), [(60, "1 claims"), (0, "2 claims")])
def test_the_home_page_counts_again_once_its_totals_are_old(app, client, session, max_age, shown):
    app.config["TOTALS_SECONDS"] = max_age
    make_claim(session)
    session.commit()
    client.get("/")
    make_claim(session)
    session.commit()
    text = client.get("/").get_data(as_text=True)
    assert shown in " ".join(re.sub(r"<[^>]+>", " ", text).split())


@pytest.mark.parametrize(
    ("multiple", "data"),
    [(False, None), (False, 2), (True, []), (True, [1, 3])],
    ids=["single, none chosen", "single, one chosen", "multiple, none", "multiple, two"],
)
def test_the_fast_select_renders_what_wtforms_renders(multiple, data):
    from wtforms import Form, SelectField, SelectMultipleField
    from wtforms.widgets import Select

    from counterclaim.web.fields import FastSelect, optional_int

    kind = SelectMultipleField if multiple else SelectField
    choices = {"": "Anyone", 1: "al-Abadi <PM>", 2: "ISIS & co", 3: 'say "hi"'}

    def render(widget):
        class F(Form):
            field = kind("Who", choices=choices, coerce=optional_int, widget=widget)

        form = F(data={"field": data})
        return str(form.field(size=4))

    assert render(FastSelect(multiple=multiple)) == render(Select(multiple=multiple))


@pytest.mark.parametrize("drives_below", [0, 20_000], ids=["walk the dates", "start from the tag"])
def test_a_tag_page_is_the_same_whichever_way_it_is_found(session, monkeypatch, drives_below):
    monkeypatch.setattr(service, "TAG_DRIVES_BELOW", drives_below)
    tag, actor = make_tag(session), make_actor(session)
    tagged = []
    for n in range(14):
        stated = None if n % 5 == 0 else date(2016, 1 + n % 3, 1 + n)
        claim = make_claim(session, claimant=actor, stated_on=stated, tags=[tag] if n % 3 else [])
        if n % 3:
            tagged.append(claim)
    session.commit()
    shown, cursor = [], None
    while True:
        page = service.list_claims(
            session, service.ClaimFilters(tag_id=tag.id), after=cursor, size=3
        )
        shown += [c.id for c in page.items]
        if not (cursor := page.next_cursor):
            break
    dated = sorted((c for c in tagged if c.stated_on), key=lambda c: (c.stated_on, c.id))
    undated = sorted((c.id for c in tagged if not c.stated_on), reverse=True)
    assert shown == [c.id for c in reversed(dated)] + undated
