"""Real data in every shape, with one command each: our own fixtures of each kind of file.

Saved Fact Check API arrays, JSON Lines with nested reviews, headerless TSV with quoted
multi-line cells, a claim-with-evidence dataset with FEVER-style stance labels, and the
ClaimReview round trip (export → import into a fresh database → export again).
"""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from counterclaim.models import (
    Actor,
    Annotation,
    Assessment,
    Claim,
    ClaimLink,
    ClaimSource,
    Review,
    Source,
)
from counterclaim.report_formats import markdown
from counterclaim.services.exchange import ImportFileError, ImportRefused, read_plan, run_import
from counterclaim.services.exchange.relations import set_relation
from counterclaim.services.exchange.tabular import Mapping
from counterclaim.services.reports.report_scope import ReportScope
from counterclaim.services.reports.reports import build_report

DATA = Path(__file__).parent / "data" / "exchange"


def load(session, name, mapping=None, format=None, **options):
    plan = read_plan((DATA / name).read_bytes(), name, mapping=mapping, format=format)
    return run_import(session, plan, **options)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def review_of(session, text):
    claim = session.scalars(select(Claim).where(Claim.text == text)).one()
    return session.scalars(select(Review).where(Review.claim_id == claim.id).order_by(Review.id))


# --- saved Fact Check API arrays ---------------------------------------------------------


@pytest.mark.parametrize("format", [None, "factcheck-api"])
def test_a_saved_array_of_api_claims_is_read_as_the_api_format(session, format):
    report = load(session, "factcheck-api-claims-array.json", format=format)

    assert report.format == "factcheck-api"
    assert (report.created["claims"], report.created["reviews"]) == (3, 4)
    assert not report.unmapped_verdicts
    verdicts = session.execute(select(Review.verdict, Review.credibility).order_by(Review.id))
    assert list(verdicts) == [("Mostly True", 2), ("False", 5), ("خبر كاذب", 5),
                              ("غير صحيح جزئيا", 4)]  # fmt: skip
    assert count(session, Assessment) == 0  # fact-checkers are not analysts


def test_addresses_are_matched_normalised_and_a_bare_host_is_https(session):
    load(session, "factcheck-api-claims-array.json")
    urls = set(session.scalars(select(Review.url)))
    assert "https://marsad.example/ar/electricity" in urls  # "marsad.example/ar/…" read as https
    # The same page under www., a trailing slash and utm_ parameters is one review.
    again = (
        '[{"text": "The new bridge over the Tigris in Mosul was opened in March", '
        '"claimant": "Nineveh governorate spokesman", "claimDate": "2024-03-02", '
        '"claimReview": [{"publisher": {"name": "TIGRIS CHECK"}, "textualRating": "Mostly True",'
        ' "url": "http://tigrischeck.example/2024/03/bridge-opening?utm_medium=x"}]}]'
    )
    report = run_import(session, read_plan(again.encode(), "again.json"))
    assert report.total_created == 0, report.created


# --- JSON Lines with nested reviews --------------------------------------------------------

NESTED = Mapping(
    columns={
        "external_id": "claim_id", "text": "claim", "stated_on": "date",
        "claimant": "speaker.name", "claimant_description": "speaker.job",
        "verdict": "@.rating", "reviewer": "@.publisher.name", "review_url": "@.url",
        "review_title": "@.title", "review_date": "@.date", "review_language": "@.lang",
        "note": "@.justification",
    },
    each=["reviews"],
)  # fmt: skip


def test_json_lines_with_nested_reviews_become_claims_and_their_reviews(session):
    report = load(session, "reviews-nested.jsonl", mapping=NESTED)

    assert report.format == "jsonl"
    assert (report.created["claims"], report.created["reviews"]) == (4, 5)
    assert report.unmapped_verdicts == {"Fabricación total": 1}
    half, sentence = review_of(session, "Unemployment in Nineveh fell by half in one year")
    assert (half.credibility, half.mapping_origin) == (3, "default")
    assert (sentence.credibility, sentence.mapping_origin) == (4, "inferred")  # "partly false"
    assert review_of(session, "الحكومة أعادت بناء جميع المدارس في الموصل").one().credibility == 5
    governor = session.scalars(select(Actor).where(Actor.name == "Governor of Nineveh")).one()
    assert governor.description == "Governor"
    notes = session.scalars(select(Annotation.body).order_by(Annotation.id)).all()
    assert "The fall was a third, not a half." in notes
    airport = session.scalars(select(Claim).where(Claim.external_id == "rv-4")).one()
    assert airport.text == "Mosul airport reopened to civilian flights in 2023"  # no reviews

    again = load(session, "reviews-nested.jsonl", mapping=NESTED)
    assert again.total_created == 0, again.created


