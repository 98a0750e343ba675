"""The reports pages and downloads, and `counterclaim report`: a scope in the query string
(or options), 400 naming the bad parameter, streamed CSV and JSON, one-line CLI errors."""

import csv
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import ENGINES
from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.services import migrations
from counterclaim.services.demo.seed import default_seed_path, load_seed
from factories import run_cli


@pytest.fixture
def seeded(session):
    load_seed(session, default_seed_path())
    session.commit()
    return session


def test_the_scope_form_offers_every_parameter(client, seeded):
    page = client.get("/reports/").get_data(as_text=True)
    for name in ("tag", "actor", "claim", "depth", "stated_from", "stated_to", "status",
                 "reliability"):  # fmt: skip
        assert f'name="{name}"' in page
    assert 'method="get"' in page and ">Mosul</option>" in page


def test_the_report_page_shows_every_part_and_keeps_the_scope_in_its_links(client, seeded):
    response = client.get("/reports/report?tag=Mosul&status=under_review")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    scope = "Scope: tagged “Mosul”; status under review"
    for part in ('id="summary"', 'id="graph"', "<svg", 'id="matrix"', 'id="pairs"',
                 'id="timeline"', "reports.css", scope):  # fmt: skip
        assert part in page
    assert ' style="' not in page and "<script" not in page  # fit for a strict CSP
    downloads = re.findall(r'href="(/reports/report\.(\w+)\?[^"]*)"', page)
    assert {fmt for _, fmt in downloads} == {"html", "pdf", "md", "csv", "json"}
    for url, _ in downloads:
        query = parse_qs(urlsplit(url.replace("&amp;", "&")).query)
        assert query == {"tag": ["Mosul"], "status": ["under_review"]}
    # each non-empty matrix cell links to the list of its pairs
    for anchor in re.findall(r'<td class="hot"><a href="#(cell-\d+-\d+)"', page):
        assert f'id="{anchor}"' in page
    assert re.search(r'href="/claims/\d+">#\d+</a>', page)


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("tag=Atlantis", "tag", "there is no tag named &#39;Atlantis&#39;"),
        ("stated_from=2016-12-01&stated_to=2016-11-01", "stated_to", "before the start date"),
        ("claim=abc", "claim", "&#39;abc&#39; is not a whole number"),
        ("claim=1&depth=two", "depth", "is not a whole number"),
        ("claim=999999", "claim", "there is no claim #999999"),
        ("actor=999999", "actor", "there is no actor #999999"),
        ("stated_from=31/12/2016", "stated_from", "is not a date"),
        ("status=closed", "status", "choose one of"),
        ("reliability=Q", "reliability", "A to F"),
    ],
)
def test_a_bad_parameter_answers_400_naming_it(client, query, parameter, message):
    response = client.get(f"/reports/report?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert f"Parameter <code>{parameter}</code>" in page
    field = re.search(rf'<div class="field [^"]*has-error">.*?name="{parameter}"', page, re.S)
    assert field and message in page and "Traceback" not in page


@pytest.mark.parametrize(
    "fmt", ["html", pytest.param("pdf", marks=pytest.mark.pdf), "md", "csv", "json"]
)
def test_a_download_with_a_bad_parameter_answers_400_too(client, fmt):
    response = client.get(f"/reports/report.{fmt}?tag=Atlantis")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "Parameter <code>tag</code>" in response.get_data(as_text=True)
    assert "Content-Disposition" not in response.headers


def test_an_empty_scope_is_a_report_not_an_error(client, session):
    response = client.get("/reports/report?status=settled")
    assert response.status_code == 200
    assert "Nothing contested in this scope" in response.get_data(as_text=True)
    assert client.get("/reports/report.json?status=settled").json["nothing_contested"] is True


def test_csv_and_json_stream_as_attachments(client, seeded):
    bodies = {}
    for fmt, mimetype in (("csv", "text/csv"), ("json", "application/json")):
        response = client.get(f"/reports/report.{fmt}?tag=Mosul")
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.is_streamed
        assert re.fullmatch(
            rf'attachment; filename="contradiction-report-\d{{8}}-\d{{4}}\.{fmt}"',
            response.headers["Content-Disposition"],
        )
        bodies[fmt] = response.get_data(as_text=True)  # read to the end, closing the stream
        response.close()
    rows = list(csv.DictReader(io.StringIO(bodies["csv"])))
    pairs = json.loads(bodies["json"])["pairs"]
    assert {int(r["link_id"]) for r in rows} == {p["link_id"] for p in pairs}
    assert len(rows) == 9


@pytest.mark.pdf
def test_markdown_html_and_pdf_download(client, seeded):
    md = client.get("/reports/report.md?actor=Haider+al-Abadi")
    assert md.mimetype == "text/markdown" and md.text.startswith("# Contradiction report")
    document = client.get("/reports/report.html?actor=Haider+al-Abadi")
    assert document.mimetype == "text/html" and "<style>" in document.text
    assert "attachment" in document.headers["Content-Disposition"]
    pdf = client.get("/reports/report.pdf?actor=ISIS%20(Islamic%20State)")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_the_navigation_leads_to_reports(client):
    assert 'href="/reports/"' in client.get("/").get_data(as_text=True)


# --- the CLI ----------------------------------------------------------------------------


@pytest.fixture(scope="module", params=ENGINES)
def seeded_database(request, database_url_factory):
    url = database_url_factory(request.param)
    engine = make_engine(url)
    migrations.upgrade(engine)
    with make_sessionmaker(engine)() as session:
        load_seed(session, default_seed_path())
        session.commit()
    engine.dispose()
    return url


def run(database, *args):
    return run_cli(database, "report", *args)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tag", "atlantis"], "Error: --tag: there is no tag named 'atlantis'."),
        (["--from", "2016-12-01", "--to", "2016-11-01"],
         "Error: --to: the end date 2016-11-01 is before the start date 2016-12-01."),
        (["--claim", "x1"], "Error: --claim: 'x1' is not a whole number."),
        (["--actor", "Nobody"], "Error: --actor: there is no actor named 'Nobody'."),
        (["--claim", "1", "--depth", "5"],
         "Error: --depth: the neighbourhood depth is 1 to 3 links."),
        (["--from", "tomorrow"], "Error: --from: 'tomorrow' is not a date (YYYY-MM-DD)."),
    ],
)  # fmt: skip
def test_the_cli_answers_bad_scopes_in_one_line(seeded_database, args, message):
    assert run(seeded_database, *args) == (1, message + "\n")


