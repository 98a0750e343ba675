"""The formats of a contradiction report: each renders a `Report` and runs no query.

HTML and PDF take a report built in memory; CSV, JSON and Markdown also take a streaming
one (Markdown a `detailed` one) and produce their output piece by piece.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from counterclaim.services.reports.reports import Report


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    mimetype: str
    streams: bool  # renders a streaming report, piece by piece

    @property
    def extension(self) -> str:
        return self.name


FORMATS = {
    f.name: f
    for f in (
        Format("html", "HTML", "text/html; charset=utf-8", streams=False),
        Format("pdf", "PDF", "application/pdf", streams=False),
        Format("md", "Markdown", "text/markdown; charset=utf-8", streams=True),
        Format("csv", "CSV", "text/csv; charset=utf-8", streams=True),
        Format("json", "JSON", "application/json", streams=True),
    )
}


def render(report: Report, name: str) -> Iterable[str] | Iterable[bytes]:
    """Render `report` in format `name`, as pieces of text (bytes for the PDF)."""
    from . import csv, html, json, markdown, pdf

    if name == "pdf":
        return [pdf.render(report)]
    if name == "md":
        return chunked(markdown.pieces(report)) if report.streaming else [markdown.render(report)]
    if name == "html":
        return [html.render(report)]
    return {"csv": csv.render, "json": json.render}[name](report)


def write(report: Report, name: str, out: IO[bytes]) -> None:
    """Write `report` in format `name` to a binary file, piece by piece."""
    for piece in render(report, name):
        out.write(piece if isinstance(piece, bytes) else piece.encode("utf-8"))


def chunked(pieces: Iterable[str], size: int = 64 * 1024) -> Iterator[str]:
    """Join small pieces of text into chunks of about `size` characters."""
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer)
