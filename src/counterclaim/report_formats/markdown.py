"""The report as Markdown: summary, actor matrix, each pair side by side, timeline.

Every piece of text that came from the database is escaped, so that a claim cannot add
headings, links, tables cells or raw HTML to the document. The graph is a picture: it is
in the HTML and PDF forms only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from counterclaim.services.reports.reports import Pair, Report, ReportClaim

from . import html
from .graph import credibility_words

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~&])")
_LEADING = re.compile(r"^([#+=-]|\d+(?=[.)]))")


def esc(text: object) -> str:
    """Escape text for Markdown: one line, with every special character made literal."""
    flat = _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    return _LEADING.sub(lambda m: m[0] + "\\" if m[0][0].isdigit() else "\\" + m[0], flat)


def render(report: Report) -> str:
    """Return the report as a Markdown document."""
    if report.streaming:
        raise ValueError("render needs a report built in memory; a stream goes to `pieces`")
    return "".join(pieces(report))


def pieces(report: Report) -> Iterator[str]:
    """Yield the document line by line: from a report in memory, or a `detailed` stream."""
    if report.streaming:
        if report.detailed_pairs is None:
            raise ValueError("Markdown needs a detailed stream (build_report(detailed=True))")
        detailed, claims = report.detailed_pairs, report.claims
    else:
        by_id = {c.id: c for c in report.claims}
        detailed = ((p, by_id[p.claim.id], by_id[p.counterclaim.id]) for p in report.pairs)
        claims = by_id.values()
    s = report.summary
    out = [
        "# Contradiction report", "",
        f"Scope: {esc('; '.join(report.scope.description))}.  ",
        f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC.", "",
        "## Summary", "",
        "| | |", "|---|---:|",
        f"| Claims in scope | {s.claims} |", f"| Contested claims | {s.contested} |",
        f"| Contradictions | {s.pairs} |",
        f"| Contradictions without any assessment | {s.unassessed} |",
        f"| Claims whose analysts disagree | {s.disputed} |", "",
    ]  # fmt: skip
    if report.by_actor:
        out += ["| Claimant | Claims in scope | Contested |", "|---|---:|---:|"]
        out += [f"| {esc(a.name)} | {a.claims} | {a.contested} |" for a in report.by_actor]
        out.append("")
    if report.is_empty:
        what = (
            f"none of its {s.claims} claim(s) is contradicted by another claim"
            if s.claims
            else "no claim is in it"
        )
        out += [f"**Nothing contested in this scope**: {what}.", ""]
    else:
        out += _matrix(report) + ["## Contested claims and their counterclaims", ""]
    yield from (line + "\n" for line in out)
    if not report.is_empty:
        for pair, claim, counterclaim in detailed:
            yield from (line + "\n" for line in _pair(pair, claim, counterclaim))
    yield "## Timeline of the claims in scope\n\n"
    empty = True
    for c in claims:
        if c.in_scope:
            empty = False
            when = c.stated_on or "date unknown"
            yield f"- {when} — {esc(c.claimant)}: {esc(c.text)} (#{c.id})\n"
    if empty:
        yield "No claim is in this scope.\n"


def _matrix(report: Report) -> list[str]:
    matrix = report.matrix.top(html.MATRIX_ACTORS)
    actors = matrix.actors
    total = report.matrix_actors or len(report.matrix.actors)
    out = ["## Whose claims contradict whose", ""]
    if len(actors) < total:
        out += [f"The {len(actors)} of {total} actors whose claims are in "
                "the most contradictions; the JSON has every pair of actors.", ""]  # fmt: skip
    out.append("| | " + " | ".join(esc(name) for _, name in actors) + " |")
    out.append("|---|" + "---:|" * len(actors))
    for a_id, a_name in actors:
        cells = [str(matrix.count(a_id, b_id) or "") for b_id, _ in actors]
        out.append(f"| **{esc(a_name)}** | " + " | ".join(cells) + " |")
    return out + [""]


def _pair(p: Pair, claim: ReportClaim, counterclaim: ReportClaim) -> list[str]:
    out = [
        f"### Link #{p.link_id}: claim #{p.claim.id} against claim #{p.counterclaim.id}", "",
        f"Contradicts, {p.strength}." + (f" {esc(p.rationale)}" if p.rationale else ""), "",
    ]  # fmt: skip
    return out + _side("Claim", claim) + _side("Counterclaim", counterclaim)


def _side(heading: str, c: ReportClaim) -> list[str]:
    scope = "" if c.in_scope else " (outside the scope)"
    quote = f"“{esc(c.text)}”" if c.is_verbatim else esc(c.text)
    out = [
        f"**{heading} #{c.id}**{scope} — {esc(c.claimant)}, {c.stated_on or 'date unknown'}, "
        f"{c.status.replace('_', ' ')}", "", f"> {quote}", "",
    ]  # fmt: skip
    for a in c.sources:
        locator = f", {esc(a.locator)}" if a.locator else ""
        out.append(
            f"- **{a.reliability}** {esc(a.title)}{locator} ({a.stance}): “{esc(a.excerpt)}”"
        )
    if c.consensus:
        m = c.consensus.median
        value = "—" if m is None else f"{m:g} ({credibility_words(m)})"
        flag = " — **analysts disagree**" if c.consensus.disputed else ""
        out.append(f"- Consensus credibility {value} from {c.consensus.analysts} analyst(s), "
                   f"spread {c.consensus.spread}{flag}")  # fmt: skip
        out += [f"  - {esc(j.analyst)}: {j.credibility} ({j.confidence} confidence). "
                f"{esc(j.rationale)}" for j in c.assessments]  # fmt: skip
    else:
        out.append("- Not assessed.")
    out += [f"- Fact-checked by {esc(f.reviewer)}: “{esc(f.verdict)}” ({f.credibility})"
            + (f" {f.url}" if f.url else "") for f in c.reviews]  # fmt: skip
    out += [f"- Note by {esc(n.author)}: {esc(n.body)}" for n in c.notes]
    for r in c.related:
        label = html.related_label(r)
        out.append(f"- {label} #{r.other_id} ({esc(r.other_claimant)}): {esc(r.other_text)}")
    return out + [""]
