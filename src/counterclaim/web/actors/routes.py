"""The actors area: who makes claims and who publishes sources."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from counterclaim.models import Actor
from counterclaim.services.catalogue import actors as service
from counterclaim.services.claims import claims

from ..access import check_may_change, requires
from ..confirm import delete_after_confirmation
from ..database import get_or_404, get_session
from ..pagination import page_before, page_request
from .forms import ActorFilterForm, ActorForm

bp = Blueprint("actors", __name__, url_prefix="/actors")


@bp.get("/")
@requires("viewer")
def index():
    form = ActorFilterForm(request.args)
    if not form.validate():
        return render_template("actors/list.html", form=form, page=None), 400
    after, size = page_request()
    page = service.list_actors(
        get_session(), text=form.q.data or None, kind=form.kind.data or None,
        after=after, size=size, before=page_before(),
    )  # fmt: skip
    return render_template("actors/list.html", form=form, page=page)


@bp.get("/<int:actor_id>")
@requires("viewer")
def detail(actor_id: int):
    """An actor: their claims (paged), who contradicts them, what they published, members."""
    session = get_session()
    actor = get_or_404(Actor, actor_id)
    after, size = page_request()
    sort = request.args.get("sort") if request.args.get("sort") in claims.SORTS else None
    page = claims.list_claims(
        session, claims.ClaimFilters(claimant_id=actor_id), sort=sort or claims.DEFAULT_SORT,
        after=after, before=page_before(), size=min(size, 20),
    )  # fmt: skip
    sources, source_count = service.published(session, actor_id)
    return render_template(
        "actors/detail.html", actor=actor,
        page=page, opponents=service.opponents(session, actor_id),
        members=service.members(session, actor_id), sources=sources, source_count=source_count,
    )  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@requires("analyst")
def create():
    session = get_session()
    form = ActorForm().fill(session)
    if not form.validate_on_submit():
        status = form.http_status
        return render_template("actors/form.html", form=form, actor=None), status
    actor = service.create_actor(session, **form.data)
    session.commit()
    flash("Actor recorded.", "success")
    return redirect(url_for("actors.detail", actor_id=actor.id))


@bp.route("/<int:actor_id>/edit", methods=["GET", "POST"])
@requires("analyst")
def edit(actor_id: int):
    session = get_session()
    actor = get_or_404(Actor, actor_id)
    check_may_change(actor)
    form = ActorForm(obj=actor).fill(session, actor)
    if not form.validate_on_submit():
        status = form.http_status
        return render_template("actors/form.html", form=form, actor=actor), status
    service.update_actor(session, actor, **form.data)
    session.commit()
    flash("Actor saved.", "success")
    return redirect(url_for("actors.detail", actor_id=actor.id))


@bp.route("/<int:actor_id>/delete", methods=["GET", "POST"])
@requires("editor")
def delete(actor_id: int):
    actor = get_or_404(Actor, actor_id)
    return delete_after_confirmation(
        actor, service.delete_actor, template="actors/delete.html", context={"actor": actor},
        deleted="Actor deleted.", done_url=url_for("actors.index"),
        refused_url=url_for("actors.detail", actor_id=actor_id),
    )  # fmt: skip