def test_the_cli_writes_each_format(seeded_database, tmp_path):
    target = tmp_path / "mosul.json"
    code, output = run(seeded_database, "--tag", "mosul", "--format", "json", "-o", str(target))
    assert code == 0 and "9 contradiction(s) in 12 claim(s)" in output
    assert len(json.loads(target.read_text())["pairs"]) == 9
    assert not list(tmp_path.glob("*.part"))
    code, output = run(seeded_database, "--actor", "Haider al-Abadi", "--format", "csv")
    assert code == 0 and len(list(csv.DictReader(io.StringIO(output)))) == 8
    code, output = run(seeded_database, "--tag", "Mosul", "--tag", "ISIS morale")
    assert code == 0 and output.startswith("# Contradiction report")
    assert "Scope: tagged “Mosul” and “ISIS morale”." in output


@pytest.mark.pdf
def test_the_cli_writes_a_pdf(seeded_database, tmp_path):
    target = tmp_path / "abadi.pdf"
    code, _ = run(
        seeded_database, "--actor", "ISIS (Islamic State)", "--format", "pdf", "-o", str(target)
    )
    assert code == 0 and target.read_bytes().startswith(b"%PDF")


def test_the_page_shows_one_page_of_pairs_with_the_totals_and_links_onward(
    client, seeded, monkeypatch
):
    from counterclaim.web.reports import routes

    monkeypatch.setattr(routes, "PAGE_PAIRS", 4)
    monkeypatch.setattr(routes, "TIMELINE_CLAIMS", 5)
    every = re.findall(r'<section class="pair" id="pair-(\d+)"', _full_page(client, monkeypatch))
    assert len(every) == 9
    shown, url = [], "/reports/report"
    for number in (1, 2, 3):
        page = client.get(url).get_data(as_text=True)
        pairs = re.findall(r'<section class="pair" id="pair-(\d+)"', page)
        assert len(pairs) == (4 if number < 3 else 1)
        first = (number - 1) * 4 + 1
        assert f"Contradictions {first}–{first + len(pairs) - 1} of 9 (page {number} of 3)" in page
        assert len(re.findall(r'<li id="timeline-', page)) == 5  # the first of 23
        assert "The first 5 of 23 claims in scope" in page
        shown += pairs
        following = re.search(r'<a rel="next" href="([^"]+)"', page)
        if number < 3:
            url = following[1].replace("&amp;", "&")
            assert f"page={number + 1}" in url
        else:
            assert following is None and 'rel="prev"' in page
    assert shown == every  # the pages, in order, are the whole report
    for bad in ("page=4", "page=0", "page=abc", "page=99999999999"):
        response = client.get(f"/reports/report?{bad}")
        assert response.status_code == 400 and "Parameter <code>page</code>" in response.text


