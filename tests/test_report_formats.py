"""Every format of a report carries the same pairs; the graph is well-formed SVG; text from
the database cannot break out of any format; the PDF fetches nothing but the app's own
static files and data: URLs."""

import csv
import io
import json
import re
from xml.etree import ElementTree as ET

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from counterclaim import report_formats
from counterclaim.report_formats import csv as csv_format
from counterclaim.report_formats import graph, html, markdown, pdf
from counterclaim.services.demo.seed import default_seed_path, load_seed
from counterclaim.services.reports.reports import ReportScope, build_report
from factories import make_claim, make_link

PAIR_HEADING = re.compile(r"Link #(\d+): claim #(\d+) against claim #(\d+)")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def seeded(session):
    load_seed(session, default_seed_path())
    session.flush()
    return session


def _text(report, name: str) -> str:
    pieces = report_formats.render(report, name)
    return "".join(p.decode("latin-1") if isinstance(p, bytes) else p for p in pieces)


def _pairs_in_json(text: str) -> set:
    document = json.loads(text)
    return {(p["link_id"], p["claim"]["id"], p["counterclaim"]["id"]) for p in document["pairs"]}


def _pairs_in_csv(text: str) -> set:
    rows = list(csv.DictReader(io.StringIO(text)))
    return {(int(r["link_id"]), int(r["claim_id"]), int(r["counterclaim_id"])) for r in rows}


def _pairs_in_html(text: str) -> set:
    found = re.findall(
        r'data-link-id="(\d+)" data-claim-id="(\d+)" data-counterclaim-id="(\d+)"', text
    )
    headings = PAIR_HEADING.findall(text)
    assert sorted(found) == sorted(headings)
    return {tuple(map(int, f)) for f in found}


def _pairs_in_text(text: str) -> set:
    return {tuple(map(int, f)) for f in PAIR_HEADING.findall(" ".join(text.split()))}


def test_every_format_carries_the_same_pairs(seeded):
    scope = ReportScope()
    report = build_report(seeded, scope)
    expected = {(p.link_id, p.claim.id, p.counterclaim.id) for p in report.pairs}
    assert len(expected) == 9

    streamed_json = _text(build_report(seeded, scope, stream=True), "json")
    streamed_csv = _text(build_report(seeded, scope, stream=True), "csv")
    assert _pairs_in_json(streamed_json) == _pairs_in_csv(streamed_csv) == expected
    assert _pairs_in_json(_text(report, "json")) == _pairs_in_csv(_text(report, "csv"))
    page = _text(report, "html")
    assert _pairs_in_html(page) == expected
    assert _pairs_in_text(_text(report, "md")) == expected


@pytest.mark.pdf
def test_the_pdf_carries_the_pairs_of_the_html(seeded):
    # a scope of two pairs: WeasyPrint takes about a second a page
    report = build_report(seeded, ReportScope(actor="ISIS (Islamic State)"))
    html_pairs = _pairs_in_html(html.render(report))
    assert len(html_pairs) == 2
    document = PdfReader(io.BytesIO(pdf.render(report)))
    pdf_text = "\n".join(page.extract_text() for page in document.pages)
    assert _pairs_in_text(pdf_text) == html_pairs
    for heading in ("Contradiction report", "Whose claims contradict whose", "Timeline"):
        assert heading in pdf_text
    assert "ISIS has built a highly competent defence of Mosul" in " ".join(pdf_text.split())


