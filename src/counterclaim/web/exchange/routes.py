"""The import page: upload, dry run, then import; the uploaded file waits in between.

Editors import claims, sources and reviews. A Counterclaim dump writes any table under
the ids and authors it names (users, revisions, notes by anyone), so only an
administrator may load one here, after the dry run lists what it adds (and the accounts
by name and role); the dump's tables are checked at upload and again at confirmation.
"""

import json
import secrets
import time
from pathlib import Path

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from counterclaim.services import exchange
from counterclaim.services.accounts import policy
from counterclaim.services.errors import DomainError
from counterclaim.services.exchange import reviews as review_service
from counterclaim.services.exchange import tabular
from counterclaim.services.exchange import verdicts as verdict_service
from counterclaim.services.exchange.reading import human_size

from ..access import requires
from ..database import get_session
from ..params import body_limit
from .blueprint import bp
from .forms import (
    ConfirmImportForm,
    ImportForm,
    ReapplyForm,
    RemoveMappingForm,
    VerdictMappingForm,
)


@bp.app_template_global("claim_reviews")
def claim_reviews(claim_id: int):
    """The fact-checkers' reviews of a claim, for claims/_reviews.html."""
    return review_service.claim_reviews(get_session(), claim_id)


UPLOAD_LIFETIME = 24 * 3600
UNMAPPED_SHOWN = 100  # the page's list; `counterclaim verdicts unmapped --all` has them all


class DumpRefused(exchange.ImportFileError):
    """A dump uploaded by someone who may not load one."""


@bp.route("/import", methods=["GET", "POST"])
@requires("editor")
@body_limit("IMPORT_UPLOAD_MAX_BYTES")
def upload():
    limit = current_app.config["IMPORT_UPLOAD_MAX_BYTES"]
    form = ImportForm()
    submitted = form.validate_on_submit()
    if not submitted:
        return _page(form, limit), 400 if form.is_submitted() else 200
    options = {
        "name": Path(form.file.data.filename or "upload").name,
        "format": form.format.data or None,
        "entity": form.entity.data,
        "dates": form.dates.data,
        "columns": (form.columns.data or "").splitlines(),
        "header": not form.no_header.data,
        "each": [e.strip() for e in (form.each.data or "").split(",") if e.strip()],
        "set": (form.constants.data or "").splitlines(),
        "add_tags": [t.strip() for t in (form.add_tags.data or "").split(",") if t.strip()],
        "encoding": form.encoding.data or None,
        "skip_invalid": form.skip_invalid.data,
    }
    data = form.file.data.read()
    try:
        report, accounts = _import(data, options, dry_run=True)
    except exchange.ImportFileError as error:
        form.file.errors = [str(error)]
        return _page(form, limit), 403 if isinstance(error, DumpRefused) else 400
    token = _keep(data, options)
    refused = bool(report.problems) and not options["skip_invalid"]
    page = render_template(
        "exchange/dry_run.html", report=report, options=options, refused=refused,
        confirm=ConfirmImportForm(token=token), accounts=accounts,
    )  # fmt: skip
    return page, 400 if refused else 200


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """A body over the import limit (raised wherever it is first read: CSRF, the form)."""
    limit = current_app.config["IMPORT_UPLOAD_MAX_BYTES"]
    form = ImportForm(formdata=None)
    form.file.errors = [f"The file is over the import limit of {human_size(limit)}."]
    return _page(form, limit), 413


@bp.post("/import/confirm")
@requires("editor")
def confirm():
    form = ConfirmImportForm()
    kept = _kept(form.token.data) if form.validate_on_submit() else None
    if kept is None:
        flash("That upload has expired or was already imported: upload the file again.", "error")
        return redirect(url_for("exchange.upload"))
    data, options = kept
    try:
        report, _accounts = _import(data, options, dry_run=False)
    except (exchange.ImportFileError, exchange.ImportRefused) as error:
        get_session().rollback()
        form = ImportForm(formdata=None)
        form.file.errors = [f"Nothing was imported: {error}"]
        status = 403 if isinstance(error, DumpRefused) else 400
        return _page(form, current_app.config["IMPORT_UPLOAD_MAX_BYTES"]), status
    get_session().commit()
    _forget(form.token.data)
    flash(report.summary(), "success")
    return redirect(url_for("exchange.upload"))


