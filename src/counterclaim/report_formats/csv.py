"""The report as CSV: one row per claim/counterclaim pair, streamed row by row.

A cell that a spreadsheet would read as a formula gets the SQL console's guard
(`services/research/result_formats.py::csv_cell`): one rule for every CSV the project writes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from counterclaim.services.reports.reports import Report, Side
from counterclaim.services.research.result_formats import csv_cell

from . import chunked

SIDE_COLUMNS = ("id", "text", "claimant_id", "claimant", "stated_on", "status", "credibility",
                "sources")  # fmt: skip
COLUMNS = (
    "link_id", "strength", "rationale",
    *(f"claim_{c}" for c in SIDE_COLUMNS), *(f"counterclaim_{c}" for c in SIDE_COLUMNS),
)  # fmt: skip


def render(report: Report) -> Iterator[str]:
    """Yield the CSV text in chunks: a header row, then one row per pair."""
    return chunked(_lines(report))


def _lines(report: Report) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(COLUMNS)
    for p in report.pairs:
        yield line(
            [p.link_id, p.strength, csv_cell(p.rationale), *_side(p.claim), *_side(p.counterclaim)]
        )


def _side(side: Side) -> list:
    credibility = "" if side.credibility is None else f"{side.credibility:g}"
    return [
        side.id, csv_cell(side.text), side.claimant_id, csv_cell(side.claimant),
        side.stated_on.isoformat() if side.stated_on else "", side.status, credibility,
        csv_cell(side.sources),
    ]  # fmt: skip