def test_json_holds_every_claim_with_its_details_in_timeline_order(seeded):
    report = build_report(seeded, ReportScope(tags=("Mosul",)))
    document = json.loads(_text(report, "json"))
    assert document["summary"]["pairs"] == len(document["pairs"]) == 9
    assert document["scope"]["tags"][0]["name"] == "Mosul"
    claims = document["claims"]
    assert [c["id"] for c in claims] == [c.id for c in report.claims]
    dated = [c["stated_on"] for c in claims if c["stated_on"]]
    assert dated == sorted(dated) and claims[-1]["stated_on"] is None
    collapsing = next(c for c in claims if "organization collapsing" in c["text"])
    assert {s["reliability"] for s in collapsing["sources"]} == {"C", "D"}
    assert len(collapsing["assessments"]) == 2 and collapsing["consensus"]["median"] == 4.5
    assert sum(c["pairs"] for c in document["actor_matrix"]) == 9
    for cell in document["actor_matrix"]:
        assert cell["actors"][0]["id"] <= cell["actors"][1]["id"] and cell["actors"][0]["name"]


def test_the_graph_is_well_formed_svg_with_one_node_per_claim(seeded):
    report = build_report(seeded, ReportScope(tags=("Mosul",)))
    svg = ET.fromstring(graph.render_svg(graph.contradiction_graph(report.claims, report.pairs)))
    assert svg.tag == f"{SVG}svg"
    nodes = [g for g in svg.iter(f"{SVG}g") if "node" in g.get("class", "").split()]
    ids = [int(n.get("data-claim-id")) for n in nodes]
    assert sorted(ids) == sorted(c.id for c in report.claims)  # each claim once
    in_scope = {int(n.get("data-claim-id")) for n in nodes if "in-scope" in n.get("class")}
    assert in_scope == {c.id for c in report.claims if c.in_scope}
    contradictions = [e for e in svg.iter(f"{SVG}line") if e.get("data-relation") == "contradicts"]
    assert len(contradictions) == len(report.pairs)
    assert not [e for e in svg.iter() if "style" in e.attrib or e.tag == f"{SVG}script"]


def test_the_graph_layout_is_deterministic_and_on_the_canvas(seeded):
    report = build_report(seeded, ReportScope())
    drawn = graph.contradiction_graph(report.claims, report.pairs)
    first, second = graph.layout(drawn), graph.layout(drawn)
    assert first == second
    assert all(0 < x < graph.WIDTH and 0 < y < graph.HEIGHT for x, y in first.values())


def test_a_large_graph_keeps_the_most_contested_claims(seeded):
    report = build_report(seeded, ReportScope())
    drawn = graph.contradiction_graph(report.claims, report.pairs, limit=3)
    assert len(drawn.nodes) == 3 and drawn.left_out == len(report.claims) - 3
    degree = {}
    for p in report.pairs:
        for claim_id in (p.claim.id, p.counterclaim.id):
            degree[claim_id] = degree.get(claim_id, 0) + 1
    kept = {c.id for c in drawn.nodes}
    dropped = [degree.get(c.id, 0) for c in report.claims if c.id not in kept]
    assert min(degree.get(i, 0) for i in kept) >= max(dropped)


@pytest.mark.parametrize(
    ("median", "words", "bucket"),
    [(None, "no rating", None), (1.0, "confirmed by other sources", 1),
     (3.0, "possibly true", 3), (4.5, "between doubtful and improbable", 5),
     (2.5, "between probably true and possibly true", 3)],
)  # fmt: skip
def test_a_median_credibility_reads_honestly(median, words, bucket):
    assert graph.credibility_words(median) == words
    assert graph.credibility_bucket(median) == bucket


HOSTILE = '=HYPERLINK("http://x") <script>alert(1)</script> | *bold* [link](javascript:y)\n# h'


