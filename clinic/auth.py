"""Signing in and out on the web side, registering, verifying the email address, resetting
and changing the password; `role_required` for the pages of each area."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from . import accounts
from .extensions import db, limiter, login_manager
from .forms import ChangePasswordForm, EmailForm, LoginForm, RegisterForm, ResetPasswordForm
from .models import Role, User
from .scheduling import Invalid

bp = Blueprint("auth", __name__)
SIGN_IN_LIMIT = "10 per minute"
LANDING = {Role.ADMIN: "admin.index", Role.MANAGER: "desk.index",
           Role.CLIENT: "public.my_appointments"}


def load_user(user_id: str) -> User | None:
    """The signed-in user, re-read on every request; inactive users are signed out."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def role_required(*roles: Role) -> Callable:
    """A page for signed-in users of these roles: others are sent to sign in (anonymous) or
    shown 403 (wrong role)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def safe_next(target: str | None) -> str | None:
    """`next=` only when it stays on this site (a path, never another host)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def landing(user: User) -> str:
    """Where a user lands after signing in: staff in their area, clients at their bookings."""
    return url_for(LANDING[user.role])


def sign_in_key() -> str:
    """Sign-in attempts are counted per address and username."""
    return f"{request.remote_addr}|{request.form.get('username', '')[:150].lower()}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"], key_func=sign_in_key)
def login():
    """The sign-in page."""
    form = LoginForm()
    if form.validate_on_submit():
        user, verdict = accounts.authenticate(db.session, form.username.data, form.password.data)
        if verdict is accounts.SignIn.OK:
            login_user(user, remember=form.remember.data)
            flash(f"Welcome, {user.full_name}.", "success")
            return redirect(safe_next(request.args.get("next")) or landing(user))
        form.form_errors.append(verdict.value)
        if verdict is accounts.SignIn.UNVERIFIED:
            form.form_errors.append("Lost the email? Ask for a new link below.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out (a form post, so that no link can sign anyone out)."""
    logout_user()
    flash("You are signed out.", "success")
    return redirect(url_for("public.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def register():
    """Register as a client; the account works once the emailed link is opened."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user, _ = accounts.register_client(
                db.session, username=form.email.data, email=form.email.data,
                password=form.password.data, first_name=form.first_name.data,
                last_name=form.last_name.data, phone=form.phone.data,
            )
        except Invalid as refusal:
            for field, message in refusal.errors.items():
                getattr(form, "email" if field == "username" else field, form.email).errors = [
                    message]
        else:
            accounts.send_verification(user)
            return render_template("auth/check_email.html", email=user.email)
    return render_template("auth/register.html", form=form)


@bp.get("/verify/<token>")
def verify_email(token: str):
    """Open the emailed link: the address is verified and the user signed in."""
    try:
        user = accounts.verify_email(db.session, token)
    except Invalid as refusal:
        flash(refusal.errors["token"], "error")
        return redirect(url_for("auth.resend_verification"))
    if not user.active:
        flash("Your email address is verified, but the account is switched off.", "error")
        return redirect(url_for("public.index"))
    login_user(user)
    flash("Your email address is verified. Welcome!", "success")
    return redirect(landing(user))


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def resend_verification():
    """Ask for a new verification link (the answer never tells whether the address is known)."""
    form = EmailForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(db.session, form.email.data)
        if user is not None and user.email_verified_at is None:
            accounts.send_verification(user)
        return render_template("auth/check_email.html", email=form.email.data)
    return render_template("auth/resend.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def request_reset():
    """Ask for a password-reset link (the answer never tells whether the address is known)."""
    form = EmailForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(db.session, form.email.data)
        if user is not None and user.active:
            accounts.send_password_reset(user)
        return render_template("auth/check_email.html", email=form.email.data)
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password with the emailed link."""
    try:
        accounts.user_for_token(db.session, token, accounts.RESET_PASSWORD)
    except Invalid as refusal:
        flash(refusal.errors["token"], "error")
        return redirect(url_for("auth.request_reset"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = accounts.reset_password(db.session, token, form.password.data, form.confirm.data)
        if user.active:
            login_user(user)
        flash("Your password is changed.", "success")
        return redirect(landing(user))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change your password, giving the current one."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        _, verdict = accounts.authenticate(db.session, current_user.username, form.current.data)
        if verdict is not accounts.SignIn.OK:
            form.current.errors = ["That is not your current password."]
        else:
            accounts.set_password(db.session, current_user, form.password.data,
                                  form.confirm.data, actor=current_user)
            flash("Your password is changed.", "success")
            return redirect(landing(current_user))
    return render_template("auth/change_password.html", form=form)


def init_app(app: Flask) -> None:
    """Register the user loader and the pages."""
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)
