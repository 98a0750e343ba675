"""ClaimReview export: valid JSON-LD (expanded by pyld against a schema.org context shipped in
tests/data, no network), embedded safely in each claim page, and read back by the importer."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyld import jsonld

from conftest import ENGINES
from counterclaim.cli import main
from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.services import migrations
from counterclaim.services.exchange import jsonld as exporter
from counterclaim.services.exchange import read_plan
from factories import (
    make_actor,
    make_appearance,
    make_assessment,
    make_claim,
    make_source,
    make_tag,
    make_user,
)

DATA = Path(__file__).parent / "data" / "exchange"
SCHEMA = "http://schema.org/"
CONTEXT = json.loads((DATA / "schemaorg-context.jsonld").read_text())


def local_loader(url, _options=None):
    """Serve schema.org's context from tests/data; refuse every other address."""
    if url.rstrip("/") not in ("http://schema.org", "https://schema.org"):
        raise AssertionError(f"the test tried to fetch {url}")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": {"@context": CONTEXT["@context"]}}  # fmt: skip


def expand(document) -> list:
    """Expand with the local context; fail on any property that schema.org does not define."""
    dropped = []
    expanded = jsonld.expand(
        document, {"documentLoader": local_loader}, on_property_dropped=dropped.append
    )
    assert dropped == [], f"not schema.org terms: {dropped}"
    return expanded


def value(node, term):
    return node[SCHEMA + term][0].get("@value", node[SCHEMA + term][0].get("@id"))


@pytest.fixture
def reviewed_claim(session):
    abadi = make_actor(session, name="Haider al-Abadi", kind="person")
    claim = make_claim(session, claimant=abadi, text="ISIS is collapsing </script><b>x</b>",
                       stated_on=date(2016, 11, 27))  # fmt: skip
    speech = make_source(session, title="Address to the nation", kind="statement",
                         url="https://gov.iq/speech", published_on=date(2016, 11, 27),
                         archived_url="https://web.archive.org/web/2016/https://gov.iq/speech",
                         publisher=make_actor(session, name="Government of Iraq",
                                              kind="government"))  # fmt: skip
    make_appearance(session, claim, speech, stance="origin")
    make_appearance(session, claim, make_source(session, url="https://debka.com/733"),
                    stance="skeptical")  # fmt: skip
    make_assessment(session, claim, make_user(session), credibility=4)
    make_assessment(session, claim, make_user(session), credibility=5)
    return claim


def test_a_claims_export_is_valid_schema_org_json_ld(session, reviewed_claim):
    document = exporter.claim_review(session, reviewed_claim.id, organisation="Mosul desk",
                                     url="https://cc.example/claims/7")  # fmt: skip

    (review,) = expand(document)

    assert review["@type"] == [SCHEMA + "ClaimReview"]
    assert value(review, "claimReviewed") == reviewed_claim.text
    assert value(review, "url") == "https://cc.example/claims/7"
    rating = review[SCHEMA + "reviewRating"][0]
    assert (value(rating, "ratingValue"), value(rating, "alternateName")) == ("4.5", "Improbable")
    assert (value(rating, "bestRating"), value(rating, "worstRating")) == ("1", "5")
    assert value(review[SCHEMA + "author"][0], "name") == "Mosul desk"
    item = review[SCHEMA + "itemReviewed"][0]
    assert item["@type"] == [SCHEMA + "Claim"]
    assert value(item, "datePublished") == "2016-11-27"
    assert value(item[SCHEMA + "author"][0], "name") == "Haider al-Abadi"
    first = item[SCHEMA + "firstAppearance"][0]
    assert value(first, "url") == "https://gov.iq/speech"
    assert value(first, "archivedAt").startswith("https://web.archive.org/")
    # The skeptical source carries the claim but is not where it appeared.
    assert [value(a, "url") for a in item[SCHEMA + "appearance"]] == ["https://gov.iq/speech"]


def test_a_claim_nobody_judged_says_so_without_a_number(session):
    claim = make_claim(session)
    (review,) = expand(exporter.claim_review(session, claim.id, organisation="Desk"))
    rating = review[SCHEMA + "reviewRating"][0]
    assert value(rating, "alternateName") == "Truth cannot be judged"
    assert SCHEMA + "ratingValue" not in rating