def test_hostile_claim_text_stays_text_in_every_format(session):
    claim = make_claim(session, text=HOSTILE)
    make_link(session, claim, make_claim(session, text="-2+3 is a formula too"))
    report = build_report(session, ReportScope(claim_id=claim.id))

    page = html.render(report)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    rendered = MarkdownIt("commonmark").render(markdown.render(report))
    assert "<script" not in rendered and "<a " not in rendered and "<em>" not in rendered
    assert "<h1>Contradiction report</h1>" in rendered and rendered.count("<h1>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered

    row = next(csv.DictReader(io.StringIO(_text(report, "csv"))))
    texts = {row["claim_text"], row["counterclaim_text"]}
    assert "'" + HOSTILE in texts and "'-2+3 is a formula too" in texts
    assert json.loads(_text(report, "json"))["pairs"][0]["claim"]["text"] in (HOSTILE,)


def test_csv_has_one_row_per_pair_with_both_sides(seeded):
    report = build_report(seeded, ReportScope(actor="Haider al-Abadi"))
    rows = list(csv.DictReader(io.StringIO(_text(report, "csv"))))
    assert list(rows[0]) == list(csv_format.COLUMNS)
    assert len(rows) == len(report.pairs) == 8
    assert {r["claim_claimant"] for r in rows} == {"Haider al-Abadi"}
    assert all(r["claim_sources"] for r in rows)
    assert {r["claim_credibility"] for r in rows} >= {"4.5"}


def test_markdown_and_html_need_a_report_in_memory(session):
    make_link(session)
    report = build_report(session, ReportScope(), stream=True)
    for renderer in (html.render, markdown.render):
        with pytest.raises(ValueError, match="in memory"):
            renderer(report)


def test_an_empty_report_says_nothing_is_contested_in_every_format(session):
    make_claim(session, status="settled")
    make_link(session)  # open claims
    report = build_report(session, ReportScope(status="settled"))
    assert "Nothing contested in this scope" in html.render(report)
    assert "Nothing contested in this scope" in markdown.render(report)
    assert json.loads(_text(report, "json"))["nothing_contested"] is True
    assert _text(report, "csv").count("\n") == 1  # the header only


# --- the PDF's fetcher ----------------------------------------------------------------


@pytest.mark.pdf
@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/hostname",
        "http://127.0.0.1:9/style.css",
        "https://example.org/logo.png",
        "ftp://example.org/x",
        pdf.STATIC_BASE + "../../pyproject.toml",
        pdf.STATIC_BASE + "%2e%2e/%2e%2e/pyproject.toml",
        pdf.STATIC_BASE + "no-such-file.css",
        "https://counterclaim.invalid/elsewhere/app.css",
    ],
)
def test_the_pdf_fetcher_refuses_anything_but_static_files_and_data(url):
    fetcher = pdf.static_fetcher()
    with pytest.raises(pdf.RefusedFetch):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


@pytest.mark.pdf
def test_the_pdf_fetcher_serves_static_files_and_data_urls():
    fetcher = pdf.static_fetcher()
    css = fetcher.fetch(pdf.STATIC_BASE + "reports.css")
    assert css.content_type == "text/css" and b"@page" in css.read()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


@pytest.mark.pdf
def test_a_document_referring_to_files_or_the_network_gets_neither():
    fetcher = pdf.static_fetcher()
    document = (
        '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css">'
        '<link rel="stylesheet" href="reports.css">'
        '<p>text</p><img src="file:///etc/hostname"><img src="data:image/gif;base64,'
        'R0lGODlhAQABAAAAACw=">'
    )
    assert pdf.render_html(document, fetcher=fetcher).startswith(b"%PDF")
    assert set(fetcher.refused) == {"http://127.0.0.1:9/evil.css", "file:///etc/hostname"}


def test_a_wide_matrix_is_narrowed_on_the_page_and_whole_in_json(seeded, monkeypatch):
    monkeypatch.setattr(html, "MATRIX_ACTORS", 2)
    report = build_report(seeded, ReportScope())
    page = html.render(report)
    table = page[
        page.index('<table class="matrix">') : page.index(
            "</table>", page.index('<table class="matrix">')
        )
    ]
    assert table.count('<th scope="row">') == 2
    assert "The table shows the 2 of 4 actors" in page
    assert "The 2 of 4 actors" in markdown.render(report)
    assert len(json.loads(_text(report, "json"))["actor_matrix"]) == 3
