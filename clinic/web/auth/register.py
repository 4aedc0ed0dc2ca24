"""Registering as a client and verifying the email address."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for

from ... import accounts
from ...accounts import address_changes
from ...accounts import emails as account_emails
from ...extensions import db
from ...http.limits import account_forms_limited
from ...kernel.errors import Invalid
from ...models import User
from ..access import landing, safe_next, sign_in
from ..forms import Form
from . import bp
from .forms import VERIFY_FIELDS, EmailForm, RegisterForm, VerifyForm

FIELD_NAMES = {"username": "email", "repeat_password": "confirm"}
"""The account rules' field names that the register form calls otherwise."""
AFTER_VERIFY = "after_verify"
"""Where this browser goes once its emailed link is opened (the page that sent it to register,
such as a booking's confirmation), kept in the session."""


@bp.route("/register", methods=["GET", "POST"])
@account_forms_limited
def register():
    """Register as a client; the account works once the emailed link is opened. An address
    that has an account already gets the same answer (and its owner an email), so the form
    never tells who has an account here."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_client(
                db.session,
                username=form.email.data,
                email=form.email.data,
                password=form.password.data,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                phone=form.phone.data,
            )
        except Invalid as refusal:
            form.show_refusal(refusal, FIELD_NAMES)
        else:
            if safe_next(request.args.get("next")):
                session[AFTER_VERIFY] = request.args["next"]
            return render_template("auth/check_email.html", email=user.email)
    return render_template(
        "auth/register.html", form=form, next_page=safe_next(request.args.get("next"))
    )


@bp.route("/verify/<token>", methods=["GET", "POST"])
@account_forms_limited
def verify_email(token: str):
    """The emailed link's page: opening it (as a mail scanner does) changes nothing. The
    password chosen when registering, or a new one, verifies the address and signs in, so
    that whoever registered with someone else's address holds nothing once its owner has."""
    try:
        user = account_emails.user_for_token(db.session, token)
    except Invalid as refusal:
        flash(refusal.errors["token"], "error")
        return redirect(url_for("auth.resend_verification"))
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            user = accounts.verify_email(
                db.session, token, form.password.data, form.new_password.data, form.confirm.data
            )
        except Invalid as refusal:
            if "token" in refusal.errors:
                flash(refusal.errors["token"], "error")
                return redirect(url_for("auth.resend_verification"))
            form.show_refusal(refusal, VERIFY_FIELDS)
        else:
            return _signed_in_verified(user)
    return render_template("auth/verify.html", form=form, email=user.email)


def _signed_in_verified(user: User):
    """Sign in the user whose address is now verified, and go on where they were going."""
    if not user.active:
        flash("Your email address is verified, but the account is switched off.", "error")
        return redirect(url_for("public.index"))
    sign_in(user)
    flash("Your email address is verified. Welcome!", "success")
    return redirect(safe_next(session.pop(AFTER_VERIFY, None)) or landing(user))


@bp.route("/verify", methods=["GET", "POST"])
@account_forms_limited
def resend_verification():
    """Ask for a new verification link (the answer never tells whether the address is known)."""
    form = EmailForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(db.session, form.email.data)
        if user is not None and user.email_verified_at is None:
            account_emails.send_verification(user)
        return render_template("auth/check_email.html", email=form.email.data)
    return render_template("auth/resend.html", form=form)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The page of a link that moves an account to a new address: opening it shows the change,
    the button makes it."""
    try:
        user = account_emails.user_for_token(db.session, token, account_emails.CHANGE_EMAIL)
    except Invalid as refusal:
        flash(refusal.errors["token"], "error")
        return redirect(url_for("public.index"))
    form = Form()
    if form.validate_on_submit():
        try:
            user = address_changes.confirm_email_change(db.session, token)
        except Invalid as refusal:
            flash(next(iter(refusal.errors.values())), "error")
            return redirect(url_for("public.index"))
        flash(f"Your email address is now {user.email}.", "success")
        return redirect(url_for("auth.login"))
    return render_template(
        "auth/confirm_email.html", form=form, user=user, new_email=user.pending_email
    )