def test_a_json_array_of_plain_records_is_a_table(session):
    data = b'[{"statement": "Mosul is encircled", "who": {"name": "PMU"}}, {"statement": "No"}]'
    mapping = Mapping(columns={"text": "statement", "claimant": "who.name"}, add_tags=["batch-1"])
    report = run_import(session, read_plan(data, "records.json", mapping=mapping))
    assert (report.format, report.created["claims"]) == ("json", 2)
    claim = session.scalars(select(Claim).where(Claim.text == "Mosul is encircled")).one()
    assert (claim.claimant.name, [t.name for t in claim.tags]) == ("PMU", ["batch-1"])


def test_a_key_that_reads_like_a_path_wins_over_the_path(session):
    data = b'{"a.b": "the key", "a": {"b": "the path"}}\n{"a.b": "again", "a": {}}\n'
    plan = read_plan(data, "k.jsonl", mapping=Mapping(columns={"text": "a.b"}))
    assert [r.text for r in plan.records] == ["the key", "again"]


def test_nested_lists_expand_with_levels(session):
    data = (
        b'{"claim": "C1", "questions": [{"q": "Q1", "answers": [{"a": "A1"}, {"a": "A2"}]},'
        b' {"q": "Q2", "answers": []}]}\n{"claim": "C2", "questions": []}\n'
    )
    mapping = Mapping(
        columns={"from_text": "claim", "to_text": "@.a", "rationale": "@1.q",
                 "relation": "@1.label"},
        entity="links", each=["questions", "@.answers"],
        set={"relation": "supports"},
    )  # fmt: skip
    plan = read_plan(data, "qa.jsonl", mapping=mapping)
    rows = [(r.where, r.from_claim.text, r.to_claim.text, r.rationale) for r in plan.records]
    assert rows[:2] == [
        ("line 1, questions[0], answers[0]", "C1", "A1", "Q1"),
        ("line 1, questions[0], answers[1]", "C1", "A2", "Q1"),
    ]
    assert [p.where for p in plan.problems] == ["line 1, questions[1]", "line 2"]  # no answer


def test_broken_json_lines_name_the_line(session):
    data = b'{"text": "a"}\n{"text": "b"\n'
    with pytest.raises(ImportFileError, match=r"^x\.jsonl: broken JSON Lines at line 2, column"):
        read_plan(data, "x.jsonl")


# --- headerless TSV with quoted multi-line cells ------------------------------------------

LIAR = Mapping(
    columns={"external_id": "1", "verdict": "2", "text": "3", "claimant": "5",
             "claimant_description": "6", "note": "9"},
    header=False, set={"reviewer": "PolitiFact"}, add_tags=["liar-sample"],
)  # fmt: skip


def test_a_headerless_tsv_is_mapped_by_column_number(session):
    report = load(session, "liar-headerless.tsv", mapping=LIAR)

    assert (report.created["claims"], report.created["reviews"]) == (4, 4)
    assert not report.unmapped_verdicts
    credibilities = session.execute(select(Claim.external_id, Review.credibility)
                                    .join(Review, Review.claim_id == Claim.id)
                                    .order_by(Claim.external_id))  # fmt: skip
    assert list(credibilities) == [("liar-1", 5), ("liar-2", 3), ("liar-3", 5), ("liar-4", 4)]
    rents = session.scalars(select(Claim).where(Claim.external_id == "liar-4")).one()
    assert rents.text == "Rents in Mosul doubled since 2019,\nsay estate agents."
    assert [t.name for t in rents.tags] == ["liar-sample"]
    notes = session.scalars(select(Annotation.body)).all()
    assert "A council statement on 3 May.\nThe water directorate says 60% of the old city " \
        "is connected." in notes  # fmt: skip


def test_a_header_name_for_a_headerless_file_is_refused_in_one_line():
    with pytest.raises(ImportFileError) as refused:
        read_plan((DATA / "liar-headerless.tsv").read_bytes(), "liar.tsv",
                  mapping=Mapping(columns={"text": "statement"}, header=False))  # fmt: skip
    assert str(refused.value) == ("liar.tsv: --column text=statement: a file without a header "
                                  "names its columns by number, from 1")  # fmt: skip


def test_an_unknown_header_is_named_without_printing_a_whole_row():
    row = "\t".join(["x" * 300] * 30) + "\n"
    with pytest.raises(ImportFileError) as refused:
        read_plan((row + row).encode(), "wide.tsv", mapping=Mapping(columns={"text": "Claim"}))
    message = str(refused.value)
    assert len(message) < 800 and "\n" not in message and "(30 columns)" in message


def test_a_verdict_without_reviewer_loses_only_the_verdict_with_skip_invalid(session):
    mapping = Mapping(columns={"text": "3", "verdict": "2"}, header=False)
    data = (DATA / "liar-headerless.tsv").read_bytes()
    dry = run_import(session, read_plan(data, "l.tsv", mapping=mapping), dry_run=True)
    assert dry.summary().startswith("Would create nothing: every record is invalid.")
    with pytest.raises(ImportRefused):
        run_import(session, read_plan(data, "l.tsv", mapping=mapping))

    report = run_import(session, read_plan(data, "l.tsv", mapping=mapping), skip_invalid=True)

    assert (report.created["claims"], report.salvaged, count(session, Review)) == (4, 4, 0)
    assert "of which 4 imported without their invalid review" in report.summary()


