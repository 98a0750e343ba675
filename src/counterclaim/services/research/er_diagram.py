"""The entity-relationship diagram of the tables, drawn as SVG by a small layered layout.

Tables are boxes listing their columns: the primary key underlined, foreign keys in bold,
a question mark after the type of a column that may be NULL. A foreign key is a curve
from its column to the key it references, with an arrow at the referenced end. Layout, in
the manner of Sugiyama's: a table that references no other table stands in the first
column, any other one column to the right of the furthest table it references; within a
column, tables are ordered by the mean position of the tables they reference (the first
column by those referencing it), which keeps most curves short and uncrossed. The SVG is
built with ElementTree, so every name is escaped, and it has no script and no style
attribute.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from ..xml_text import to_xml
from .schema import RelationDoc

BOX_WIDTH = 250
HEADER = 26
ROW = 18
COLUMN_GAP = 140
BOX_GAP = 24
MARGIN = 20
FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif"


def layers(tables: list[RelationDoc]) -> list[list[RelationDoc]]:
    """Return the tables in columns: each after every table it references."""
    by_name = {table.name: table for table in tables}
    parents = {table.name: _parents(table, by_name) for table in tables}
    depth: dict[str, int] = {}

    def depth_of(name: str, visiting: frozenset[str] = frozenset()) -> int:
        if name not in depth:
            others = [p for p in parents[name] if p not in visiting]  # a cycle stops here
            depth[name] = 1 + max((depth_of(p, visiting | {name}) for p in others), default=-1)
        return depth[name]

    columns: list[list[RelationDoc]] = []
    for table in sorted(tables, key=lambda t: t.name):
        level = depth_of(table.name)
        while len(columns) <= level:
            columns.append([])
        columns[level].append(table)
    children = {name: [c for c in parents if name in parents[c]] for name in parents}
    for _sweep in range(2):
        position = {t.name: i for column in columns for i, t in enumerate(column)}
        for column in columns[1:]:
            column.sort(key=lambda t: _mean(position[p] for p in parents[t.name]))
        # The first column follows the tables that reference it; lone tables go last.
        position = {t.name: i for column in columns for i, t in enumerate(column)}
        columns[0].sort(
            key=lambda t: _mean(position[c] for c in children[t.name]) if children[t.name] else 1e9
        )
    return columns


def er_diagram_svg(tables: list[RelationDoc]) -> str:
    """Return the SVG document of the diagram of `tables` and their foreign keys."""
    columns = layers(tables)
    boxes: dict[str, tuple[float, float]] = {}
    height = 0.0
    for index, column in enumerate(columns):
        x = MARGIN + index * (BOX_WIDTH + COLUMN_GAP)
        y = float(MARGIN)
        for table in column:
            boxes[table.name] = (x, y)
            y += _box_height(table) + BOX_GAP
        height = max(height, y)
    width = MARGIN * 2 + len(columns) * BOX_WIDTH + max(len(columns) - 1, 0) * COLUMN_GAP + 40

    svg = ET.Element(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        width=str(width),
        height=str(int(height + MARGIN)),
        viewBox=f"0 0 {width} {int(height + MARGIN)}",
        role="img",
        **{"font-family": FONT, "font-size": "12"},
    )
    ET.SubElement(svg, "title").text = "Entity-relationship diagram of the Counterclaim tables"
    defs = ET.SubElement(svg, "defs")
    marker = ET.SubElement(
        defs, "marker", id="arrow", viewBox="0 0 10 10", refX="10", refY="5",
        markerWidth="8", markerHeight="8", orient="auto-start-reverse",
    )  # fmt: skip
    ET.SubElement(marker, "path", d="M 0 0 L 10 5 L 0 10 z", fill="#5b6673")

    edges = ET.SubElement(svg, "g", fill="none", stroke="#5b6673", **{"stroke-width": "1.2"})
    for table in tables:
        for row, column in enumerate(table.columns):
            if column.references:
                target_table, target_column = column.references.split(".", 1)
                if target_table in boxes:
                    _edge(edges, table, row, boxes, target_table, target_column, tables)
    for table in tables:
        _box(svg, table, *boxes[table.name])
    return to_xml(svg, xml_declaration=False)


def _parents(table: RelationDoc, by_name: dict[str, RelationDoc]) -> list[str]:
    names = {c.references.split(".", 1)[0] for c in table.columns if c.references}
    return sorted(name for name in names if name in by_name and name != table.name)


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else -1.0


def _box_height(table: RelationDoc) -> int:
    return HEADER + ROW * len(table.columns) + 6


def _row_y(y: float, row: int) -> float:
    return y + HEADER + ROW * row + ROW / 2 + 2


def _box(svg: ET.Element, table: RelationDoc, x: float, y: float) -> None:
    group = ET.SubElement(svg, "g")
    ET.SubElement(group, "title").text = table.description
    ET.SubElement(
        group, "rect", x=str(x), y=str(y), width=str(BOX_WIDTH),
        height=str(_box_height(table)), rx="4", fill="#ffffff", stroke="#1d232b",
    )  # fmt: skip
    ET.SubElement(
        group, "rect", x=str(x), y=str(y), width=str(BOX_WIDTH), height=str(HEADER),
        rx="4", fill="#1f5fbf",
    )  # fmt: skip
    header = ET.SubElement(
        group, "text", x=str(x + 8), y=str(y + HEADER - 8), fill="#ffffff",
        **{"font-weight": "700", "font-size": "13"},
    )  # fmt: skip
    header.text = table.name
    for row, column in enumerate(table.columns):
        baseline = _row_y(y, row) + 4
        name = ET.SubElement(group, "text", x=str(x + 8), y=str(baseline))
        name.text = column.name
        if column.primary_key:
            name.set("text-decoration", "underline")
        if column.primary_key or column.references:
            name.set("font-weight", "600")
        kind = ET.SubElement(
            group, "text", x=str(x + BOX_WIDTH - 8), y=str(baseline), fill="#5b6673",
            **{"text-anchor": "end"},
        )  # fmt: skip
        kind.text = _short_type(column.type) + ("?" if column.nullable else "")


def _edge(
    edges: ET.Element,
    table: RelationDoc,
    row: int,
    boxes: dict[str, tuple[float, float]],
    target_table: str,
    target_column: str,
    tables: list[RelationDoc],
) -> None:
    x, y = boxes[table.name]
    tx, ty = boxes[target_table]
    target = next(t for t in tables if t.name == target_table)
    target_row = next(
        (i for i, column in enumerate(target.columns) if column.name == target_column), 0
    )
    start_y, end_y = _row_y(y, row), _row_y(ty, target_row)
    if target_table == table.name:  # a self-reference loops out on the right
        right = x + BOX_WIDTH
        d = f"M {right} {start_y} C {right + 40} {start_y} {right + 40} {end_y} {right} {end_y}"
    elif tx < x:
        start, end = x, tx + BOX_WIDTH
        bend = max((start - end) / 2, 40)
        d = f"M {start} {start_y} C {start - bend} {start_y} {end + bend} {end_y} {end} {end_y}"
    else:
        start, end = x + BOX_WIDTH, tx
        bend = max((end - start) / 2, 40)
        d = f"M {start} {start_y} C {start + bend} {start_y} {end - bend} {end_y} {end} {end_y}"
    path = ET.SubElement(edges, "path", d=d, **{"marker-end": "url(#arrow)"})
    ET.SubElement(path, "title").text = f"{table.name}.{table.columns[row].name} → {target_table}"


def _short_type(name: str) -> str:
    name = name.lower()
    for long, short in (
        ("timestamp", "timestamp"),
        ("datetime", "timestamp"),
        ("character varying", "varchar"),
    ):
        if name.startswith(long):
            return short
    return name.split("(")[0] if len(name) > 14 else name
