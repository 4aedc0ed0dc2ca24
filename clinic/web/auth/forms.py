"""The account forms: the shape of what people type, nothing more."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..forms import Form, new_password


class LoginForm(Form):
    username = StringField(
        "Username or email",
        validators=[DataRequired(), Length(max=150)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device")


class RegisterForm(Form):
    first_name = StringField(
        "First name",
        validators=[DataRequired(), Length(max=150)],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        "Last name",
        validators=[DataRequired(), Length(max=150)],
        render_kw={"autocomplete": "family-name"},
    )
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(), Length(max=254)],
        description="We send a link here to confirm it is yours.",
        render_kw={"autocomplete": "email"},
    )
    phone = TelField(
        "Phone", validators=[Optional(), Length(max=32)], render_kw={"autocomplete": "tel"}
    )
    password, confirm = new_password()


class EmailForm(Form):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(Form):
    password, confirm = new_password("New password")


PASSWORD_FIELDS = {"repeat_password": "confirm"}
"""The domain's names of a new password's fields, as the forms call them."""


class ChangePasswordForm(ResetPasswordForm):
    current = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
