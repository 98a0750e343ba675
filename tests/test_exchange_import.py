"""Importing into the database: what each format creates, stable keys, dry runs, all-or-nothing."""

import html
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from counterclaim.models import (
    Actor,
    Assessment,
    Claim,
    Review,
    Source,
)
from counterclaim.services.exchange import ImportRefused, read_plan, run_import
from counterclaim.services.exchange.tabular import Mapping
from counterclaim.services.exchange.verdicts import set_mapping
from factories import row_counts

DATA = Path(__file__).parent / "data" / "exchange"
NEED_A_MAPPING = {"claims-with-evidence.jsonl", "reviews-nested.jsonl", "liar-headerless.tsv"}
FIXTURES = sorted(
    p.name for p in DATA.iterdir() if p.name not in {"schemaorg-context.jsonld", *NEED_A_MAPPING}
)  # the tables with their mappings: test_exchange_shapes.py


def import_file(session, name, **options):
    plan = read_plan((DATA / name).read_bytes(), name)
    return run_import(session, plan, **options)


def import_bytes(session, data, name, mapping=None, **options):
    return run_import(session, read_plan(data, name, mapping=mapping), **options)


def claim_by_text(session, text) -> Claim:
    return session.scalars(select(Claim).where(Claim.text == text)).one()


def test_a_politifact_review_becomes_a_claim_its_sources_and_a_review(session):
    report = import_file(session, "politifact-claimreview.json")

    assert report.created == {"actors": 2, "sources": 2, "claims": 1, "claim_sources": 2,
                              "reviews": 1}  # fmt: skip
    claim = claim_by_text(
        session, "A bowl of freshly boiled garlic water cures the coronavirus overnight."
    )
    assert claim.claimant.name == "Facebook posts" and str(claim.stated_on) == "2020-02-27"
    appearances = sorted(claim.appearances, key=lambda a: a.source.url)
    assert [(a.locator, a.source.kind) for a in appearances] == [
        ("appearance", "other"), ("appearance", "other"),
    ]  # the fact-check article is the review's, never an appearance  # fmt: skip
    assert appearances[1].source.archived_url.startswith("https://web.archive.org/")
    review = session.scalars(select(Review).where(Review.claim_id == claim.id)).one()
    assert review.reviewer.name == "PolitiFact"
    assert (review.verdict, review.credibility, review.mapping_origin) == (
        "Pants on Fire!", 5, "default",  # verbatim, punctuation and case kept
    )  # fmt: skip
    assert review.url == ("https://www.politifact.com/factchecks/2020/mar/02/facebook-posts/"
                          "no-coronavirus-not-cured-bowl-boiled-garlic-water/")  # fmt: skip
    assert (str(review.review_date), review.rating) == ("2020-03-02", "0/5/0")
    assert session.scalar(select(func.count()).select_from(Assessment)) == 0  # not an analyst


@pytest.mark.parametrize(
    ("name", "credibilities"),
    [
        ("afp-factuel.json", [5, 6]),  # Faux; "Photo sortie de son contexte" is not mapped
        ("factcheck-api-response.json", [5, 5, 6, 3]),
        ("fullfact-page.html", [4, 5]),  # a sentence: "no evidence" found in it, inferred
        ("maldita-es.json", [5]),
        ("misbar-ar.html", [4]),  # مُضلِّل, with its diacritics, is مضلل: misleading
        ("snopes-graph.json", [6, 2]),
    ],
)
def test_each_verdict_is_mapped_or_kept_as_6(session, name, credibilities):
    report = import_file(session, name)
    found = list(session.scalars(select(Review.credibility).order_by(Review.id)))
    assert found[-len(credibilities) :] == credibilities
    assert report.created["reviews"] == len(credibilities)


def test_unmapped_verdicts_are_reported_and_kept_verbatim(session):
    report = import_file(session, "afp-factuel.json")
    verdict = "Photo sortie de son contexte"
    assert report.unmapped_verdicts == {verdict: 1}
    review = session.scalars(select(Review).where(Review.verdict == verdict)).one()
    assert (review.credibility, review.mapping_origin) == (6, "unmapped")


def test_the_teams_mapping_wins_over_the_default(session):
    set_mapping(session, "MISLEADING", 5, note="Our desk counts misleading as false")
    set_mapping(session, "Mostly accurate, with some exaggeration", 2)
    import_file(session, "factcheck-api-response.json")
    shields = claim_by_text(session, "ISIS fighters used civilians as human shields in Mosul")
    review = session.scalars(select(Review).where(Review.claim_id == shields.id)).one()
    assert (review.credibility, review.mapping_origin) == (2, "team")


def test_importing_everything_twice_creates_nothing_the_second_time(session):
    for name in FIXTURES:
        import_file(session, name)
    before = row_counts(session)

    reports = [import_file(session, name) for name in FIXTURES]

    assert row_counts(session) == before
    assert all(r.total_created == 0 for r in reports), [r.created for r in reports]
    assert all(r.matched["claims"] for r in reports)


def test_the_same_fact_checker_and_source_url_are_one_row_across_formats(session):
    import_file(session, "factcheck-api-response.json")  # "Full Fact" as a publisher name
    import_file(session, "fullfact-page.html")  # "Full Fact" as an Organization node
    assert session.scalar(select(func.count()).where(Actor.name == "Full Fact")) == 1
    fullfact = "https://fullfact.org/health/5G-coronavirus-symptoms/"
    reviewers = session.scalars(select(Review.reviewer_id).where(Review.url == fullfact))
    assert len(set(reviewers)) == 1  # two claims reviewed on one page, by one Full Fact
    assert session.scalar(select(func.count()).where(Source.url == fullfact)) == 0


