"""Contradiction reports: the scope form, the report page, and downloads in every format.

The scope lives in the query string (`/reports/report?tag=Mosul&status=open`), so a
report's URL can be shared. CSV and JSON stream from the database as they are written.

Every report is counted before it is built (one statement): the page shows one page of
pairs (`?page=N`) with the totals; a PDF, HTML or Markdown download over its limit is
refused from the count. Pages and downloads are heavy requests (web/heavy.py).
"""

from datetime import UTC, datetime
from itertools import chain

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for

from counterclaim import report_formats
from counterclaim.report_formats import FORMATS, html, pdf, rigour
from counterclaim.report_formats.pdf import TooLarge, refuse_too_large
from counterclaim.services.reports import report_rigour
from counterclaim.services.reports.reports import (
    ReportScope,
    ScopeError,
    Window,
    build_report,
    count,
)

from ..access import requires
from ..database import get_session
from ..heavy import heavy
from .forms import ScopeForm

bp = Blueprint("reports", __name__, url_prefix="/reports")

PAGE_PAIRS = 100  # pairs laid out side by side on one page; downloads carry them all
TIMELINE_CLAIMS = 500  # claims of the timeline on a page; JSON carries them all
MAX_PAGE = 1_000_000


@bp.get("/")
@requires("viewer")
def index():
    """The scope form; with `count`, the scope's counts before the report is made."""
    session = get_session()
    form = ScopeForm(request.args).fill(session)
    summary = None
    if request.args.get("count"):
        try:
            summary = build_report(session, ReportScope.from_params(request.args)).summary
        except ScopeError as error:
            return _bad_scope(error)
    return render_template(
        "reports/index.html", form=form, error=None, summary=summary, pdf_limit=pdf.MAX_PAIRS
    )


@bp.get("/report")
@requires("viewer")
@heavy(report=True)
def report():
    session = get_session()
    try:
        scope = ReportScope.from_params(request.args)
        page = _page_number()
        counted = count(session, scope)
        pages = max(1, -(-counted[1].pairs // PAGE_PAIRS))
        if page > pages:
            raise ScopeError("page", f"this scope has {pages} page{'s' if pages > 1 else ''}.")
        window = Window(offset=(page - 1) * PAGE_PAIRS, size=PAGE_PAIRS, timeline=TIMELINE_CLAIMS)
        built = build_report(session, scope, window=window, counted=counted)
    except ScopeError as error:
        return _bad_scope(error)
    values = html.context(built, claim_url=lambda i: url_for("claims.detail", claim_id=i))
    shown = [side.id for pair in built.pairs for side in (pair.claim, pair.counterclaim)]
    found = report_rigour.report_rigour(session, scope, claim_ids=shown)
    params = scope.params()
    downloads = {f.label: url_for("reports.download", fmt=f.name, **params)
                 for f in FORMATS.values()}  # fmt: skip
    paging = {
        "page": page, "pages": pages, "first_pair": window.offset + 1,
        "previous": url_for("reports.report", **params, page=page - 1) if page > 1 else None,
        "next": url_for("reports.report", **params, page=page + 1) if page < pages else None,
    }  # fmt: skip
    form = ScopeForm(request.args).fill(session)
    too_large = built.summary.pairs > pdf.MAX_PAIRS
    return render_template(
        "reports/page.html", form=form, downloads=downloads, paging=paging,
        pdf_limit=pdf.MAX_PAIRS, pdf_refused=too_large, rigour=found,
        claimants_shown=report_rigour.CLAIMANTS, **values,
    )  # fmt: skip


@requires("viewer")
@heavy(report=True)
def download(fmt: str):
    spec = FORMATS[fmt]
    session = get_session()
    try:
        scope = ReportScope.from_params(request.args)
        counted = count(session, scope)
        if not spec.streams:
            refuse_too_large(fmt, counted[1].pairs)  # from the count, before any build
        built = build_report(
            session, scope, stream=spec.streams, counted=counted, detailed=fmt == "md"
        )
        if fmt in ("json", "md"):  # corroboration, circular reporting, claimants' records
            found = report_rigour.report_rigour(session, scope)
            built.extras["rigour"] = report_rigour.as_json(found)
        pieces = report_formats.render(built, fmt)
        if fmt == "md":
            pieces = chain(pieces, ["\n" + rigour.markdown(found)])
    except (ScopeError, TooLarge) as error:
        return _bad_scope(error)
    filename = f"contradiction-report-{datetime.now(UTC):%Y%m%d-%H%M}.{spec.extension}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if spec.streams:
        pieces = stream_with_context(pieces)
    return Response(pieces, content_type=spec.mimetype, headers=headers)


# One rule per format (`/reports/report.pdf`, …), all served by `download`.
for _name in FORMATS:
    bp.add_url_rule(
        f"/report.{_name}", endpoint="download", view_func=download, defaults={"fmt": _name}
    )


def _page_number() -> int:
    value = request.args.get("page", "1").strip() or "1"
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise ScopeError("page", f"{value[:20]!r} is not a page number.")
    return int(value)


def _bad_scope(error: ScopeError | TooLarge):
    """Answer 400 with the scope form, the error next to the parameter it names."""
    form = ScopeForm(request.args).fill(get_session())
    if isinstance(error, ScopeError):
        form.show(error)
    return render_template("reports/index.html", form=form, error=error), 400
