"""Forms for signing in and changing one's password."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from counterclaim.services.accounts.users import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

from ..fields import strip


class LoginForm(FlaskForm):
    username = StringField(
        "Username",
        filters=[strip],
        validators=[DataRequired("Give your username."), Length(max=80)],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Give your password."), Length(max=MAX_PASSWORD_LENGTH)],
    )


def new_password_fields():
    """Return the (password, confirmation) fields of a form that sets a password."""
    password = PasswordField(
        "New password",
        validators=[
            DataRequired("Choose a password."),
            Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH),
        ],
        description=f"At least {MIN_PASSWORD_LENGTH} characters; a few words make a good one.",
    )
    confirm = PasswordField(
        "Repeat it", validators=[EqualTo("new_password", "The two passwords differ.")]
    )
    return password, confirm


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Give your current password.")]
    )
    new_password, confirm = new_password_fields()