@bp.get("/verdicts")
@requires("viewer")
def verdicts():
    return _verdicts_page(VerdictMappingForm(), 200)


@bp.post("/verdicts")
@requires("editor")
def map_verdict():
    form = VerdictMappingForm()
    if not form.validate_on_submit():
        return _verdicts_page(form, 400)
    try:
        verdict_service.set_mapping(
            get_session(), form.verdict.data, form.credibility.data, form.note.data or ""
        )
    except DomainError as refusal:
        get_session().rollback()
        form.verdict.errors = [str(refusal)]
        return _verdicts_page(form, 400)
    get_session().commit()
    flash(f"“{form.verdict.data}” now maps to {form.credibility.data}.", "success")
    return redirect(url_for("exchange.verdicts"))


@bp.post("/verdicts/remove")
@requires("editor")
def unmap_verdict():
    form = RemoveMappingForm()
    if form.validate_on_submit() and verdict_service.unset_mapping(
        get_session(), form.verdict.data
    ):
        get_session().commit()
        flash(f"Removed the team's mapping of “{form.verdict.data}”.", "success")
    else:
        flash("There was no such mapping to remove.", "error")
    return redirect(url_for("exchange.verdicts"))


@bp.post("/verdicts/reapply")
@requires("editor")
def reapply_verdicts():
    if not ReapplyForm().validate_on_submit():
        flash("The form expired: try again.", "error")
        return redirect(url_for("exchange.verdicts"))
    result = review_service.reapply(get_session())
    get_session().commit()
    flash(f"Re-mapped {result.reviews:,} stored review(s): {result.changed:,} changed.", "success")
    return redirect(url_for("exchange.verdicts"))


def _verdicts_page(form: VerdictMappingForm, status: int):
    session = get_session()
    entries = verdict_service.VerdictMap.load(session).entries()
    unmapped = review_service.unmapped(session, limit=UNMAPPED_SHOWN + 1)
    page = render_template(
        "exchange/verdicts.html", form=form, entries=entries, remove=RemoveMappingForm(),
        reapply=ReapplyForm(), unmapped=unmapped[:UNMAPPED_SHOWN],
        more_unmapped=len(unmapped) > UNMAPPED_SHOWN,
    )  # fmt: skip
    return page, status


def _page(form: ImportForm, limit: int):
    return render_template("exchange/import.html", form=form, limit=human_size(limit))


def _import(data: bytes, options: dict, *, dry_run: bool):
    mapping = tabular.Mapping(
        columns=tabular.parse_column_options([c for c in options["columns"] if c.strip()]),
        entity=options["entity"],
        dates=options["dates"],
        header=options.get("header", True),
        each=options.get("each", []),
        set=tabular.parse_column_options(
            [c for c in options.get("set", []) if c.strip()], "--set", "value"
        ),
        add_tags=options.get("add_tags", []),
    )
    plan = exchange.read_plan(data, options["name"], format=options["format"], mapping=mapping,
                              encoding=options["encoding"])  # fmt: skip
    is_dump = isinstance(plan, exchange.dump.DumpPlan)
    if is_dump and not policy.may_load_dump(current_user):
        raise DumpRefused(
            f"{options['name']} is a whole-database dump: it writes accounts, history and "
            "other people's work under the ids it names, so only an administrator may load "
            "it (here, or with the command “counterclaim import” on the server)."
        )
    session = get_session()
    report = exchange.run_import(session, plan, dry_run=dry_run,
                                 skip_invalid=options["skip_invalid"],
                                 organisation=current_app.config["ORGANISATION"])  # fmt: skip
    if dry_run:
        session.rollback()
    return report, (exchange.dump.accounts_of(plan) if is_dump else [])


# --- the upload waits in the instance folder between the dry run and the import ----------


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _keep(data: bytes, options: dict) -> str:
    folder = _folder()
    for old in folder.glob("*"):  # uploads nobody confirmed
        if old.stat().st_mtime < time.time() - UPLOAD_LIFETIME:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (folder / f"{token}.upload").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps(options), encoding="utf-8")
    return token


def _kept(token: str) -> tuple[bytes, dict] | None:
    folder = _folder()
    try:
        data = (folder / f"{token}.upload").read_bytes()
        options = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data, options


def _forget(token: str) -> None:
    for suffix in (".upload", ".json"):
        (_folder() / f"{token}{suffix}").unlink(missing_ok=True)
