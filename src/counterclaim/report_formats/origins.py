"""Small SVG drawings for the analytic sections: a claim's sources by origin, and a
claimant's claims per year. Every text is escaped; no script, no external reference."""

from __future__ import annotations

from markupsafe import Markup, escape

from counterclaim.services.rigour.corroboration import Corroboration

BOX_W, BOX_H, GAP_X, ROW_H, PAD = 190, 34, 40, 64, 12


def origins_svg(found: Corroboration) -> Markup:
    """Draw the claim's sources, one row per origin group, arrows for derivations."""
    if not found.groups:
        return Markup("")
    positions: dict[int, tuple[int, int]] = {}
    parts: list[str] = []
    widest = max(len(g.members) for g in found.groups)
    width = PAD * 2 + 150 + widest * (BOX_W + GAP_X)
    height = PAD * 2 + (len(found.groups) - 1) * ROW_H + BOX_H
    for row, group in enumerate(found.groups):
        y = PAD + row * ROW_H
        if group.independent:
            label, css = (
                f"origin {sum(1 for g in found.groups[: row + 1] if g.independent)}",
                "independent",
            )
        elif group.supporting:
            label, css = "repeats the claimant", "claimant"
        else:
            label, css = "does not support", "against"
        parts.append(
            f'<text class="group-label {css}" x="{PAD}" y="{y + BOX_H / 2 + 5}">'
            f"{escape(label)}</text>"
        )
        for col, member in enumerate(group.members):
            x = PAD + 150 + col * (BOX_W + GAP_X)
            positions[member.source_id] = (x, y)
            stance = "/".join(sorted(member.stances))
            title = member.title if len(member.title) <= 26 else member.title[:25] + "…"
            parts.append(
                f'<g class="source {css}"><title>{escape(member.title)} ({escape(stance)})</title>'
                f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="4"/>'
                f'<text x="{x + 8}" y="{y + 14}">#{member.source_id} {escape(title)}</text>'
                f'<text class="stance" x="{x + 8}" y="{y + 28}">{escape(stance)}</text></g>'
            )
    for source, origin, kind in found.edges:
        if source not in positions or origin not in positions:
            continue
        (x1, y1), (x2, y2) = positions[source], positions[origin]
        sx, sy = x1 + BOX_W / 2, y1 + (BOX_H if y2 > y1 else 0)
        ex, ey = x2 + BOX_W / 2, y2 + (0 if y2 > y1 else BOX_H)
        if y1 == y2:
            sx, sy, ex, ey = (x1, y1 + BOX_H / 2, x2 + BOX_W, y2 + BOX_H / 2) if x2 < x1 else (
                x1 + BOX_W, y1 + BOX_H / 2, x2, y2 + BOX_H / 2)  # fmt: skip
        dash = ' stroke-dasharray="4 3"' if kind == "chain" else ""
        parts.append(
            f'<path class="derivation" d="M{sx},{sy} L{ex},{ey}" marker-end="url(#arrow)"{dash}>'
            f"<title>{escape(kind)}</title></path>"
        )
    return Markup(  # noqa: S704 - every interpolated text is escaped above
        f'<svg class="origins" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" '
        f'aria-label="The claim\'s sources grouped by origin">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
        + "".join(parts)
        + "</svg>"
    )


def years_svg(by_year: list[tuple[str, int, int, int]]) -> Markup:
    """Draw claims per year as bars, the confirmed and false ones marked in each."""
    if not by_year:
        return Markup("")
    top = max(row[1] for row in by_year) or 1
    bar, gap, h = 36, 14, 90
    width = PAD * 2 + len(by_year) * (bar + gap)
    parts = []
    for i, (year, claims, confirmed, false) in enumerate(by_year):
        x = PAD + i * (bar + gap)
        for value, css, base in ((claims, "all", 0), (confirmed, "confirmed", 0),
                                 (false, "false", confirmed)):  # fmt: skip
            height = h * value / top
            offset = h * base / top
            y = PAD + h - offset - height
            parts.append(
                f'<rect class="{css}" x="{x}" y="{y:.1f}" width="{bar}" height="{height:.1f}">'
                f"<title>{escape(year)}: {value} {css}</title></rect>"
            )
        parts.append(f'<text x="{x + bar / 2}" y="{PAD + h + 14}" text-anchor="middle">'
                     f"{escape(year)}</text>")  # fmt: skip
        parts.append(f'<text x="{x + bar / 2}" y="{PAD + h - h * claims / top - 3:.1f}" '
                     f'text-anchor="middle" class="n">{claims}</text>')  # fmt: skip
    return Markup(  # noqa: S704 - every interpolated text is escaped above
        f'<svg class="years" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {PAD * 2 + h + 16}" width="{width}" '
        f'aria-label="Claims per year; confirmed in green, false in red">'
        + "".join(parts)
        + "</svg>"
    )
