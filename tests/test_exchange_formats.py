"""Reading import files without a database: the formats as published, and bad files.

The fixtures in tests/data/exchange are written to look like what fact-checkers publish
(PolitiFact, Full Fact, AFP Factuel, Snopes, Misbar, Maldita, the Fact Check Tools API).
"""

import codecs
import json
from datetime import date
from pathlib import Path

import pytest

from counterclaim.services.exchange import ImportFileError, dump, read_plan
from counterclaim.services.exchange.reading import check_size, decode, parse_date
from counterclaim.services.exchange.tabular import Mapping, load_mapping

DATA = Path(__file__).parent / "data" / "exchange"


def plan_of(name: str, **options):
    return read_plan((DATA / name).read_bytes(), name, **options)


def only(plan):
    assert plan.problems == []
    return plan.records


# --- ClaimReview as published ------------------------------------------------------------


def test_politifact_single_object_with_rating_numbers_and_appearances():
    (claim,) = only(plan_of("politifact-claimreview.json"))
    assert claim.text.startswith("A bowl of freshly boiled garlic water")
    assert claim.claimant.name == "Facebook posts"
    assert claim.stated_on == date(2020, 2, 27)
    appearance, url_only = claim.appearances
    assert appearance.source.archived_url.startswith("https://web.archive.org/")
    assert appearance.source.title.startswith("Good news! Wuhan's corona virus")
    assert (
        url_only.source.url
        == "https://www.facebook.com/groups/000000000000/permalink/111111111111/"
    )
    (review,) = claim.reviews
    assert (review.reviewer.name, review.verdict, review.rating) == (
        "PolitiFact", "Pants on Fire!", ("0", "5", "0"),
    )  # fmt: skip
    assert review.article.published_on == date(2020, 3, 2)  # the date as written, -05:00


def test_full_fact_html_page_with_a_graph_and_references_by_id():
    plan = plan_of("fullfact-page.html")
    first, second = only(plan)
    assert first.reviews[0].reviewer.name == "Full Fact"  # resolved from {"@id": ...}
    assert first.reviews[0].verdict.startswith("There is no evidence")
    assert first.appearances[0].source.kind == "video"
    assert first.appearances[0].locator == "first appearance"
    assert second.text == "Wuhan was the first city to have full 5G coverage."
    assert second.stated_on is None
    assert first.where == "ClaimReview 1 (line 16)"  # the script block's line in the page


def test_afp_array_with_creative_work_item_author_arrays_and_strings():
    first, second = only(plan_of("afp-factuel.json"))
    assert first.claimant.name == "Publications sur les réseaux sociaux"
    assert first.appearances[0].source.url.startswith("https://twitter.com/")
    assert first.appearances[0].locator == "item reviewed"
    assert first.reviews[0].reviewer.name == "AFP Factuel"  # the organisation, not the person
    assert first.reviews[0].article.author == "Claire-Line Nass"
    assert first.reviews[0].language == "fr"
    assert second.reviews[0].reviewer.name == "AFP Factuel"  # author as a plain string
    assert second.appearances[0].source.kind == "post"


def test_snopes_graph_with_publisher_and_array_types():
    satire, bananas = only(plan_of("snopes-graph.json"))
    assert satire.reviews[0].reviewer.name == "Snopes"  # publisher, as the author is a person
    assert satire.reviews[0].article.author == "David Mikkelson"
    assert satire.appearances[0].source.url.startswith("https://abcnews.com.co/")
    assert bananas.claimant is None and bananas.appearances == []


@pytest.mark.parametrize(
    ("name", "text", "verdict"),
    [
        ("misbar-ar.html", "فيديو يظهر قصفاً على مدينة الموصل هذا الأسبوع", "مُضلِّل"),
        ("maldita-es.json", "Vídeo de un avión ruso derribado sobre Kiev", "BULO"),
    ],
)
def test_text_in_other_scripts_and_languages_is_kept_exactly(name, text, verdict):
    (claim,) = only(plan_of(name))
    assert claim.text == text
    assert claim.reviews[0].verdict == verdict


