"""Resetting a forgotten password by email, and changing one's password."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ... import accounts
from ...accounts import emails as account_emails
from ...accounts import sign_ins
from ...extensions import db
from ...http import limits
from ...http.limits import account_forms_limited
from ...kernel.errors import Invalid
from ...models import Role
from ..access import landing, sign_in
from . import bp
from .forms import PASSWORD_FIELDS, ChangePasswordForm, EmailForm, ResetPasswordForm


@bp.route("/reset", methods=["GET", "POST"])
@account_forms_limited
def request_reset():
    """Ask for a password-reset link (the answer never tells whether the address is known)."""
    form = EmailForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(db.session, form.email.data)
        if user is not None and user.active:
            account_emails.send_password_reset(user)
        return render_template("auth/check_email.html", email=form.email.data)
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password with the emailed link."""
    try:
        account_emails.user_for_token(db.session, token, account_emails.RESET_PASSWORD)
    except Invalid as refusal:
        flash(refusal.errors["token"], "error")
        return redirect(url_for("auth.request_reset"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = accounts.reset_password(db.session, token, form.password.data, form.confirm.data)
        if user.active:
            sign_in(user)
        flash("Your password is changed.", "success")
        return redirect(landing(user))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@limits.password_checked
@login_required
def change_password():
    """Change your password, giving the current one (staff; a client's is on their account
    page)."""
    if current_user.role is Role.CLIENT:
        return redirect(url_for("me.account"))
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_own_password(form)
        except Invalid as refusal:
            form.show_refusal(refusal, PASSWORD_FIELDS)
        else:
            flash("Your password is changed.", "success")
            return redirect(landing(current_user))
    return render_template("auth/change_password.html", form=form)


@bp.post("/account/sign-out-elsewhere")
@login_required
def sign_out_elsewhere():
    """End every other sign-in and every API token of the user; this browser stays (staff; a
    client's is on their account page)."""
    if current_user.role is Role.CLIENT:
        return redirect(url_for("me.account"))
    end_other_sign_ins()
    return redirect(url_for("auth.change_password"))


def change_own_password(form: ChangePasswordForm) -> None:
    """Change the signed-in user's password from the form, keeping this browser signed in; a
    wrong current password counts as a failed sign-in of the account."""
    try:
        accounts.change_own_password(
            db.session,
            current_user,
            form.current.data,
            form.password.data,
            form.confirm.data,
            keep=current_user.sign_in_token,
        )
    except Invalid as refusal:
        if "current" in refusal.errors:
            limits.sign_in_failed()
        raise


def end_other_sign_ins() -> None:
    """End every other sign-in and API token of the signed-in user, saying so."""
    sign_ins.end_all_sign_ins(db.session, current_user, keep=current_user.sign_in_token)
    flash("You are signed out everywhere else.", "success")
