"""Signing in and out."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user

from ... import accounts
from ...extensions import db, limiter
from ..access import landing, safe_next
from . import SIGN_IN_LIMIT, bp
from .forms import LoginForm


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