def test_a_dry_run_writes_nothing_and_counts_exactly_what_the_import_creates(session):
    import_file(session, "politifact-claimreview.json")  # something there already
    for name in FIXTURES:
        before = row_counts(session)

        dry = import_file(session, name, dry_run=True)

        assert row_counts(session) == before
        assert not session.new and not session.dirty
        real = import_file(session, name)
        assert dry.created == real.created, name
        assert (dry.dry_run, real.dry_run) == (True, False)


BAD_CSV = (
    "text,claimant,stated_on\n"
    "Mosul airport taken,Iraqi army,2016-11-01\n"
    "No date here,Iraqi army,sometime\n"
    "ISIS retreats,PMU,2016-11-02\n"
)


def test_one_bad_record_and_nothing_is_written(session):
    before = row_counts(session)
    with pytest.raises(ImportRefused) as refused:
        import_bytes(session, BAD_CSV.encode(), "claims.csv")
    assert [str(p) for p in refused.value.report.problems] == [
        "line 3, stated_on: 'sometime' is not a date"
    ]
    assert "nothing was imported" in str(refused.value)
    assert row_counts(session) == before


def test_skip_invalid_imports_the_rest_and_lists_what_it_skipped(session):
    report = import_bytes(session, BAD_CSV.encode(), "claims.csv", skip_invalid=True)
    assert report.skipped == ["line 3"]
    assert report.created["claims"] == 2
    assert session.scalar(select(func.count()).where(Claim.text == "No date here")) == 0


def test_a_dry_run_with_problems_reports_them_and_what_the_rest_would_create(session):
    report = import_bytes(session, BAD_CSV.encode(), "claims.csv", dry_run=True)
    assert len(report.problems) == 1 and report.created["claims"] == 2
    assert row_counts(session)["claims"] == 0


def test_an_external_id_is_the_claims_key_when_given(session):
    mapping = Mapping({"external_id": "id"})
    first = "id,text,claimant\nteam-7,Mosul is encircled,PMU\n"
    import_bytes(session, first.encode(), "a.csv", mapping=mapping)
    edited = "id,text,claimant\nteam-7,Mosul is fully encircled,PMU\n"  # reworded upstream

    report = import_bytes(session, edited.encode(), "a.csv", mapping=mapping)

    assert report.created["claims"] == 0 and report.matched["claims"] == 1
    assert session.scalars(select(Claim.external_id)).all() == ["team-7"]


def test_claims_without_a_claimant_go_to_the_unknown_claimant(session):
    import_file(session, "factcheck-api-response.json")
    claim = claim_by_text(session, "El ejército iraquí tomó el 10% de Mosul")
    assert claim.claimant.name == "Unknown claimant"


def test_a_csv_of_sources_creates_sources_keyed_by_url(session):
    text = (
        "title,url,reliability,publisher\n"
        "DEBKA Weekly 733,https://debka.com/733,D,DEBKAfile\n"
        "DEBKA Weekly 733 (again),https://debka.com/733,D,DEBKAfile\n"
    )
    report = import_bytes(session, text.encode(), "s.csv", mapping=Mapping(entity="sources"))
    assert report.created["sources"] == 1
    source = session.scalars(select(Source).where(Source.url == "https://debka.com/733")).one()
    assert (source.reliability, source.publisher.name) == ("D", "DEBKAfile")


def test_a_csv_with_verdicts_creates_reviews_and_tags(session):
    text = (
        "Claim,Said by,Date,Topics,Rating,Checked by,Review\n"
        "ISIS is collapsing,Haider al-Abadi,27/11/2016,Mosul;ISIS,Mostly False,"
        "Full Fact,https://fullfact.org/x\n"
    )
    mapping = Mapping(
        {"text": "Claim", "claimant": "Said by", "stated_on": "Date", "tags": "Topics",
         "verdict": "Rating", "reviewer": "Checked by", "review_url": "Review"},
        dates="dmy",
    )  # fmt: skip
    import_bytes(session, text.encode(), "c.csv", mapping=mapping)
    claim = claim_by_text(session, "ISIS is collapsing")
    assert [t.name for t in claim.tags] == ["ISIS", "Mosul"]
    review = session.scalars(select(Review).where(Review.claim_id == claim.id)).one()
    assert (review.url, review.reviewer.name, review.credibility) == (
        "https://fullfact.org/x", "Full Fact", 4,
    )  # fmt: skip


def test_arabic_text_is_stored_and_shown_right_to_left(session, client):
    import_file(session, "misbar-ar.html")
    text = "فيديو يظهر قصفاً على مدينة الموصل هذا الأسبوع"
    claim = claim_by_text(session, text)
    assert claim.claimant.name == "حسابات على مواقع التواصل الاجتماعي"

    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)

    assert f'<blockquote class="claim-text" dir="auto">{text}</blockquote>' in page
    assert 'class="claimant" dir="auto">حسابات على مواقع التواصل الاجتماعي</a>' in page
    assert "مُضلِّل" in html.unescape(page)  # the verdict, verbatim, among the reviews
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert json.loads(block.group(1))["claimReviewed"] == text
