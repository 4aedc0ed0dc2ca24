"""A client's own account: their details, where they are signed in, signing out everywhere
else, and their password. Each form posts to its own address and comes back here."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ... import accounts
from ...accounts import sign_ins
from ...extensions import db
from ...http import limits
from ...kernel.clock import clinic_zone
from ...kernel.dates import when
from ...kernel.errors import Invalid
from ...setup import save_own_details
from ..auth.forms import PASSWORD_FIELDS, ChangePasswordForm
from ..auth.password import change_own_password, end_other_sign_ins
from ..forms import Form
from . import bp
from .forms import AccountDetailsForm

BROWSERS = [
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
SYSTEMS = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
]
"""What a user agent's words say, the first match winning (Chrome's says Safari too)."""


def describe_device(user_agent: str) -> str:
    """A reader's summary of a browser's user agent: "Firefox on Windows", or as much as is
    known."""
    browser = next((name for word, name in BROWSERS if word in user_agent), "")
    system = next((name for word, name in SYSTEMS if word in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "An unknown browser")


def details_as_they_are() -> AccountDetailsForm:
    """The details form filled with the client's details as they are."""
    client = current_user.client
    data = {
        "first_name": client.first_name if client else current_user.first_name,
        "last_name": client.last_name if client else current_user.last_name,
        "phone": client.phone if client else "",
        "email": current_user.email,
    }
    return AccountDetailsForm(formdata=None, prefix="details", data=data)


def account_page(
    details: AccountDetailsForm | None = None, password: ChangePasswordForm | None = None
) -> str:
    """The account page with the form given (a refused one, showing its errors), the others
    fresh."""
    zone = clinic_zone()
    signed_in = [
        {
            "device": describe_device(sign_in.user_agent),
            "started": when(sign_in.started_at.astimezone(zone).replace(tzinfo=None)),
            "remembered": sign_in.remembered,
            "this_browser": sign_in.this_browser,
        }
        for sign_in in sign_ins.live_sign_ins(db.session, current_user, current_user.sign_in_token)
    ]
    return render_template(
        "me/account.html",
        details=details or details_as_they_are(),
        password=password or ChangePasswordForm(formdata=None, prefix="password"),
        elsewhere=Form(formdata=None, prefix="elsewhere"),
        sign_ins=signed_in,
    )


@bp.get("/account")
def account():
    """The client's account page."""
    return account_page()


@bp.post("/account/details")
@limits.password_checked
def save_details():
    """Save the client's names and phone; a new address gets a link to confirm it."""
    form = AccountDetailsForm(prefix="details")
    if not form.validate_on_submit():
        return account_page(details=form)
    old_email = (current_user.email or "").lower()
    try:
        save_own_details(
            db.session,
            current_user._get_current_object(),
            {
                "first_name": form.first_name.data,
                "last_name": form.last_name.data,
                "phone": form.phone.data,
                "email": form.email.data,
                "password": form.password.data,
            },
        )
    except Invalid as refusal:
        if "password" in refusal.errors and form.password.data:
            limits.sign_in_failed()
        form.show_refusal(refusal)
        return account_page(details=form)
    flash("Your details are saved.", "success")
    new_email = accounts.read_email(form.email.data)
    if new_email != old_email:
        flash(
            f"We sent a link to {new_email}: your address changes when you open it. Until "
            f"then we keep writing to {old_email}.",
            "info",
        )
    return redirect(url_for("me.account"))


@bp.post("/account/password")
@limits.password_checked
def change_password():
    """Change the client's password, giving the current one; other sign-ins end."""
    form = ChangePasswordForm(prefix="password")
    if not form.validate_on_submit():
        return account_page(password=form)
    try:
        change_own_password(form)
    except Invalid as refusal:
        form.show_refusal(refusal, PASSWORD_FIELDS)
        return account_page(password=form)
    flash("Your password is changed; you are signed out everywhere else.", "success")
    return redirect(url_for("me.account"))


@bp.post("/account/sign-out-elsewhere")
def sign_out_elsewhere():
    """End every other sign-in and API token of the client; this browser stays."""
    end_other_sign_ins()
    return redirect(url_for("me.account"))
