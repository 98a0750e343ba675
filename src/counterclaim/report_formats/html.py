"""The report as HTML: the page's content, and a standalone document (the PDF's source).

The same template (`templates/reports/_body.html`) fills the workbench's report page and
the standalone document, so that the page, the HTML file and the PDF carry the same
pairs. Rendering needs a report built in memory; it runs no query.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from counterclaim.models import vocabulary
from counterclaim.paths import resource_dir
from counterclaim.services.claims.notes import render_markdown
from counterclaim.services.reports.reports import Pair, Report, ReportClaim

from .graph import contradiction_graph, credibility_words, render_svg

STYLESHEETS = ("app.css", "reports.css")
MATRIX_ACTORS = 30  # a wider actor × actor table is unreadable on a page
PAGE_GRAPH = 60  # claims in the graph of one page of pairs (the layout takes ~5 ms each)


# How a link other than a contradiction reads from the claim's side: (relation, outgoing).
RELATED_LABELS = {
    ("supports", True): "Supports", ("supports", False): "Supported by",
    ("qualifies", True): "Qualifies", ("qualifies", False): "Qualified by",
    ("responds_to", True): "Responds to", ("responds_to", False): "Answered by",
    ("duplicates", True): "Duplicates", ("duplicates", False): "Duplicates",
}  # fmt: skip


def related_label(related) -> str:
    """Return how a related claim reads from this claim's side ("Supported by")."""
    return RELATED_LABELS[(related.relation, related.outgoing)]


@dataclass
class PairGroup:
    """A contested claim in scope and the pairs it heads, in report order."""

    claim: ReportClaim
    pairs: list[Pair]


def context(report: Report, *, claim_url: Callable[[int], str] | None = None) -> dict:
    """Return what `_body.html` shows, derived from the report without any query.

    A report built with a window (the workbench's page) holds one page of pairs and the
    start of the timeline; the totals come from the summary, the graph and the lists
    of pairs per matrix cell from the pairs at hand.
    """
    if report.streaming:
        raise ValueError("HTML needs a report built in memory, not a streaming one")
    claims = {c.id: c for c in report.claims}
    groups: list[PairGroup] = []
    for pair in report.pairs:
        if not groups or groups[-1].claim.id != pair.claim.id:
            groups.append(PairGroup(claims[pair.claim.id], []))
        groups[-1].pairs.append(pair)
    cell_pairs: dict[tuple[int, int], list[int]] = {}
    for pair in report.pairs:
        a, b = pair.claim.claimant_id, pair.counterclaim.claimant_id
        cell_pairs.setdefault((min(a, b), max(a, b)), []).append(pair.link_id)
    contested = {p.claim.id for p in report.pairs} | {p.counterclaim.id for p in report.pairs}
    if report.window is None:
        graph = contradiction_graph(list(claims.values()), list(report.pairs))
    else:  # a page's graph: the claims of its pairs, few enough to lay out at once
        paired = contested & claims.keys()
        graph = contradiction_graph(
            [c for c in claims.values() if c.id in paired], list(report.pairs), PAGE_GRAPH
        )
    return {
        "report": report,
        "summary": report.summary,
        "claims": claims,
        "groups": groups,
        "window": report.window,
        "timeline": _timeline(report, claims),
        "contested": contested,
        "cell_pairs": cell_pairs,
        "actor_names": _actor_names(report),
        "matrix": report.matrix.top(MATRIX_ACTORS),
        "matrix_actors": report.matrix_actors or len(report.matrix.actors),
        "related_label": related_label,
        "graph": graph,
        # noqa below: built as an XML tree, every text escaped by ElementTree
        "graph_svg": Markup(render_svg(graph, claim_url=claim_url)),  # noqa: S704
        "claim_url": claim_url,
        "credibility_words": credibility_words,
        "vocab": vocabulary,
    }


def _actor_names(report: Report) -> dict[int, str]:
    """Every actor the matrix or the pairs name, by id."""
    names = dict(report.matrix.actors)
    for pair in report.pairs:
        for side in (pair.claim, pair.counterclaim):
            names.setdefault(side.claimant_id, side.claimant)
    return names


def _timeline(report: Report, claims: dict[int, ReportClaim]) -> list[ReportClaim]:
    """The claims in scope in timeline order (the first of them, in a window)."""
    timeline = [c for c in claims.values() if c.in_scope]
    return timeline[: report.window.timeline] if report.window else timeline


@functools.cache
def environment() -> Environment:
    """A Jinja environment for the standalone document (no Flask needed)."""
    env = Environment(
        loader=FileSystemLoader(resource_dir("templates")),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.do"],
    )
    env.filters["markdown"] = lambda body: Markup(render_markdown(body))  # noqa: S704 - nh3
    return env


def render(report: Report, *, stylesheet_urls: list[str] | None = None) -> str:
    """Return a standalone HTML document: its stylesheets inline unless URLs are given."""
    values = context(report)
    if stylesheet_urls is None:
        values["inline_css"] = Markup("\n".join(_stylesheet(name) for name in STYLESHEETS))  # noqa: S704
    values["stylesheet_urls"] = stylesheet_urls or []
    return environment().get_template("reports/document.html").render(**values)


def render_for_pdf(report: Report, static_base: str) -> str:
    """Return the document the PDF is made from: linked stylesheets, the graph as an image."""
    values = context(report)
    svg = str(values["graph_svg"])
    values["graph_image"] = "data:image/svg+xml;base64," + base64.b64encode(
        svg.encode("utf-8")
    ).decode("ascii")
    values["stylesheet_urls"] = [static_base + name for name in STYLESHEETS]
    return environment().get_template("reports/document.html").render(**values)


def static_dir() -> Path:
    """Return the web app's static folder (shipped inside the package)."""
    return Path(__file__).resolve().parent.parent / "web" / "static"


def _stylesheet(name: str) -> str:
    return (static_dir() / name).read_text(encoding="utf-8")