def test_fact_check_api_response_with_several_reviews():
    plan = plan_of("factcheck-api-response.json")
    mosul, shields, spanish = only(plan)
    assert plan.format == "factcheck-api"
    assert [r.reviewer.name for r in mosul.reviews] == ["AFP Fact Check", "misbar.com"]
    assert mosul.reviews[1].verdict == "زائف" and mosul.reviews[1].language == "ar"
    assert mosul.stated_on == date(2016, 10, 20)
    assert shields.claimant.name == "Iraqi military"
    assert spanish.claimant is None  # no claimant: stored under "Unknown claimant"


def test_pages_of_the_api_saved_together_are_read_as_one():
    page = json.loads((DATA / "factcheck-api-response.json").read_text())
    data = json.dumps([page, {"claims": page["claims"][:1]}]).encode()
    plan = read_plan(data, "pages.json")
    assert len(plan.records) == 4
    assert plan.records[3].where == "page 2, claims[0]"


@pytest.mark.parametrize(
    "context",
    [
        "http://schema.org",
        "https://schema.org/",
        {"@vocab": "https://schema.org/"},
        ["https://schema.org", {"@language": "en"}],
    ],  # fmt: skip
)
def test_every_form_of_the_schema_org_context_is_accepted(context):
    document = {"@context": context, "@type": "schema:ClaimReview", "claimReviewed": "X.",
                "author": "Full Fact", "reviewRating": {"alternateName": "False"}}  # fmt: skip
    assert len(only(read_plan(json.dumps(document).encode(), "x.json"))) == 1


def test_full_iris_are_read_like_terms():
    document = {
        "@type": "http://schema.org/ClaimReview",
        "http://schema.org/claimReviewed": "Full IRIs work.",
        "https://schema.org/author": {"@type": "Organization", "name": "Lead Stories"},
    }
    (claim,) = only(read_plan(json.dumps(document).encode(), "x.json"))
    assert (claim.text, claim.reviews[0].reviewer.name) == ("Full IRIs work.", "Lead Stories")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"claimReviewed": None}, "claimReviewed", "is missing"),
        ({"author": None, "url": None}, "author", "names no reviewer"),
        ({"datePublished": "yesterday"}, "datePublished", "is not a date"),
        ({"@context": "https://example.org/vocab"}, "@context", "does not name schema.org"),
    ],
)
def test_a_bad_claim_review_is_a_problem_naming_the_record_and_field(change, field, message):
    document = json.loads((DATA / "politifact-claimreview.json").read_text())
    document.update(change)
    document = {k: v for k, v in document.items() if v is not None}
    plan = read_plan(json.dumps(document).encode(), "bad.json")
    assert plan.records == [] and plan.invalid == ["ClaimReview 1"]
    assert any(p.field == field and message in p.message for p in plan.problems), plan.problems


# --- CSV and TSV -------------------------------------------------------------------------

CLAIMS_CSV = (
    "Claim,Said by,Date,Topics,Where,Link,Rating,Checked by\n"
    "ISIS is collapsing,Haider al-Abadi,27/11/2016,Mosul;ISIS,DEBKA Weekly,https://debka.com/a,"
    "Mostly False,Full Fact\n"
    '"The army stalled, one tenth in",DEBKAfile,01/12/2016,Mosul,,,,\n'
)
COLUMNS = {"text": "Claim", "claimant": "Said by", "stated_on": "Date", "tags": "Topics",
           "source_title": "Where", "source_url": "Link", "verdict": "Rating",
           "reviewer": "Checked by"}  # fmt: skip


def test_csv_with_a_column_mapping_and_day_first_dates():
    plan = read_plan(CLAIMS_CSV.encode(), "claims.csv", mapping=Mapping(COLUMNS, dates="dmy"))
    first, second = only(plan)
    assert (first.text, first.claimant.name, first.stated_on) == (
        "ISIS is collapsing", "Haider al-Abadi", date(2016, 11, 27),
    )  # fmt: skip
    assert first.tags == ["Mosul", "ISIS"]
    assert first.appearances[0].source.url == "https://debka.com/a"
    assert first.reviews[0].verdict == "Mostly False"
    assert second.text == "The army stalled, one tenth in" and second.where == "line 3"


