"""The report as PDF, made with WeasyPrint from the standalone HTML document.

WeasyPrint fetches what a document refers to (stylesheets, images). Its fetcher here
serves only the app's own static files, under a base URL that names no host on any
network, and data: URLs (the graph). Everything else, file:// and http(s):// included,
is refused and noted, so that text in a claim can never make the PDF read a local file
or call out to the network.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from counterclaim.services.errors import DomainError
from counterclaim.services.reports.reports import Report

from . import html

# A base for the app's static files: `.invalid` can never resolve (RFC 2606), and the
# fetcher below answers it from the static folder without any network.
STATIC_BASE = "https://counterclaim.invalid/static/"

# A pair takes about a page and WeasyPrint about a second a page: past this, a PDF is
# minutes of one worker's time and a book nobody prints. CSV and JSON have no limit.
MAX_PAIRS = 200
# HTML is built whole in memory (the graph needs every pair): past this many pairs it
# is refused from the count; CSV, JSON and Markdown stream any size.
MAX_DOCUMENT_PAIRS = 5_000

log = logging.getLogger(__name__)


class TooLarge(DomainError):
    """The report has too many pairs for a PDF."""


class RefusedFetch(ValueError):
    """The PDF asked for something other than the app's static files or a data: URL."""


def static_fetcher(static_dir: Path | None = None):
    """Return a WeasyPrint URL fetcher limited to `static_dir` and data: URLs."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = (static_dir or html.static_dir()).resolve()

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("data",), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(STATIC_BASE):
                path = _static_file(root, url[len(STATIC_BASE) :])
                if path is not None:
                    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(
                        url, path.read_bytes(), headers={"Content-Type": mimetype}
                    )
            self.refused.append(url)
            log.info("refused to fetch %s for a PDF", url)
            raise RefusedFetch(f"a report PDF may not fetch {url!r}")

    return StaticOnlyFetcher()


def _static_file(root: Path, relative: str) -> Path | None:
    """Return the file `relative` names inside `root`, or None if it is not one."""
    name = unquote(urlsplit(relative).path)
    if not name or name.startswith("/") or "\\" in name:
        return None
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def refuse_too_large(fmt: str, pairs: int) -> None:
    """Raise TooLarge if a document in `fmt` (pdf, html, md) of `pairs` pairs is too big."""
    if fmt == "pdf" and pairs > MAX_PAIRS:
        raise TooLarge(
            f"This scope has {pairs:,} contradictions: a PDF holds at most "
            f"{MAX_PAIRS} (about a page each). Narrow the scope, or download CSV or JSON."
        )
    if fmt == "html" and pairs > MAX_DOCUMENT_PAIRS:
        raise TooLarge(
            f"This scope has {pairs:,} contradictions: an HTML report holds at most "
            f"{MAX_DOCUMENT_PAIRS:,}. Narrow the scope, or download Markdown, CSV or JSON."
        )


def render(report: Report, *, fetcher=None) -> bytes:
    """Return the report as a PDF document; refuse one of more than MAX_PAIRS pairs."""
    refuse_too_large("pdf", report.summary.pairs)
    document = html.render_for_pdf(report, STATIC_BASE)
    return render_html(document, fetcher=fetcher)


def render_html(document: str, *, fetcher=None) -> bytes:
    """Return an HTML document as PDF, fetching only what `static_fetcher` allows."""
    from weasyprint import HTML

    fetcher = fetcher or static_fetcher()
    # WeasyPrint warns about every screen-only CSS property it skips: not the user's concern
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return HTML(string=document, base_url=STATIC_BASE, url_fetcher=fetcher).write_pdf()
