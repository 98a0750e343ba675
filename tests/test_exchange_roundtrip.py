"""The ClaimReview round trip, and the import options, as a user types them.

Export → import into a fresh database → export again: the fact-checkers' reviews come
out identical, our own review is recognised and skipped, re-importing creates nothing.
"""

import json
from pathlib import Path

import pytest

from conftest import ENGINES
from counterclaim.db import make_engine
from counterclaim.services import migrations
from factories import run_cli

DATA = Path(__file__).parent / "data" / "exchange"
BASE = "https://cc.example"


@pytest.fixture(params=ENGINES)
def fresh(request, database_url_factory):
    """Make migrated, empty databases of one kind."""

    def make() -> str:
        url = database_url_factory(request.param)
        engine = make_engine(url)
        migrations.upgrade(engine)
        engine.dispose()
        return url

    return make


run = run_cli


def stored_reviews(path: Path) -> list[dict]:
    """The fact-checkers' reviews of an export, in a stable order (our own left out)."""
    graph = json.loads(path.read_text(encoding="utf-8"))["@graph"]
    theirs = [r for r in graph if r["author"]["name"] != "Counterclaim"]
    return sorted(theirs, key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False))


def test_export_import_export_keeps_every_review_whole(fresh, tmp_path):
    first, second = fresh(), fresh()
    for name in ("factcheck-api-claims-array.json", "politifact-claimreview.json",
                 "misbar-ar.html"):  # fmt: skip
        assert run(first, "import", str(DATA / name))[0] == 0
    exported = tmp_path / "first.jsonld"
    code, output = run(first, "export", str(exported), "--base-url", BASE)
    assert code == 0, output

    graph = json.loads(exported.read_text(encoding="utf-8"))["@graph"]
    ours = [r for r in graph if r["author"]["name"] == "Counterclaim"]
    theirs = [r for r in graph if r["author"]["name"] != "Counterclaim"]
    assert len(theirs) == 6 and len(ours) == 5  # one own review per claim
    assert all(r["url"].startswith(f"{BASE}/claims/") for r in ours)
    politifact = next(r for r in theirs if r["author"]["name"] == "PolitiFact")
    assert politifact["reviewRating"] == {"@type": "Rating", "alternateName": "Pants on Fire!",
                                          "ratingValue": "0", "bestRating": "5",
                                          "worstRating": "0"}  # fmt: skip
    assert politifact["datePublished"] == "2020-03-02"
    assert "politifact.com" not in json.dumps(politifact["itemReviewed"])  # not an appearance

    code, output = run(second, "import", str(exported))
    assert code == 0 and "Recognised 5 review(s) of our own and skipped them." in output, output
    again = tmp_path / "second.jsonld"
    assert run(second, "export", str(again), "--base-url", BASE)[0] == 0
    assert stored_reviews(again) == stored_reviews(exported)

    code, output = run(first, "import", str(exported))
    assert code == 0 and output.startswith("Created nothing: everything is already there."), output


def test_without_an_address_our_own_review_is_left_out_and_said_so(fresh, tmp_path):
    url = fresh()
    run(url, "import", str(DATA / "factcheck-api-claims-array.json"))
    code, output = run(url, "export", str(tmp_path / "out.jsonld"))
    assert code == 0
    assert output.splitlines()[0] == (
        "Our own reviews are left out: they need the claims' address (--base-url or "
        "COUNTERCLAIM_BASE_URL)."
    )
    graph = json.loads((tmp_path / "out.jsonld").read_text(encoding="utf-8"))["@graph"]
    assert len(graph) == 4 and all(r["author"]["name"] != "Counterclaim" for r in graph)


def test_the_import_options_on_the_command_line(fresh):
    url = fresh()
    code, output = run(
        url, "import", str(DATA / "liar-headerless.tsv"), "--no-header",
        "--column", "external_id=1", "--column", "verdict=2", "--column", "text=3",
        "--column", "claimant=5", "--column", "note=9",
        "--set", "reviewer=PolitiFact", "--add-tag", "liar", "--add-tag", "sample",
    )  # fmt: skip
    assert code == 0, output
    assert output.startswith(
        "Created 5 actors, 1 users, 2 tags, 4 claims, 4 reviews, 4 annotations"
    )

    code, output = run(
        url, "import", str(DATA / "claims-with-evidence.jsonl"), "--entity", "links",
        "--each", "evidence", "--column", "from_text=claim", "--column", "to_text=@.sentence",
        "--column", "to_source_url=@.url", "--column", "relation=@.stance",
    )  # fmt: skip
    assert code == 0 and "6 claim_links" in output and "1 evidence item(s)" in output, output


def test_verdicts_unmapped_then_set_then_reapply(fresh):
    url = fresh()
    run(url, "import", str(DATA / "factcheck-api-response.json"))
    code, output = run(url, "verdicts", "unmapped")
    assert code == 0
    assert (
        output.splitlines()[0] == "     1  Mostly accurate, with some exaggeration  (1 reviewer(s))"
    )

    run(url, "verdicts", "set", "Mostly accurate, with some exaggeration", "2")
    assert run(url, "verdicts", "reapply") == (0, "Re-mapped 4 review(s): 1 changed.\n")
    assert run(url, "verdicts", "unmapped") == (0, "Every stored review's verdict is mapped.\n")
    assert run(url, "verdicts", "reapply") == (0, "Re-mapped 4 review(s): 0 changed.\n")


def test_relations_set_list_unset(fresh):
    url = fresh()
    assert run(url, "relations", "set", "agrees", "supports")[0] == 0
    code, output = run(url, "relations", "list")
    assert output.splitlines()[0] == "supports     agrees  [team]"
    code, output = run(url, "relations", "set", "agrees", "sideways")
    assert code == 2 and "'sideways' is not one of" in output
    assert run(url, "relations", "unset", "AGREES") == (
        0,
        "Removed the team's mapping of 'AGREES'.\n",
    )
    code, output = run(url, "relations", "unset", "agrees")
    assert (code, output) == (1, "Error: the team has no mapping of 'agrees'\n")


def test_bad_options_are_one_line_with_a_non_zero_exit(fresh):
    url = fresh()
    code, output = run(url, "import", str(DATA / "reviews-nested.jsonl"), "--set", "colour=red")
    assert code == 1 and output.count("\n") == 1 and "unknown field 'colour'" in output
    code, output = run(url, "import", str(DATA / "reviews-nested.jsonl"), "--column",
                       "text=@.claim")  # fmt: skip
    assert code == 1 and "no --each was given" in output
