"""The users area (admins): accounts, roles, disabling, passwords."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from counterclaim.models import User
from counterclaim.services.accounts import users as service
from counterclaim.services.errors import DomainError

from ..access import requires
from ..database import get_or_404, get_session
from .forms import NewUserForm, SetPasswordForm, UserForm

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("/")
@requires("admin")
def index():
    return render_template("users/list.html", users=service.list_users(get_session()))


@bp.route("/new", methods=["GET", "POST"])
@requires("admin")
def create():
    form = NewUserForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            user = service.create_user(
                session, form.username.data, form.password.data or None,
                role=form.role.data, display_name=form.display_name.data,
            )  # fmt: skip
            user.is_active = form.is_active.data
            session.flush()
        except DomainError as refusal:
            session.rollback()
            field = form.password if "password" in str(refusal) else form.username
            field.errors.append(str(refusal))
        else:
            session.commit()
            flash(f"User {user.username} added.", "success")
            return redirect(url_for("users.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("users/form.html", form=form, user=None), status


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@requires("admin")
def edit(user_id: int):
    user = get_or_404(User, user_id)
    form = UserForm(obj=user)
    if form.validate_on_submit():
        session = get_session()
        try:
            service.update_user(
                session, user, by=current_user._get_current_object(), role=form.role.data,
                display_name=form.display_name.data, is_active=form.is_active.data,
            )  # fmt: skip
        except DomainError as refusal:
            session.rollback()
            form.role.errors.append(str(refusal))
        else:
            session.commit()
            flash(f"User {user.username} saved.", "success")
            return redirect(url_for("users.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("users/form.html", form=form, user=user), status


@bp.route("/<int:user_id>/password", methods=["GET", "POST"])
@requires("admin")
def password(user_id: int):
    user = get_or_404(User, user_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        session = get_session()
        service.set_password(session, user, form.new_password.data)
        session.commit()
        flash(f"New password set for {user.username}; their sessions are signed out.", "success")
        return redirect(url_for("users.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("users/password.html", form=form, user=user), status
