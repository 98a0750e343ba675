"""An actor's other names, and merging a duplicate actor into it (editors)."""

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select

from counterclaim.models import Actor, ActorAlias
from counterclaim.services.catalogue import actor_aliases as service
from counterclaim.services.errors import DomainError

from ..access import requires
from ..database import get_or_404, get_session
from .blueprint import bp
from .forms import AliasForm, MergeActorForm


@bp.app_template_global("actor_aliases")
def actor_aliases(actor_id: int) -> list[ActorAlias]:
    """An actor's other names, for actors/_aliases.html."""
    return list(
        get_session().scalars(
            select(ActorAlias).where(ActorAlias.actor_id == actor_id).order_by(ActorAlias.alias)
        )
    )


@bp.route("/actors/<int:actor_id>/names", methods=["GET", "POST"])
@requires("editor")
def names(actor_id: int):
    actor = get_or_404(Actor, actor_id)
    form = AliasForm()
    if not form.validate_on_submit():
        return _page(actor, form, MergeActorForm(), 400 if form.is_submitted() else 200)
    try:
        service.add_alias(get_session(), actor, form.alias.data)
    except DomainError as refusal:
        get_session().rollback()
        form.alias.errors = [str(refusal)]
        return _page(get_or_404(Actor, actor_id), form, MergeActorForm(), 400)
    get_session().commit()
    flash(f"“{form.alias.data}” is now another name of {actor.name}.", "success")
    return redirect(url_for("actors.detail", actor_id=actor_id))


@bp.post("/actors/<int:actor_id>/merge")
@requires("editor")
def merge(actor_id: int):
    actor = get_or_404(Actor, actor_id)
    form = MergeActorForm()
    if not form.validate_on_submit():
        return _page(actor, AliasForm(formdata=None), form, 400)
    other = get_session().get(Actor, form.other_id.data)
    if other is None:
        form.other_id.errors = [f"There is no actor #{form.other_id.data}."]
        return _page(actor, AliasForm(formdata=None), form, 400)
    if not form.confirmed.data:
        return render_template("exchange/merge_actor.html", actor=actor, other=other, form=form)
    try:
        moved = service.merge_actors(get_session(), actor, other)
    except DomainError as refusal:
        get_session().rollback()
        form.other_id.errors = [str(refusal)]
        return _page(actor, AliasForm(formdata=None), form, 400)
    get_session().commit()
    what = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in moved.items() if n)
    flash(f"Merged into {actor.name}: {what or 'nothing to move'}; the name is an alias.",
          "success")  # fmt: skip
    return redirect(url_for("actors.detail", actor_id=actor_id))


def _page(actor: Actor, form: AliasForm, merge_form: MergeActorForm, status: int):
    page = render_template("exchange/actor_names.html", actor=actor, form=form,
                           merge=merge_form)  # fmt: skip
    return page, status
