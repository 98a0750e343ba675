"""Facets on the claims list: counts equal plain SQL counts, each value narrows the list."""

import random
import re
from collections import Counter
from datetime import date
from html import unescape

import pytest
from sqlalchemy import text

from counterclaim.services.claims import facets as service
from counterclaim.services.claims.claims import ClaimFilters, list_claims
from factories import (
    make_actor,
    make_appearance,
    make_assessment,
    make_claim,
    make_source,
    make_tag,
    make_user,
)

WORDS = ("convoy", "airstrike", "ceasefire", "offensive")


@pytest.fixture
def corpus(session):
    """Forty claims spread over claimants, tags, statuses, sources, ratings and years."""
    rng = random.Random(7)
    actors = [make_actor(session, name=f"Facet actor {n}") for n in range(3)]
    tags = [make_tag(session, name=f"facet-tag-{n}") for n in range(4)]
    sources = [make_source(session, reliability=letter) for letter in "ABDF"]
    analysts = [make_user(session) for _ in range(3)]
    for n in range(40):
        claim = make_claim(
            session, text=f"Facet claim {n} about the {rng.choice(WORDS)}",
            claimant=rng.choice(actors), tags=rng.sample(tags, rng.randint(0, 2)),
            status=rng.choice(("open", "open", "under_review", "settled", "retracted")),
            stated_on=None if n % 9 == 0 else date(rng.choice((2015, 2016, 2017)), 5, 1 + n % 28),
        )  # fmt: skip
        for source in rng.sample(sources, rng.randint(0, 2)):
            make_appearance(session, claim, source)
        for analyst in rng.sample(analysts, rng.randint(0, 3)):
            make_assessment(session, claim, analyst, credibility=rng.randint(1, 6))
    session.commit()


def facet_counts(session, filters=None, **kwargs) -> dict[str, dict[str, int]]:
    found = service.claim_facets(session, filters or ClaimFilters(), **kwargs)
    return {f.name: {v.value: v.count for v in f.values} for f in found}


def sql(session, statement: str) -> dict[str, int]:
    return {str(k): n for k, n in session.execute(text(statement)) if n}


def band(median) -> str:
    """The consensus median as a credibility code, half up (2.5 reads 3); 6 when none."""
    return "6" if median is None else str(min(5, int(median + 0.5)))


def test_each_facet_count_equals_a_plain_sql_count(session, corpus):
    counts = facet_counts(session)

    assert counts["claimant"] == sql(session, "SELECT claimant_id, COUNT(*) FROM claims GROUP BY 1")
    assert counts["tag"] == sql(session, "SELECT tag_id, COUNT(*) FROM claim_tags GROUP BY 1")
    assert counts["status"] == sql(session, "SELECT status, COUNT(*) FROM claims GROUP BY 1")
    assert counts["reliability"] == {
        letter: session.scalar(text(
            "SELECT COUNT(DISTINCT cs.claim_id) FROM claim_sources cs"
            " JOIN sources s ON s.id = cs.source_id WHERE s.reliability <= :letter"
        ), {"letter": letter})
        for letter in "ABDF"
    }  # fmt: skip
    medians = session.execute(text("SELECT claim_id, credibility_median FROM claim_consensus"))
    expected = Counter(band(median) for _claim, median in medians)
    expected["none"] = session.scalar(text(
        "SELECT COUNT(*) FROM claims WHERE id NOT IN (SELECT claim_id FROM claim_consensus)"
    ))  # fmt: skip
    assert counts["credibility"] == {k: n for k, n in expected.items() if n}
    years = Counter(
        str(stated)[:4] if stated else "none"
        for stated in session.scalars(text("SELECT stated_on FROM claims"))
    )
    assert counts["year"] == dict(years)


@pytest.mark.parametrize("code", ["1", "2", "3", "4", "5", "6", "none"])
def test_the_credibility_filter_agrees_with_the_consensus_view(session, corpus, code):
    view = dict(
        session.execute(text("SELECT claim_id, credibility_median FROM claim_consensus")).all()
    )
    expected = {
        claim_id
        for claim_id in session.scalars(text("SELECT id FROM claims"))
        if (band(view[claim_id]) if claim_id in view else "none") == code
    }
    listed = list_claims(session, ClaimFilters(credibility=code), size=200).items
    assert {claim.id for claim in listed} == expected


