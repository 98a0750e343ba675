"""Deleting after a confirmation step: GET asks, POST deletes or explains the refusal."""

from collections.abc import Callable

from flask import flash, redirect, render_template, request

from counterclaim.services.errors import DomainError

from .database import get_session


def delete_after_confirmation(
    record,
    delete: Callable,
    *,
    template: str,
    context: dict,
    deleted: str,
    done_url: str,
    refused_url: str,
):
    """Show the confirmation page on GET; on POST delete `record` and say what happened."""
    if request.method == "GET":
        return render_template(template, **context)
    session = get_session()
    try:
        delete(session, record)
    except DomainError as refusal:
        session.rollback()
        flash(str(refusal), "error")
        return redirect(refused_url)
    session.commit()
    flash(deleted, "success")
    return redirect(done_url)
