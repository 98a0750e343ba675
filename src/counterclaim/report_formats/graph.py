"""The contradiction graph as SVG: claims as nodes coloured by consensus, links as edges.

The layout is deterministic (a seeded spring layout), the markup is built as an XML tree
(so it is always well-formed; control characters in a claim become U+FFFD in
services/xml_text.py), and it styles with SVG presentation attributes only: no
style attributes, no script, so it can sit inline under a strict Content-Security-Policy
and in a PDF as an image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from counterclaim.models.vocabulary import CREDIBILITY
from counterclaim.services.reports.reports import Pair, ReportClaim
from counterclaim.services.xml_text import to_xml

LIMIT = 200  # more nodes than this is a hairball: keep the most contested ones
WIDTH, HEIGHT, MARGIN, RADIUS = 960, 620, 40, 9
SVG_NS = "http://www.w3.org/2000/svg"
FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"

CREDIBILITY_COLOURS = {
    1: "#1b7837", 2: "#7fbf7b", 3: "#f6e8a6", 4: "#f4a582", 5: "#b2182b", None: "#c8ccd2",
}  # fmt: skip
RELATION_STYLES = {  # colour, width, dash pattern, drawn with an arrow
    "contradicts": ("#b2182b", 2.5, None, False),
    "supports": ("#1b7837", 1.5, None, True),
    "qualifies": ("#2166ac", 1.5, "6 3", True),
    "responds_to": ("#6b7280", 1.2, "2 3", True),
    "duplicates": ("#762a83", 1.5, "8 2 2 2", False),
}


@dataclass(frozen=True)
class Edge:
    source: int
    target: int
    relation: str


@dataclass
class Graph:
    nodes: list[ReportClaim]
    edges: list[Edge]
    left_out: int = 0


def credibility_bucket(median: float | None) -> int | None:
    """Return the credibility point 1–5 a median rounds to (x.5 to the less credible)."""
    return None if median is None else min(5, max(1, math.floor(median + 0.5)))


def credibility_words(median: float | None) -> str:
    """Return a median credibility in words: "doubtful", "between doubtful and improbable"."""
    if median is None:
        return "no rating"
    low, high = math.floor(median), math.ceil(median)
    if low == high:
        return CREDIBILITY[low].lower()
    return f"between {CREDIBILITY[low].lower()} and {CREDIBILITY[high].lower()}"


def contradiction_graph(claims: list[ReportClaim], pairs: list[Pair], limit: int = LIMIT) -> Graph:
    """Choose the nodes (the most contested first, when there are too many) and edges."""
    degree: dict[int, int] = {}
    for pair in pairs:
        for claim_id in (pair.claim.id, pair.counterclaim.id):
            degree[claim_id] = degree.get(claim_id, 0) + 1
    ranked = sorted(claims, key=lambda c: (-degree.get(c.id, 0), not c.in_scope, c.id))
    nodes = sorted(ranked[:limit], key=lambda c: c.id)
    kept = {c.id for c in nodes}
    edges = [
        Edge(p.claim.id, p.counterclaim.id, "contradicts")
        for p in pairs
        if p.claim.id in kept and p.counterclaim.id in kept
    ]
    seen: set[int] = set()
    for claim in nodes:
        for r in claim.related:
            if r.other_id in kept and r.link_id not in seen:
                seen.add(r.link_id)
                source, target = (claim.id, r.other_id) if r.outgoing else (r.other_id, claim.id)
                edges.append(Edge(source, target, r.relation))
    return Graph(nodes=nodes, edges=edges, left_out=max(0, len(claims) - limit))


def layout(graph: Graph) -> dict[int, tuple[float, float]]:
    """Return each node's position on the canvas, the same for the same graph.

    Linked claims take a seeded spring layout; claims with no link in the graph line up
    in rows along the bottom, where they do not push the others into a corner.
    """
    import networkx as nx

    linked = {e.source for e in graph.edges} | {e.target for e in graph.edges}
    alone = [c.id for c in graph.nodes if c.id not in linked]
    per_row = (WIDTH - 2 * MARGIN) // 40
    rows = -(-len(alone) // per_row)
    bottom = HEIGHT - 70 - rows * 22
    positions = {
        claim_id: (MARGIN + (n % per_row) * 40, bottom + 22 * (n // per_row) + 10)
        for n, claim_id in enumerate(alone)
    }
    g = nx.Graph()
    g.add_nodes_from(sorted(linked))
    g.add_edges_from(sorted((e.source, e.target) for e in graph.edges))
    components = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    boxes = _pack([len(c) for c in components], WIDTH - 2 * MARGIN, bottom - MARGIN - 10)
    for component, (left, top, side) in zip(components, boxes, strict=True):
        sub = g.subgraph(sorted(component))
        spring = nx.spring_layout(sub, seed=7, k=1.5 / math.sqrt(len(sub)), iterations=120)
        xs = [p[0] for p in spring.values()]
        ys = [p[1] for p in spring.values()]
        span_x, span_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
        inner = max(side - 2 * RADIUS - 16, 0)  # room for the rims and the labels
        for node, (x, y) in spring.items():
            positions[node] = (
                MARGIN + left + RADIUS + (x - min(xs)) / span_x * inner,
                MARGIN + top + RADIUS + (y - min(ys)) / span_y * inner,
            )
    return positions


def _pack(sizes: list[int], width: float, height: float) -> list[tuple[float, float, float]]:
    """Place a square per component, its area in proportion to its size, in shelves."""
    if not sizes:
        return []
    unit = math.sqrt(width * height * 0.55 / sum(sizes))
    while True:
        boxes, x, y, shelf = [], 0.0, 0.0, 0.0
        for size in sizes:
            side = max(math.sqrt(size) * unit, 2 * RADIUS + 24)
            if x + side > width and x > 0:
                x, y, shelf = 0.0, y + shelf, 0.0
            boxes.append((x, y, side))
            x, shelf = x + side, max(shelf, side)
        if y + shelf <= height or unit < 1:
            return boxes
        unit *= 0.9


def render_svg(graph: Graph, *, claim_url=None) -> str:
    """Return the graph as a standalone SVG document (no XML declaration).

    Each node is labelled with its number and a short claimant name; with `claim_url`
    (id -> URL) each node links to its claim's page.
    """
    ET.register_namespace("", SVG_NS)
    svg = ET.Element(
        f"{{{SVG_NS}}}svg",
        {"viewBox": f"0 0 {WIDTH} {HEIGHT}", "width": str(WIDTH), "height": str(HEIGHT),
         "role": "img", "aria-labelledby": "graph-title", "class": "contradiction-graph",
         "font-family": FONT, "font-size": "11"},
    )  # fmt: skip
    _sub(svg, "title", {"id": "graph-title"}, f"Contradiction graph of {len(graph.nodes)} claims")
    _markers(_sub(svg, "defs"))
    positions = layout(graph)
    edges = _sub(svg, "g", {"class": "edges"})
    for edge in graph.edges:
        _edge(edges, edge, positions[edge.source], positions[edge.target])
    nodes = _sub(svg, "g", {"class": "nodes"})
    for claim in graph.nodes:
        parent = nodes
        if claim_url is not None:
            parent = _sub(nodes, "a", {"href": claim_url(claim.id)})
        _node(parent, claim, positions[claim.id])
    _legend(svg)
    return to_xml(svg)


def _sub(parent, tag: str, attributes: dict | None = None, text: str | None = None):
    element = ET.SubElement(parent, f"{{{SVG_NS}}}{tag}", attributes or {})
    if text is not None:
        element.text = text
    return element


def _markers(defs) -> None:
    for relation, (colour, _, _, arrow) in RELATION_STYLES.items():
        if arrow:
            marker = _sub(defs, "marker", {
                "id": f"arrow-{relation}", "viewBox": "0 0 10 10", "refX": "10", "refY": "5",
                "markerWidth": "7", "markerHeight": "7", "orient": "auto-start-reverse",
            })  # fmt: skip
            _sub(marker, "path", {"d": "M 0 0 L 10 5 L 0 10 z", "fill": colour})


def _edge(parent, edge: Edge, start, end) -> None:
    colour, width, dash, arrow = RELATION_STYLES[edge.relation]
    (x1, y1), (x2, y2) = start, end
    length = math.hypot(x2 - x1, y2 - y1) or 1
    # stop at the circles' rims so that arrowheads show
    dx, dy = (x2 - x1) / length * RADIUS, (y2 - y1) / length * RADIUS
    attributes = {
        "x1": f"{x1 + dx:.1f}", "y1": f"{y1 + dy:.1f}", "x2": f"{x2 - dx:.1f}",
        "y2": f"{y2 - dy:.1f}", "stroke": colour, "stroke-width": str(width),
        "class": f"edge edge-{edge.relation}", "data-relation": edge.relation,
    }  # fmt: skip
    if dash:
        attributes["stroke-dasharray"] = dash
    if arrow:
        attributes["marker-end"] = f"url(#arrow-{edge.relation})"
    line = _sub(parent, "line", attributes)
    _sub(line, "title", None, f"#{edge.source} {edge.relation.replace('_', ' ')} #{edge.target}")


def _node(parent, claim: ReportClaim, position) -> None:
    x, y = position
    bucket = credibility_bucket(claim.consensus.median if claim.consensus else None)
    group = _sub(parent, "g", {
        "class": "node " + ("in-scope" if claim.in_scope else "outside-scope"),
        "data-claim-id": str(claim.id),
    })  # fmt: skip
    circle = {
        "cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": str(RADIUS),
        "fill": CREDIBILITY_COLOURS[bucket], "stroke": "#1d232b", "stroke-width": "1",
    }  # fmt: skip
    if not claim.in_scope:
        circle["stroke-dasharray"] = "3 2"
    _sub(group, "circle", circle)
    _sub(group, "text", {"x": f"{x + RADIUS + 2:.1f}", "y": f"{y + 4:.1f}", "fill": "#1d232b"},
         short_label(claim))  # fmt: skip
    median = claim.consensus.median if claim.consensus else None
    credibility = f"credibility {median:g} ({credibility_words(median)})" if bucket else "no rating"
    text = claim.text if len(claim.text) <= 160 else claim.text[:159] + "…"
    _sub(group, "title", None, f"#{claim.id} {claim.claimant}: {text} — {credibility}")


def short_label(claim: ReportClaim, *, width: int = 16) -> str:
    """Return a node's label: its number and the start of its claimant's name."""
    name = str(claim.claimant)
    if len(name) > width:
        name = name[: width - 1].rstrip() + "…"
    return f"#{claim.id} {name}"


def _legend(svg) -> None:
    legend = _sub(svg, "g", {"class": "legend"})
    y = HEIGHT - 42
    _sub(legend, "text", {"x": str(MARGIN), "y": str(y), "fill": "#1d232b"}, "Consensus:")
    x = MARGIN + 78
    for bucket, colour in CREDIBILITY_COLOURS.items():
        _sub(legend, "circle", {"cx": str(x), "cy": str(y - 4), "r": "6", "fill": colour,
                                "stroke": "#1d232b", "stroke-width": "1"})  # fmt: skip
        label = str(bucket) if bucket else "none"
        _sub(legend, "text", {"x": str(x + 9), "y": str(y), "fill": "#1d232b"}, label)
        x += 24 + 7 * len(label)
    _sub(legend, "text", {"x": str(x + 12), "y": str(y), "fill": "#1d232b"},
         "dashed rim: outside the scope")  # fmt: skip
    y, x = HEIGHT - 18, MARGIN
    for relation, (colour, width, dash, arrow) in RELATION_STYLES.items():
        line = {"x1": str(x), "y1": str(y - 4), "x2": str(x + 28), "y2": str(y - 4),
                "stroke": colour, "stroke-width": str(width)}  # fmt: skip
        if dash:
            line["stroke-dasharray"] = dash
        if arrow:
            line["marker-end"] = f"url(#arrow-{relation})"
        _sub(legend, "line", line)
        label = relation.replace("_", " ")
        _sub(legend, "text", {"x": str(x + 33), "y": str(y), "fill": "#1d232b"}, label)
        x += 48 + 7 * len(label)
