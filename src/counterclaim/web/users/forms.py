"""Forms for administering users."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from counterclaim.models.vocabulary import ROLES
from counterclaim.services.accounts.users import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

from ..fields import choices, strip


class UserForm(FlaskForm):
    display_name = StringField(
        "Display name", default="", filters=[strip], validators=[Length(max=200)]
    )
    role = SelectField("Role", choices=choices(ROLES), default="analyst")
    is_active = BooleanField("Active (may sign in)", default=True)


class NewUserForm(UserForm):
    username = StringField(
        "Username", filters=[strip], validators=[DataRequired("Choose a username."), Length(max=80)]
    )
    password = PasswordField(
        "Password",
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
        description="Leave empty to set one later; the account cannot sign in until then.",
    )
    confirm = PasswordField("Repeat it", validators=[EqualTo("password", "The passwords differ.")])


class SetPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired("Choose a password."),
            Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH),
        ],
    )
    confirm = PasswordField(
        "Repeat it", validators=[EqualTo("new_password", "The two passwords differ.")]
    )
