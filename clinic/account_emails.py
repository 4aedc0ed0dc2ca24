"""The signed links emailed to account holders — verify an address, reset a password, confirm
a new address — and the emails that carry them (or tell an address's owner that someone tried
it). Links come from `links`, bodies from templates/emails/; a link holds only while what it
was made for stays as it was (see `_stamp`)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from . import links, mail
from .database import note_change
from .models import User
from .scheduling import AnySession, Invalid
from .signals import Change, clinic_changed

log = logging.getLogger(__name__)

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"
CHANGE_EMAIL = "change-email"
UNCHOSEN = "!"
"""The password of an account whose owner has not chosen one yet: nothing matches it."""
ACCOUNT_EMAIL = "account_email"
"""What a unit notes (`send_once_committed`) for an email to go once it has committed."""


def init_app(app: Flask) -> None:
    """Send the account emails a unit of work noted, once it has committed."""
    clinic_changed.connect(_send_noted)


def send_once_committed(
    session: AnySession, kind: str, user: User, new_email: str | None = None
) -> None:
    """Email the user once the open unit of work has committed (never if it is rolled back):
    "change-email" (the link that makes `new_email` theirs) or "address-in-use"."""
    note_change(session, Change(ACCOUNT_EMAIL, user.id, kind, (user, new_email)))


def _send_noted(_sender: object, changes: list[Change]) -> None:
    """The account emails of a committed unit; a failure is logged, the others still go."""
    for change in changes:
        if change.entity != ACCOUNT_EMAIL:
            continue
        user, new_email = change.row
        try:
            if change.action == "change-email":
                send_email_change(user, new_email)
            else:
                send_address_in_use(user)
        except Exception:
            log.exception("Could not send the %s email to user %s", change.action, user.id)


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"clinic-{purpose}")


def _stamp(user: User, purpose: str) -> str:
    """What must not have changed for a token to hold (besides the address): the password,
    so that a link dies with a password change and a reset link works once; and, for a
    verification link, that the address is not verified yet, so that it works once."""
    if purpose == RESET_PASSWORD:
        return user.password_hash[-16:]
    return user.password_hash[-16:] + ("" if user.email_verified_at is None else "|verified")


def email_token(user: User, purpose: str = VERIFY_EMAIL) -> str:
    """A signed, expiring token naming the user and the address it was sent to."""
    return _serializer(purpose).dumps(
        {"user": user.id, "email": user.email, "stamp": _stamp(user, purpose)}
    )


def user_for_token(session: AnySession, token: str, purpose: str = VERIFY_EMAIL) -> User:
    """The user a token was made for; Invalid when it is forged, expired or out of date."""
    max_age = current_app.config["EMAIL_TOKEN_MAX_AGE"].total_seconds()
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Invalid({"token": "This link has expired; ask for a new one."}) from None
    except BadSignature:
        raise Invalid({"token": "This link is not valid."}) from None
    user = session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or user.email != data.get("email"):
        raise Invalid({"token": "This link is not valid."})
    if data.get("stamp", "") != _stamp(user, purpose):
        raise Invalid({"token": "This link has been used already; ask for a new one."})
    return user


def _hours() -> int:
    """How long emailed links work, in hours."""
    return int(current_app.config["EMAIL_TOKEN_MAX_AGE"].total_seconds() // 3600)


def send_verification(user: User, password: str | None = None) -> None:
    """Email the user the link that verifies their address (and signs them in), with the
    generated password when they chose none; a failure is logged (they can ask again). An
    account still without a password (the desk knew the address first) gets the link that
    verifies by choosing one."""
    if user.password_hash == UNCHOSEN:
        link = links.for_emails().reset_password(email_token(user, RESET_PASSWORD))
    else:
        link = links.for_emails().verify_email(email_token(user))
    body = render_template(
        "emails/verify_email.txt",
        user=user,
        password=password,
        link=link,
        choose=user.password_hash == UNCHOSEN,
        hours=_hours(),
    )
    mail.send_or_log(user.email, "Confirm your email address", body)


def send_password_reset(user: User) -> bool:
    """Email the user a link to choose a new password; whether it went out."""
    body = render_template(
        "emails/reset_password.txt",
        user=user,
        hours=_hours(),
        link=links.for_emails().reset_password(email_token(user, RESET_PASSWORD)),
    )
    return mail.send_or_log(user.email, "Choose a new password", body)


def send_email_change(user: User, new_email: str) -> None:
    """Email the new address a link that makes it the account's (and its client record's);
    until it is opened, mail goes to the old one."""
    token = _serializer(CHANGE_EMAIL).dumps(
        {
            "user": user.id,
            "email": user.email,
            "new": new_email,
            "stamp": _stamp(user, CHANGE_EMAIL),
        }
    )
    body = render_template(
        "emails/change_email.txt",
        user=user,
        hours=_hours(),
        link=links.for_emails().confirm_email(token),
    )
    mail.send_or_log(new_email, "Confirm your new email address", body)


def send_registration_notice(user: User) -> None:
    """Tell an account's owner that someone tried to register with their address (instead of
    telling the one who tried that the address has an account)."""
    body = render_template(
        "emails/registration_notice.txt",
        user=user,
        reset=links.for_emails().request_reset(),
        sign_in=links.for_emails().sign_in(),
    )
    mail.send_or_log(user.email, "You already have an account", body)


def send_address_in_use(user: User) -> None:
    """Tell an account's owner that someone asked to move their address to another account
    (instead of telling the one who asked that the address has an account)."""
    body = render_template(
        "emails/address_in_use.txt", user=user, sign_in=links.for_emails().sign_in()
    )
    mail.send_or_log(user.email, "Someone asked to use your email address", body)


def new_address(token: str) -> Any:
    """The new address an (already checked) address-change link names."""
    return _serializer(CHANGE_EMAIL).loads(token)["new"]