def _full_page(client, monkeypatch) -> str:
    from counterclaim.web.reports import routes

    with monkeypatch.context() as patch:
        patch.setattr(routes, "PAGE_PAIRS", 1000)
        return client.get("/reports/report").get_data(as_text=True)


def test_a_refused_pdf_is_refused_from_the_count_before_anything_is_built(
    client, seeded, monkeypatch, count_queries
):
    from counterclaim.report_formats import pdf
    from counterclaim.services.reports import reports

    monkeypatch.setattr(pdf, "MAX_PAIRS", 8)
    built = []
    monkeypatch.setattr(reports, "_claims", lambda *a: built.append(a) or iter(()))
    for fmt in ("pdf", "html"):  # Markdown streams: no limit
        if fmt != "pdf":
            monkeypatch.setattr(pdf, "MAX_DOCUMENT_PAIRS", 8)
        with count_queries() as counted:
            response = client.get(f"/reports/report.{fmt}")
        assert response.status_code == 400, fmt
        assert "This scope has 9 contradictions" in response.text
        assert not built
        # the user, the scope form's choices (tags, actors) and the one count
        assert counted.count <= 5, fmt


@pytest.mark.pdf
def test_a_pdf_of_too_many_pairs_is_refused_with_the_way_out(client, seeded, monkeypatch):
    from counterclaim.report_formats import pdf

    monkeypatch.setattr(pdf, "MAX_PAIRS", 8)
    response = client.get("/reports/report.pdf")
    assert response.status_code == 400
    assert "This scope has 9 contradictions: a PDF holds at most 8" in response.text
    assert client.get("/reports/report.pdf?tag=Irbil").status_code == 200


def test_a_report_being_written_does_not_hold_up_writers(seeded_database, monkeypatch):
    from counterclaim import report_formats
    from counterclaim.models import Tag

    real_write = report_formats.write

    def write_while_someone_saves(report, fmt, out):
        engine = make_engine(seeded_database)
        try:
            with make_sessionmaker(engine)() as other:  # a writer: BEGIN IMMEDIATE on SQLite
                other.add(Tag(name="saved while a report was written"))
                other.commit()
        finally:
            engine.dispose()
        real_write(report, fmt, out)

    monkeypatch.setattr(report_formats, "write", write_while_someone_saves)
    code, output = run(seeded_database, "--format", "csv")
    assert code == 0 and output.startswith("link_id,")
