"""The tags area: topics, places, events and operations."""

from flask import Blueprint, flash, redirect, render_template, url_for

from counterclaim.models import Tag
from counterclaim.services.catalogue import tags as service
from counterclaim.services.errors import DomainError

from ..access import requires
from ..confirm import delete_after_confirmation
from ..database import get_or_404, get_session
from ..fields import options
from .forms import MergeTagForm, TagForm

bp = Blueprint("tags", __name__, url_prefix="/tags")


@bp.get("/")
@requires("viewer")
def index():
    return render_template("tags/list.html", tags=service.tags_with_counts(get_session()))


@bp.route("/new", methods=["GET", "POST"])
@requires("analyst")
def create():
    session = get_session()
    form = TagForm().bind(session)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("tags/form.html", form=form, tag=None), status
    service.create_tag(session, **form.data)
    session.commit()
    flash("Tag added.", "success")
    return redirect(url_for("tags.index"))


@bp.route("/<int:tag_id>/edit", methods=["GET", "POST"])
@requires("editor")
def edit(tag_id: int):
    session = get_session()
    tag = get_or_404(Tag, tag_id)
    form = TagForm(obj=tag).bind(session, tag)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("tags/form.html", form=form, tag=tag), status
    service.update_tag(session, tag, **form.data)
    session.commit()
    flash("Tag saved.", "success")
    return redirect(url_for("tags.index"))


@bp.route("/<int:tag_id>/delete", methods=["GET", "POST"])
@requires("editor")
def delete(tag_id: int):
    tag = get_or_404(Tag, tag_id)
    return delete_after_confirmation(
        tag, service.delete_tag, template="tags/delete.html", context={"tag": tag},
        deleted=f"Tag {tag.name!r} deleted; its claims keep everything else.",
        done_url=url_for("tags.index"), refused_url=url_for("tags.index"),
    )  # fmt: skip


@bp.route("/<int:tag_id>/merge", methods=["GET", "POST"])
@requires("editor")
def merge(tag_id: int):
    """Merge this tag into another: its claims are filed under the other; it goes."""
    session = get_session()
    tag = get_or_404(Tag, tag_id)
    form = MergeTagForm()
    form.into_id.choices = options(
        ((i, name) for i, name in service.tag_choices(session) if i != tag.id),
        blank="Choose the tag to keep…",
    )
    if form.validate_on_submit():
        into = session.get(Tag, form.into_id.data)
        try:
            moved = service.merge_tags(session, tag, into)
        except DomainError as refusal:
            session.rollback()
            form.into_id.errors.append(str(refusal))
        else:
            session.commit()
            flash(f"Merged {tag.name!r} into {into.name!r}: {moved} claim(s) moved.", "success")
            return redirect(url_for("tags.index"))
    count = service.claim_count(session, tag)
    status = 400 if form.is_submitted() else 200
    return render_template("tags/merge.html", tag=tag, form=form, count=count), status
