"""The SQL area: the read-only console and the saved queries."""

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for

from counterclaim.models import SavedQuery
from counterclaim.services.errors import DomainError
from counterclaim.services.research import saved_queries as service
from counterclaim.services.research.schema import data_dictionary
from counterclaim.services.research.sql_common import parameter_names

from ..access import requires
from ..confirm import delete_after_confirmation
from ..database import get_or_404, get_session
from ..heavy import heavy
from .forms import SavedQueryForm
from .runner import render_run

bp = Blueprint("sql", __name__, url_prefix="/sql")


@bp.get("/")
@requires("viewer")
@heavy(when=lambda: "sql" in request.args)
def console():
    sql = request.args.get("sql", "")
    session = get_session()
    saved = service.list_saved_queries(session)
    return render_run(
        "sql/console.html", sql, run="sql" in request.args, saved_queries=saved,
        dictionary=data_dictionary(session.connection()),
    )  # fmt: skip


@bp.get("/saved/")
@requires("viewer")
def saved_list():
    queries = service.list_saved_queries(get_session())
    return render_template("sql/saved_list.html", queries=queries)


@bp.get("/saved/<int:query_id>")
@requires("viewer")
@heavy()
def saved_run(query_id: int):
    """Run a saved query by link: its parameters come from the URL (p-<name>=value)."""
    query = get_or_404(SavedQuery, query_id)
    run = "run" in request.args or not parameter_names(query.sql)
    filename = re.sub(r"[^a-z0-9]+", "-", query.name.lower()).strip("-") or "query"
    return render_run("sql/saved.html", query.sql, run=run, query=query, filename=filename)


@bp.route("/saved/new", methods=["GET", "POST"])
@requires("editor")
def saved_create():
    form = SavedQueryForm()
    if request.method == "GET" and request.args.get("sql"):
        form.sql.data = request.args["sql"]
    if form.validate_on_submit():
        try:
            query = service.create_saved_query(get_session(), **_fields(form))
        except DomainError as refusal:
            form.name.errors.append(str(refusal))
        else:
            get_session().commit()
            flash("Query saved.", "success")
            return redirect(url_for("sql.saved_run", query_id=query.id))
    status = 400 if form.is_submitted() else 200
    return render_template("sql/saved_form.html", form=form, query=None), status


@bp.route("/saved/<int:query_id>/edit", methods=["GET", "POST"])
@requires("editor")
def saved_edit(query_id: int):
    query = get_or_404(SavedQuery, query_id)
    form = SavedQueryForm(obj=query)
    if form.validate_on_submit():
        try:
            service.update_saved_query(get_session(), query, **_fields(form))
        except DomainError as refusal:
            get_session().rollback()
            form.name.errors.append(str(refusal))
        else:
            get_session().commit()
            flash("Query saved.", "success")
            return redirect(url_for("sql.saved_run", query_id=query.id))
    status = 400 if form.is_submitted() else 200
    return render_template("sql/saved_form.html", form=form, query=query), status


@bp.route("/saved/<int:query_id>/delete", methods=["GET", "POST"])
@requires("editor")
def saved_delete(query_id: int):
    query = get_or_404(SavedQuery, query_id)
    return delete_after_confirmation(
        query, service.delete_saved_query, template="sql/saved_delete.html",
        context={"query": query}, deleted=f"Saved query {query.name!r} deleted.",
        done_url=url_for("sql.saved_list"), refused_url=url_for("sql.saved_list"),
    )  # fmt: skip


def _fields(form: SavedQueryForm) -> dict:
    return {"name": form.name.data, "sql": form.sql.data, "description": form.description.data}