def test_facets_count_only_what_the_filters_match(session, corpus):
    filters = ClaimFilters(text="convoy", status="open")
    counts = facet_counts(session, filters)
    rows = session.execute(text(
        "SELECT id, claimant_id, stated_on FROM claims"
        " WHERE status = 'open' AND text LIKE '%convoy%'"
    )).all()  # fmt: skip
    assert sum(counts["status"].values()) == len(rows) == counts["status"]["open"]
    assert counts["claimant"] == dict(Counter(str(r.claimant_id) for r in rows))
    assert sum(counts["year"].values()) == len(rows)


def test_past_the_sample_the_newest_claims_are_counted_and_it_says_so(session, corpus):
    found = service.claim_facets(session, ClaimFilters(), sample=10)
    assert found.sampled and found.counted == 10
    newest = sql(
        session,
        "SELECT status, COUNT(*) FROM"
        " (SELECT status FROM claims ORDER BY id DESC LIMIT 10) AS t GROUP BY 1",
    )
    assert {v.value: v.count for v in found.facets[2].values} == newest
    assert not service.claim_facets(session, ClaimFilters(), sample=40).sampled


def _listed_count(client, url: str) -> int:
    page = client.get(url + "&per_page=200")
    assert page.status_code == 200
    rows = page.get_data(as_text=True).split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
    return rows.count("<tr")


def test_every_facet_value_is_a_link_that_narrows_the_list_to_its_count(client, session, corpus):
    page = client.get("/claims/?sort=added-desc").get_data(as_text=True)
    facets_html = page.split('class="facets"', 1)[1].split("</section>", 1)[0]
    links = re.findall(
        r'<li><a href="([^"]+)">[^<]*</a> <span class="n">([\d,]+)</span>', facets_html
    )
    assert len(links) >= 15
    for url, count in links:
        assert _listed_count(client, unescape(url)) == int(count.replace(",", "")), url


def test_facets_combine_with_each_other_and_the_filters(client, session, corpus):
    tag = session.scalar(
        text("SELECT tag_id FROM claim_tags GROUP BY tag_id ORDER BY COUNT(*) DESC")
    )
    url = f"/claims/?tag={tag}&year=2016&status=open"
    expected = session.scalar(text(
        "SELECT COUNT(*) FROM claims JOIN claim_tags ON claim_tags.claim_id = claims.id"
        " WHERE tag_id = :tag AND status = 'open'"
        " AND stated_on BETWEEN '2016-01-01' AND '2016-12-31'"
    ), {"tag": tag})  # fmt: skip
    assert _listed_count(client, url) == expected
    page = client.get(url).get_data(as_text=True)
    assert (
        'aria-label="Remove the tag filter"' in page
        and 'aria-label="Remove the stated in filter"' in page
    )


@pytest.mark.parametrize("query", ["year=16", "year=last", "credibility=7", "credibility=x"])
def test_a_bad_facet_value_is_a_400(client, query):
    response = client.get(f"/claims/?{query}")
    assert response.status_code == 400 and b'class="error"' in response.data


def test_the_sampled_notice_shows_on_the_page(client, session, corpus, monkeypatch):
    monkeypatch.setattr(service, "SAMPLE", 5)
    page = client.get("/claims/").get_data(as_text=True)
    assert "More than 5 claims match; the counts cover the 5 most recently added." in page


def test_the_facets_of_a_set_of_filters_are_counted_once_a_minute(
    app, client, session, count_queries
):
    make_claim(session, status="open")
    make_claim(session, status="settled")
    session.commit()
    app.config["FACETS_SECONDS"] = 60
    first = _statements(client, count_queries, "/claims/?status=open")
    again = _statements(client, count_queries, "/claims/?status=open")
    assert again < first  # the facets' statements are not sent again
    other = _statements(client, count_queries, "/claims/?status=settled")
    assert other == first  # other filters: their own facets
    app.config["FACETS_SECONDS"] = 0
    assert _statements(client, count_queries, "/claims/?status=open") == first


def _statements(client, count_queries, url) -> int:
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count
