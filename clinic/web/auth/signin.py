"""Signing in and out."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ... import accounts
from ...extensions import db
from ...http import limits
from ..access import landing, safe_next, sign_in, sign_out
from . import bp
from .forms import LoginForm


@bp.route("/login", methods=["GET", "POST"])
@limits.login_limited
def login():
    """The sign-in page."""
    form = LoginForm()
    if form.validate_on_submit():
        user, verdict = accounts.authenticate(db.session, form.username.data, form.password.data)
        if verdict is accounts.Verdict.TEMPORARY:
            sign_in(user, remember=False)
            flash("Your password is a temporary one: please choose your own.", "info")
            return limits.remember_device(redirect(url_for("auth.change_password")), user)
        if verdict is accounts.Verdict.OK:
            sign_in(user, remember=form.remember.data)
            flash(f"Welcome, {user.full_name}.", "success")
            going = redirect(safe_next(request.args.get("next")) or landing(user))
            return limits.remember_device(going, user)
        if verdict is accounts.Verdict.WRONG:
            limits.sign_in_failed()
        form.form_errors.append(verdict.value)
        if verdict is accounts.Verdict.UNVERIFIED:
            form.form_errors.append("Lost the email? Ask for a new link below.")
    return render_template(
        "auth/login.html", form=form, next_page=safe_next(request.args.get("next"))
    )


@bp.post("/logout")
def logout():
    """Sign out (a form post, so that no link can sign anyone out)."""
    sign_out()
    flash("You are signed out.", "success")
    return redirect(url_for("public.index"))
