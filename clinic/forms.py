"""The HTML side's forms (WTForms): the shape of what people type, nothing more."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from .accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

NEW_PASSWORD = [DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH,
                                       message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")]


class LoginForm(FlaskForm):
    username = StringField("Username or email", validators=[DataRequired(), Length(max=150)],
                           render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me signed in on this device")


class RegisterForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired(), Length(max=150)],
                             render_kw={"autocomplete": "given-name"})
    last_name = StringField("Last name", validators=[DataRequired(), Length(max=150)],
                            render_kw={"autocomplete": "family-name"})
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)],
                       description="We send a link here to confirm it is yours.",
                       render_kw={"autocomplete": "email"})
    phone = TelField("Phone", validators=[Optional(), Length(max=32)],
                     render_kw={"autocomplete": "tel"})
    password = PasswordField("Password", validators=NEW_PASSWORD,
                             description=f"At least {MIN_PASSWORD_LENGTH} characters.",
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Password again", validators=[
        DataRequired(), EqualTo("password", message="The passwords do not match.")],
        render_kw={"autocomplete": "new-password"})


class EmailForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=NEW_PASSWORD,
                             description=f"At least {MIN_PASSWORD_LENGTH} characters.",
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("password", message="The passwords do not match.")],
        render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(ResetPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=128)],
                            render_kw={"autocomplete": "current-password"})