def test_tsv_with_headers_named_like_the_fields_needs_no_mapping():
    text = (
        "text\tclaimant\tStated on\tstatus\n"
        "Peshmerga turned back\tDEBKAfile\t2016-11-30\tUnder review\n"
    )
    (claim,) = only(read_plan(text.encode(), "claims.tsv"))
    assert (claim.stated_on, claim.status) == (date(2016, 11, 30), "under_review")


def test_semicolon_separated_csv_from_a_european_spreadsheet():
    text = "text;claimant\nLa ville est tombée;Ministère\n"
    (claim,) = only(read_plan(text.encode("utf-8-sig"), "claims.csv"))
    assert claim.text == "La ville est tombée"


def test_csv_of_sources():
    text = (
        "title,url,reliability,published_on\nDEBKA Weekly 733,https://debka.com/733,d,2016-11-25\n"
    )
    (source,) = only(read_plan(text.encode(), "s.csv", mapping=Mapping(entity="sources")))
    assert (source.title, source.reliability, source.published_on) == (
        "DEBKA Weekly 733", "D", date(2016, 11, 25),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("X,A,31/02/2016", "stated_on", "is not a date"),
        ("X,A,2016-13-01", "stated_on", "is not a date"),
        (",A,2016-01-01", "text", "empty"),
        ("X,A,2016-01-01,extra", "", "has 4 values; the header has 3"),
        ("X," + "a" * 201 + ",2016-01-01", "claimant", "over 200 characters"),
    ],
)
def test_a_bad_csv_row_is_a_problem_with_its_line_and_field(line, field, message):
    plan = read_plan(f"text,claimant,stated_on\n{line}\n".encode(), "c.csv",
                     mapping=Mapping(dates="dmy"))  # fmt: skip
    assert plan.invalid == ["line 2"]
    assert any(p.field == field and message in p.message for p in plan.problems), plan.problems


def test_a_day_first_date_without_the_order_named_is_refused_with_the_remedy():
    plan = read_plan(b"text,stated_on\nX,27/11/2016\n", "c.csv")
    assert "name the order of day and month" in plan.problems[0].message