def test_problems_are_grouped_by_kind_with_the_first_few():
    data = "text,stated_on\n" + "".join(f"claim {n},someday {n}\n" for n in range(10))
    plan = read_plan(data.encode(), "d.csv")
    [(kind, number, first)] = plan.problem_groups()
    assert (kind, number, len(first)) == ("stated_on: … is not a date", 10, 3)


# --- a claim-with-evidence dataset, FEVER-style stance labels -----------------------------

EVIDENCE = Mapping(
    columns={"from_external_id": "id", "from_text": "claim", "from_claimant": "claimant",
             "to_text": "@.sentence", "to_source_title": "@.source", "to_source_url": "@.url",
             "relation": "@.stance"},
    entity="links", each=["evidence"], add_tags=["fever-sample"],
)  # fmt: skip


def test_claims_with_evidence_become_linked_claims(session):
    report = load(session, "claims-with-evidence.jsonl", mapping=EVIDENCE)

    assert (report.created["claims"], report.created["claim_links"]) == (10, 6)
    assert report.created["sources"] == 4  # aid.example/oldcity and …/oldcity/ are one
    assert report.unlinked == 1
    relations = session.execute(
        select(ClaimLink.relation, func.count()).group_by(ClaimLink.relation)
    )
    assert dict(relations.all()) == {"supports": 2, "contradicts": 3, "qualifies": 1}
    claim = session.scalars(select(Claim).where(Claim.external_id == "101")).one()
    supporting = session.scalars(
        select(ClaimLink.relation).where(ClaimLink.to_claim_id == claim.id)
    )
    assert supporting.all() == ["supports", "supports"]  # evidence → claim: "supported by"
    peshmerga = session.scalars(select(Claim).where(Claim.external_id == "103")).one()
    kept = session.scalars(select(ClaimSource).where(ClaimSource.claim_id == peshmerga.id)).one()
    assert (kept.stance, kept.excerpt) == ("neutral", "The Peshmerga held positions east of Mosul.")

    again = load(session, "claims-with-evidence.jsonl", mapping=EVIDENCE)
    assert again.total_created == 0, again.created


def test_the_contradiction_report_over_the_import_is_not_empty(session):
    load(session, "claims-with-evidence.jsonl", mapping=EVIDENCE)
    report = build_report(session, ReportScope(tags=("fever-sample",)))
    assert (report.summary.pairs, report.summary.contested) == (3, 5)  # not "nothing contested"
    text = markdown.render(report)
    assert "ISIS collapsed in Mosul within a week." in text
    assert "The battle for Mosul lasted nine months, until July 2017." in text


def test_reports_show_the_fact_checkers_verdicts(session):
    load(session, "factcheck-api-claims-array.json", mapping=Mapping(add_tags=["power"]))
    report = build_report(session, ReportScope(tags=("power",)))
    [claim] = [c for c in report.claims if c.text.startswith("Electricity in Mosul")]
    assert [(f.reviewer, f.verdict, f.credibility) for f in claim.reviews] == [
        ("Tigris Check", "False", 5), ("مرصد الموصل", "خبر كاذب", 5),
    ]  # fmt: skip
    [second] = [c for c in report.claims if c.text.startswith("وزير الكهرباء")]
    session.add(ClaimLink(from_claim_id=claim.id, to_claim_id=second.id, relation="contradicts"))
    session.flush()
    text = markdown.render(build_report(session, ReportScope(tags=("power",))))
    assert "- Fact-checked by Tigris Check: “False” (5) https://tigrischeck.example/" in text


def test_an_unknown_relation_label_is_a_problem_until_mapped(session):
    data = (
        b'{"claim": "A", "ev": "B", "label": "agrees"}\n{"claim": "C", "ev": "D", "label": "x"}\n'
    )
    mapping = Mapping(columns={"from_text": "claim", "to_text": "ev", "relation": "label"},
                      entity="links")  # fmt: skip
    with pytest.raises(ImportRefused) as refused:
        run_import(session, read_plan(data, "l.jsonl", mapping=mapping))
    assert [p.where for p in refused.value.report.problems] == ["line 1", "line 2"]

    set_relation(session, "Agrees", "supports")
    report = run_import(session, read_plan(data, "l.jsonl", mapping=mapping), skip_invalid=True)
    assert (report.created["claim_links"], report.skipped) == (1, ["line 2"])


def test_a_dry_run_of_links_counts_what_the_import_creates(session):
    dry = load(session, "claims-with-evidence.jsonl", mapping=EVIDENCE, dry_run=True)
    assert count(session, Claim) == 0
    real = load(session, "claims-with-evidence.jsonl", mapping=EVIDENCE)
    assert dry.created == real.created


def test_sources_from_urls_are_one_row(session):
    load(session, "claims-with-evidence.jsonl", mapping=EVIDENCE)
    assert count(session, Source) == 4
