"""Registering as a client and verifying the email address."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for

from ... import account_emails, accounts
from ...extensions import db, limiter
from ...scheduling import Invalid
from ..access import landing, safe_next, sign_in
from . import SIGN_IN_LIMIT, bp
from .forms import EmailForm, RegisterForm

FIELD_NAMES = {"username": "email", "repeat_password": "confirm"}
"""The account rules' field names that the register form calls otherwise."""
AFTER_VERIFY = "after_verify"
"""Where this browser goes once its emailed link is opened (the page that sent it to register,
such as a booking's confirmation), kept in the session."""


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def register():
    """Register as a client; the account works once the emailed link is opened. An address
    that has an account already gets the same answer (and its owner an email), so the form
    never tells who has an account here."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user, _ = accounts.register_client(
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
    sign_in(user)
    flash("Your email address is verified. Welcome!", "success")
    return redirect(safe_next(session.pop(AFTER_VERIFY, None)) or landing(user))


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def resend_verification():
    """Ask for a new verification link (the answer never tells whether the address is known)."""
    form = EmailForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(db.session, form.email.data)
        if user is not None and user.email_verified_at is None:
            account_emails.send_verification(user)
        return render_template("auth/check_email.html", email=form.email.data)
    return render_template("auth/resend.html", form=form)


@bp.get("/account/email/<token>")
def confirm_email(token: str):
    """Open the link sent to a new address: it becomes the account's."""
    try:
        user = accounts.confirm_email_change(db.session, token)
    except Invalid as refusal:
        flash(next(iter(refusal.errors.values())), "error")
        return redirect(url_for("public.index"))
    flash(f"Your email address is now {user.email}.", "success")
    return redirect(url_for("auth.login"))
