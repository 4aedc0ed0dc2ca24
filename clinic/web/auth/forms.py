"""The account forms: the shape of what people type, nothing more."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ...accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from ...kernel.values import limit
from ...models import Client, User
from ..forms import Form, email_field, names, new_password, phone_field


class LoginForm(Form):
    username = StringField(
        "Username or email",
        validators=[DataRequired(), Length(max=limit(User.username))],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device")


class RegisterForm(Form):
    first_name, last_name = names(User)
    email = email_field("We send a link here to confirm it is yours.")
    phone = phone_field(Client.phone)
    password, confirm = new_password()


class EmailForm(Form):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(), Length(max=limit(User.email))],
        render_kw={"autocomplete": "email"},
    )


class VerifyForm(Form):
    """Verifying an address: the password chosen when registering, or a new one instead."""

    password = PasswordField(
        "The password you chose when registering",
        validators=[Optional(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "Or choose a new password",
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
        description=f"At least {MIN_PASSWORD_LENGTH} characters. It replaces the one chosen "
        "when registering.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "The new password again",
        validators=[EqualTo("new_password", message="The passwords do not match.")],
        render_kw={"autocomplete": "new-password"},
    )


VERIFY_FIELDS = {"repeat_new_password": "confirm"}
"""The domain's names of the verify form's fields, as the form calls them."""


class ResetPasswordForm(Form):
    password, confirm = new_password("New password")


PASSWORD_FIELDS = {"repeat_password": "confirm"}
"""The domain's names of a new password's fields, as the forms call them."""


class ChangePasswordForm(ResetPasswordForm):
    current = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