def test_the_mapping_file_sets_columns_dates_and_entity(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text("entity: claims\ndates: dmy\ncolumns:\n  text: Claim\n  claimant: Said by\n")
    mapping = load_mapping(path)
    assert (mapping.columns, mapping.dates) == ({"text": "Claim", "claimant": "Said by"}, "dmy")


# --- bad files: a clear message naming the problem and the place -------------------------


@pytest.mark.parametrize(
    ("data", "name", "options", "message"),
    [
        (
            b'{"claims": [\n  {"text": "a",}\n]}',
            "api.json",
            {},
            "api.json: broken JSON at line 2, column 16: Expecting property name",
        ),
        (
            b"<html><script type='application/ld+json'>\n{\n \"a\": }\n</script></html>",
            "page.html",
            {},
            "page.html: broken JSON at line 3, column 7",
        ),
        (
            "text\nUn café à Mossoul\n".encode("latin-1"),
            "c.csv",
            {},
            "c.csv is not UTF-8: byte 0xE9 at line 2, column 7 cannot be read",
        ),
        (
            b"Claim\nX\n",
            "c.csv",
            {"mapping": Mapping({"text": "Claim", "claimant": "Who"})},
            "c.csv: the column 'Who' (mapped to claimant) is not in the header (line 1)",
        ),
        (b"Said by\nX\n", "c.csv", {}, "c.csv: no column holds the claims field 'text'"),
        (
            b'{"@context": "https://schema.org", "@type": "WebPage"}',
            "x.json",
            {},
            "x.json holds no ClaimReview",
        ),
        (
            b"<html><body>No data here</body></html>",
            "x.html",
            {},
            'x.html is HTML without a <script type="application/ld+json">',
        ),
        (b"   \n", "empty.json", {}, "empty.json is empty"),
        (
            b'{"format": "counterclaim-dump", "version": 9}',
            "d.json",
            {},
            "d.json is a dump of version 9",
        ),
        (b"[]", "x.json", {"format": "factcheck-api"}, 'it has no "claims" list'),
        (
            b"text\nx\n",
            "c.csv",
            {"mapping": Mapping({"verdit": "Rating"})},
            "unknown field 'verdit' for claims",
        ),
    ],
    ids=[
        "broken JSON",
        "broken JSON in HTML",
        "Latin-1",
        "missing mapped column",
        "no text column",
        "no ClaimReview",
        "HTML without JSON-LD",
        "empty",
        "dump version",
        "not an API response",
        "unknown field",
    ],  # fmt: skip
)
def test_a_bad_file_is_refused_with_a_clear_message(data, name, options, message):
    with pytest.raises(ImportFileError) as refused:
        read_plan(data, name, **options)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (codecs.BOM_UTF8 + "text\nالموصل\n".encode(), None),
        ("text\nالموصل\n".encode("utf-16"), None),  # with its BOM
        ("text\nالموصل\n".encode("utf-16-le"), None),  # without: told by its zero bytes
        ("text\nالموصل\n".encode("utf-16-be"), None),
        ("text\nالموصل\n".encode("utf-32"), None),
        ("text\nMossoul: la bataille à l'été\n".encode("cp1252"), "cp1252"),
    ],
    ids=["UTF-8 BOM", "UTF-16 BOM", "UTF-16-LE", "UTF-16-BE", "UTF-32", "cp1252 when named"],
)
def test_encodings_are_detected_or_named(encoded, encoding):
    (claim,) = only(read_plan(encoded, "c.csv", encoding=encoding))
    assert claim.text in ("الموصل", "Mossoul: la bataille à l'été")


def test_an_unknown_encoding_is_named():
    with pytest.raises(ImportFileError, match="unknown encoding 'klingon'"):
        decode(b"x", "c.csv", "klingon")


def test_a_file_over_the_size_limit_is_refused_before_reading():
    with pytest.raises(ImportFileError, match=r"big.json is 2.0 MiB, over the import limit of 1.0"):
        check_size(2 * 1024 * 1024, "big.json", 1024 * 1024)


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("2016-11-27", "iso", date(2016, 11, 27)),
        ("2016-11-27T23:30:00Z", "iso", date(2016, 11, 27)),
        ("2016-11-27T23:30:00.000+03:00", "iso", date(2016, 11, 27)),
        ("2016-11-27 23:30", "iso", date(2016, 11, 27)),
        ("20161127", "iso", date(2016, 11, 27)),
        ("27/11/2016", "dmy", date(2016, 11, 27)),
        ("27.11.2016", "dmy", date(2016, 11, 27)),
        ("11/27/2016", "mdy", date(2016, 11, 27)),
        ("2016-11-27", "dmy", date(2016, 11, 27)),  # ISO is understood whatever the order
    ],
)
def test_dates_in_several_shapes(value, order, expected):
    assert parse_date(value, order) == expected


@pytest.mark.parametrize(
    ("value", "order"), [("27/11/16", "dmy"), ("11/27/2016", "dmy"), ("Nov 27", "iso")]
)
def test_dates_that_cannot_be_read(value, order):
    with pytest.raises(ValueError):
        parse_date(value, order)


def test_a_dump_naming_an_unknown_table_or_column_is_a_problem():
    document = {"format": "counterclaim-dump", "version": 1, "tables": {
        "widgets": {"columns": ["id"], "rows": [[1]]},
        "tags": {"columns": ["id", "name", "colour"], "rows": [[1, "x", "red"]]},
    }}  # fmt: skip
    plan = dump.parse_document(document, "d.json")
    assert {str(p) for p in plan.problems} == {
        "table widgets: is not a table of this database",
        "table tags, colour: is not a column of this table",
    }