@pytest.mark.parametrize(
    "name",
    [
        "politifact-claimreview.json",
        "afp-factuel.json",
        "snopes-graph.json",
        "maldita-es.json",
    ],  # fmt: skip
)
def test_the_fixtures_are_valid_json_ld_too(name):
    assert expand(json.loads((DATA / name).read_text(encoding="utf-8")))


def test_an_export_reads_back_as_the_same_claim_and_verdict(session, reviewed_claim):
    document = exporter.claim_review(session, reviewed_claim.id, organisation="Mosul desk")
    (record,) = read_plan(json.dumps(document).encode(), "export.json").records
    assert (record.text, record.claimant.name, record.stated_on) == (
        reviewed_claim.text, "Haider al-Abadi", date(2016, 11, 27),
    )  # fmt: skip
    assert record.reviews[0].verdict == "Improbable"
    assert [a.source.url for a in record.appearances] == ["https://gov.iq/speech"]


def test_each_claim_page_embeds_its_claimreview_safely(session, client, reviewed_claim):
    page = client.get(f"/claims/{reviewed_claim.id}").get_data(as_text=True)

    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    (block,) = blocks
    assert "</script><b>" not in block and "\\u003c/script\\u003e" in block
    document = json.loads(block)
    assert document["claimReviewed"] == reviewed_claim.text
    assert document["url"] == f"http://localhost/claims/{reviewed_claim.id}"
    expand(document)


def test_the_claim_page_embeds_the_same_claimreview_as_the_export(
    app, session, client, reviewed_claim
):
    """The page builds its review from the rows it already loaded, not by reading again:
    it must still say what the export says (latest assessment per analyst, publishers)."""
    analyst = make_user(session)
    make_assessment(session, reviewed_claim, analyst, credibility=1)
    make_assessment(session, reviewed_claim, analyst, credibility=2)  # replaces the 1
    session.commit()
    page = client.get(f"/claims/{reviewed_claim.id}").get_data(as_text=True)
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)

    url = f"http://localhost/claims/{reviewed_claim.id}"
    exported = exporter.claim_review(session, reviewed_claim.id,
                                     organisation=app.config["ORGANISATION"], url=url)  # fmt: skip
    assert json.loads(block) == exported
    assert exported["reviewRating"]["ratingValue"] == "4"  # median of 2, 4, 5
    author = exported["itemReviewed"]["firstAppearance"]["author"]
    assert author["name"] == "Government of Iraq"


@pytest.mark.parametrize("kind", ENGINES)
def test_the_cli_exports_claims_by_id_and_by_tag(database_url_factory, kind, tmp_path):
    url = database_url_factory(kind)
    engine = make_engine(url)
    try:
        migrations.upgrade(engine)
        with make_sessionmaker(engine).begin() as session:
            tag = make_tag(session, name="Mosul offensive")
            first, second = make_claim(session, tags=[tag]), make_claim(session, tags=[tag])
            ids = first.id, second.id
            text = first.text
    finally:
        engine.dispose()
    runner = CliRunner()

    alone = runner.invoke(main, ["--database", url, "export", "--claim", str(ids[0]), "-"])
    assert alone.exit_code == 1  # no stored review, and our own needs the claim's address
    assert "Our own reviews are left out" in alone.output
    one = runner.invoke(main, ["--database", url, "export", "--claim", str(ids[0]),
                               "--base-url", "https://cc.example", "-"])  # fmt: skip
    assert one.exit_code == 0, one.output
    assert json.loads(one.output)["claimReviewed"] == text

    path = tmp_path / "mosul.jsonld"
    tagged = runner.invoke(main, ["--database", url, "export", "--tag", "Mosul offensive",
                                  "--base-url", "https://cc.example/", str(path)])  # fmt: skip
    assert tagged.exit_code == 0 and "Wrote 2 ClaimReview(s)" in tagged.output
    graph = json.loads(path.read_text(encoding="utf-8"))["@graph"]
    assert [r["url"] for r in graph] == [f"https://cc.example/claims/{i}" for i in ids]
    expand(json.loads(path.read_text(encoding="utf-8")))

    missing = runner.invoke(main, ["--database", url, "export", "--claim", "987654", "-"])
    assert (missing.exit_code, missing.output) == (1, "Error: there is no claim #987654\n")
    nothing = runner.invoke(main, ["--database", url, "export", "--tag", "nowhere", "-"])
    assert nothing.output == "Error: no claim matches: nothing to export\n"
