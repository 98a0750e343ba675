"""Sign in, sign out, and change one's own password."""

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from counterclaim.models.audit import USER_KEY
from counterclaim.services.accounts import users

from ..access import PUBLIC, requires, safe_next
from ..database import get_session
from ..security import limiter, login_rate_limit
from .forms import LoginForm, PasswordForm

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@requires(PUBLIC)
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        session = get_session()
        user = users.authenticate(session, form.username.data, form.password.data)
        if user is not None:
            session.info[USER_KEY] = user.id
            session.commit()  # a password rehashed with newer parameters
            login_user(user)
            flash(f"Signed in as {user}.", "success")
            return redirect(target)
        log.warning("failed sign-in as %r from %s", form.username.data, request.remote_addr)
        form.password.errors.append("Wrong username or password, or the account is disabled.")
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@requires("viewer")
def logout():
    session = get_session()
    users.end_sessions(session, current_user._get_current_object())
    session.commit()
    logout_user()
    flash("Signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@requires("viewer")
def account():
    form = PasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        session = get_session()
        if users.authenticate(session, user.username, form.current_password.data) is None:
            form.current_password.errors.append("That is not your current password.")
        else:
            users.set_password(session, user, form.new_password.data)
            session.commit()
            login_user(user)  # this session carries the new token; every other one ends
            flash("Password changed; your other sessions are signed out.", "success")
            # After a forced change, go on to where the user was going.
            return redirect(safe_next(request.args.get("next") or url_for("auth.account")))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/account.html", form=form, user=user), status
