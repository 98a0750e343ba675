"""Contradiction reports: the scope form, the report page, and downloads in every format.

The scope lives in the query string (`/reports/report?tag=Mosul&status=open`), so a
report's URL can be shared. CSV and JSON stream from the database as they are written.
"""

from datetime import UTC, datetime

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for

from counterclaim import report_formats
from counterclaim.report_formats import FORMATS, html, pdf
from counterclaim.report_formats.pdf import TooLarge
from counterclaim.services.reports import ReportScope, ScopeError, build_report

from ..access import requires
from ..database import get_session
from .forms import ScopeForm

bp = Blueprint("reports", __name__, url_prefix="/reports")

PAGE_PAIRS = 300  # pairs laid out side by side on the page; downloads carry them all


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
def report():
    session = get_session()
    try:
        scope = ReportScope.from_params(request.args)
        built = build_report(session, scope)
    except ScopeError as error:
        return _bad_scope(error)
    values = html.context(
        built, claim_url=lambda i: url_for("claims.detail", claim_id=i), max_pairs=PAGE_PAIRS
    )
    downloads = {f.label: url_for("reports.download", fmt=f.name, **scope.params())
                 for f in FORMATS.values()}  # fmt: skip
    form = ScopeForm(request.args).fill(session)
    too_large = built.summary.pairs > pdf.MAX_PAIRS
    return render_template(
        "reports/page.html", form=form, downloads=downloads, pdf_limit=pdf.MAX_PAIRS,
        pdf_refused=too_large, **values,
    )  # fmt: skip


@requires("viewer")
def download(fmt: str):
    spec = FORMATS[fmt]
    try:
        scope = ReportScope.from_params(request.args)
        built = build_report(get_session(), scope, stream=spec.streams)
    except ScopeError as error:
        return _bad_scope(error)
    try:
        pieces = report_formats.render(built, fmt)
    except TooLarge as error:
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


def _bad_scope(error: ScopeError | TooLarge):
    """Answer 400 with the scope form, the error next to the parameter it names."""
    form = ScopeForm(request.args).fill(get_session())
    if isinstance(error, ScopeError):
        form.show(error)
    return render_template("reports/index.html", form=form, error=error), 400
