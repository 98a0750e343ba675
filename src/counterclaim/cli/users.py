"""`counterclaim user ...`: add users, set passwords, disable accounts, list them."""

import os

import click

from counterclaim.models.vocabulary import ROLES
from counterclaim.services import migrations
from counterclaim.services.accounts import users as service

from . import Context, friendly_errors, main


@main.group("user")
def user_group() -> None:
    """Manage the people who may sign in."""


def _session(ctx: Context):
    if not migrations.is_up_to_date(ctx.engine):
        raise click.ClickException("the database is not migrated: run `counterclaim db upgrade`")
    return ctx.session()


def _password(given_by_env: bool) -> str:
    """Read a new password: from COUNTERCLAIM_PASSWORD, else asked twice, hidden."""
    if given_by_env:
        return os.environ["COUNTERCLAIM_PASSWORD"]
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _find(session, username: str):
    user = service.find_user(session, username)
    if user is None:
        raise click.ClickException(f"there is no user {username!r}")
    return user


@user_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), default="analyst", show_default=True)
@click.option("--name", "display_name", default="", help="The name shown beside their work.")
@click.option("--no-password", is_flag=True, help="Add the account without a password.")
@click.pass_obj
@friendly_errors
def add(ctx: Context, username: str, role: str, display_name: str, no_password: bool) -> None:
    """Add USERNAME; the password is asked for (or read from COUNTERCLAIM_PASSWORD)."""
    with _session(ctx) as session:
        password = None if no_password else _password("COUNTERCLAIM_PASSWORD" in os.environ)
        user = service.create_user(
            session, username, password, role=role, display_name=display_name
        )
        session.commit()
        click.echo(f"Added {user.username} ({user.role}).")


@user_group.command("passwd")
@click.argument("username")
@click.pass_obj
@friendly_errors
def passwd(ctx: Context, username: str) -> None:
    """Set USERNAME's password; their sessions end."""
    with _session(ctx) as session:
        user = _find(session, username)
        service.set_password(session, user, _password("COUNTERCLAIM_PASSWORD" in os.environ))
        session.commit()
        click.echo(f"New password set for {user.username}; their sessions are signed out.")


@user_group.command("disable")
@click.argument("username")
@click.pass_obj
@friendly_errors
def disable(ctx: Context, username: str) -> None:
    """Disable USERNAME: they cannot sign in, and their sessions end at once."""
    _set_active(ctx, username, False, "Disabled {}; their sessions are signed out.")


@user_group.command("enable")
@click.argument("username")
@click.pass_obj
@friendly_errors
def enable(ctx: Context, username: str) -> None:
    """Enable USERNAME again."""
    _set_active(ctx, username, True, "Enabled {}.")


def _set_active(ctx: Context, username: str, active: bool, done: str) -> None:
    with _session(ctx) as session:
        user = _find(session, username)
        service.update_user(session, user, by=None, is_active=active)
        session.commit()
        click.echo(done.format(user.username))


@user_group.command("list")
@click.pass_obj
@friendly_errors
def list_users(ctx: Context) -> None:
    """List the users: username, role, state, name."""
    with _session(ctx) as session:
        for user in service.list_users(session):
            state = (
                "disabled" if not user.is_active
                else "no password" if not user.password_hash
                else "active"
            )  # fmt: skip
            click.echo(f"{user.username}\t{user.role}\t{state}\t{user.display_name}")
