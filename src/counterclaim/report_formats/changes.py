"""The "changes since" report in Markdown, HTML and JSON (PDF and CSV are not offered:
a change list is short prose, not a table to sort or a document to print)."""

import json

from markupsafe import Markup

from counterclaim.services.reports.changes import Changes

from .markdown import esc

FORMATS = ("md", "html", "json")


def render(found: Changes, fmt: str) -> str:
    """Return the changes in `fmt` (md, html or json)."""
    if fmt == "json":
        return json.dumps(found.as_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        return _html(found)
    return _markdown(found)


def _markdown(found: Changes) -> str:
    title = f"snapshot #{found.snapshot_id}" if found.snapshot_id else found.since.date()
    lines = [f"# Changes since {title}", "",
             f"Scope: {esc(found.scope or 'every claim')} · since "
             f"{found.since:%Y-%m-%d %H:%M} UTC · {found.total} change(s)", ""]  # fmt: skip

    def section(heading: str, items: list[str]) -> None:
        lines.extend([f"## {heading} ({len(items)})", ""])
        lines.extend(f"- {item}" for item in items or ["None."])
        lines.append("")

    section("New claims", [f"#{i} {esc(t)}" for i, t in found.new_claims])
    section("Retractions", [f"#{i} {esc(t)}" for i, t in found.retractions])
    section("New disagreements among analysts",
            [f"#{i} {esc(t)}" for i, t in found.new_disagreements])  # fmt: skip
    section("New contradictions", [_pair(x) for x in found.new_contradictions])
    section("Removed contradictions", [_pair(x) for x in found.removed_contradictions])
    section("Consensus that moved",
            [f"#{m.claim_id} {esc(m.text)} — {_num(m.before)} → {_num(m.after)}"
             for m in found.consensus_moved])  # fmt: skip
    section("New sources", [f"#{i} {esc(t)}" for i, t in found.new_sources])
    section("New derivations",
            [f"source #{s} {k} source #{f}" for _, s, f, k in found.new_derivations])  # fmt: skip
    return "\n".join(lines)


def _pair(link: tuple[int, int, int]) -> str:
    number, claim, counterclaim = link
    return f"#{claim} contradicts #{counterclaim} (link #{number})"


def _num(value) -> str:
    return "none" if value is None else f"{value:g}"


def _html(found: Changes) -> str:
    from .html import environment

    body = environment().get_template("reports/_changes.html").render(found=found)
    title = f"snapshot #{found.snapshot_id}" if found.snapshot_id else f"{found.since:%Y-%m-%d}"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Changes since {Markup.escape(title)} · Counterclaim</title></head>"
        f"<body><main><h1>Changes since {Markup.escape(title)}</h1>\n{body}</main></body></html>\n"
    )
