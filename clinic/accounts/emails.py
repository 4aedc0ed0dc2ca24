"""The signed links emailed to account holders — verify an address, reset a password, confirm
a new address — and the emails that carry them (or tell an address's owner that someone tried
it, or that its account moved elsewhere). Links come from `links`, bodies from
templates/emails/; a link holds only while what it was made for stays as it was (see `_stamp`).

Every account email goes through `_send`, which counts the mails to each address
(ACCOUNT_MAIL_LIMIT, a few an hour): past it, nothing more goes there for a while, and the
page that asked answers as always (nobody fills a stranger's inbox from the reset or register
forms). An email to an address whose owner has not verified it names nobody: the names came
from whoever registered, who may not be the address's owner."""

from __future__ import annotations

import hashlib
import hmac
import logging

import limits as rates
from flask import Flask, current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ..config import share_of
from ..kernel import links, mail
from ..kernel.database import note_change
from ..kernel.errors import Invalid
from ..kernel.signals import Change, clinic_changed
from ..kernel.values import AnySession
from ..models import User

log = logging.getLogger(__name__)

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"
CHANGE_EMAIL = "change-email"
UNCHOSEN = "!"
"""The password of an account whose owner has not chosen one yet: nothing matches it."""
ACCOUNT_EMAIL = "account_email"
"""What a unit notes (`send_once_committed`) for an email to go once it has committed."""


def init_app(app: Flask) -> None:
    """Send the account emails a unit of work noted, once it has committed; count each
    address's mails where the rate limits count (RATELIMIT_STORAGE_URI)."""
    clinic_changed.connect(_send_noted)
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["account_mail_limit"] = MovingWindowRateLimiter(storage)


def _send(to: str, subject: str, body: str, limited: bool = True) -> bool:
    """Send an account email unless its address has had its share lately (ACCOUNT_MAIL_LIMIT,
    this process's share of it with memory:// storage; one count for every `+tag` of an
    inbox); whether it went. A notice that an account moved, or a link staff asked for,
    is not `limited`: nobody can ask for those anonymously, and nobody may silence them by
    spending the address's share first."""
    if not limited:
        return mail.send_or_log(to, subject, body)
    local, _at, domain = to.lower().rpartition("@")
    inbox = f"{local.split('+', 1)[0]}@{domain}"
    counter = current_app.extensions["account_mail_limit"]
    allowed = [
        counter.hit(limit, "account-mail", inbox)
        for limit in rates.parse_many(share_of(current_app.config, "ACCOUNT_MAIL_LIMIT"))
    ]
    if not all(allowed):
        log.warning("Not sending %r: %s has had its account emails for now", subject, to)
        return False
    return mail.send_or_log(to, subject, body)


def send_once_committed(
    session: AnySession, kind: str, user: User, address: str | None = None
) -> None:
    """Email the user once the open unit of work has committed (never if it is rolled back):
    "change-email" (to `address`, the link that makes it theirs), "change-asked" (to their
    current address, the link that lets staff's change to their pending address happen),
    "address-changed" (to `address`, their old one: the account has moved) or
    "address-in-use"."""
    note_change(session, Change(ACCOUNT_EMAIL, user.id, kind, (user, address)))


def _send_noted(_sender: object, changes: list[Change]) -> None:
    """The account emails of a committed unit; a failure is logged, the others still go."""
    senders = {
        "change-email": send_email_change,
        "change-asked": lambda user, _address: send_change_asked(user),
        "address-changed": send_address_changed,
        "address-in-use": lambda user, _address: send_address_in_use(user),
    }
    for change in changes:
        if change.entity != ACCOUNT_EMAIL:
            continue
        user, address = change.row
        try:
            senders[change.action](user, address)
        except Exception:
            log.exception("Could not send the %s email to user %s", change.action, user.id)


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"clinic-{purpose}")


def _stamp(user: User, purpose: str) -> str:
    """A keyed digest (HMAC with the secret key) of what must not have changed for a token to
    hold, besides the address: the password, so that a link dies with a password change and a
    reset link works once; for a verification link, that the address is not verified yet, so
    that it works once; for an address change, the change waiting (a newer one, or none, kills
    the link). The digest tells nothing of the password's hash."""
    facts = [purpose, user.password_hash]
    if purpose == VERIFY_EMAIL:
        facts.append("" if user.email_verified_at is None else "verified")
    if purpose == CHANGE_EMAIL:
        facts.append(user.pending_email or "")
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, "\0".join(facts).encode(), hashlib.sha256).hexdigest()[:32]


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


def send_verification(user: User) -> None:
    """Email the user the link to the page that verifies their address (with the password
    they chose, or a new one) and signs them in; a failure is logged (they can ask again). An
    account still without a password (none given, or the desk knew the address first) gets
    the link that verifies by choosing one. No password is ever mailed."""
    if user.password_hash == UNCHOSEN:
        link = links.for_emails().reset_password(email_token(user, RESET_PASSWORD))
    else:
        link = links.for_emails().verify_email(email_token(user))
    body = render_template(
        "emails/verify_email.txt",
        user=user,
        link=link,
        choose=user.password_hash == UNCHOSEN,
        hours=_hours(),
    )
    _send(user.email, "Confirm your email address", body)


def send_password_reset(user: User) -> bool:
    """Email the user a link to choose a new password; whether it went out."""
    body = render_template(
        "emails/reset_password.txt",
        user=user,
        hours=_hours(),
        link=links.for_emails().reset_password(email_token(user, RESET_PASSWORD)),
    )
    return _send(user.email, "Choose a new password", body)


def change_token(user: User) -> str:
    """A signed, expiring token for the address change waiting (`user.pending_email`, which
    its stamp covers: a newer change, or none, kills it)."""
    return email_token(user, CHANGE_EMAIL)


def send_email_change(user: User, new_email: str) -> None:
    """Email the new address the holder asked for a link that makes it the account's (and its
    client record's); until it is opened, mail goes to the old one."""
    body = render_template(
        "emails/change_email.txt",
        user=user,
        hours=_hours(),
        link=links.for_emails().confirm_email(change_token(user)),
    )
    _send(new_email, "Confirm your new email address", body)


def send_change_asked(user: User) -> None:
    """Email the account's current address the link that lets the change staff asked for
    happen: the holder, not the clinic, moves their account to another address."""
    body = render_template(
        "emails/change_asked.txt",
        user=user,
        new_email=user.pending_email,
        hours=_hours(),
        link=links.for_emails().confirm_email(change_token(user)),
    )
    _send(user.email, "Your clinic asked to change your email address", body, limited=False)


def send_address_changed(user: User, old_email: str) -> None:
    """Tell the address an account has just left that it has moved (and where to turn if that
    was not its owner's wish)."""
    body = render_template("emails/address_changed.txt", user=user)
    _send(old_email, "Your email address at the clinic has changed", body, limited=False)


def send_username_taken(email: str) -> None:
    """Tell an address someone registered with that the username asked for is taken (the API's
    answer is the same either way, so that it tells nobody which usernames exist)."""
    body = render_template("emails/username_taken.txt", register=links.for_emails().register())
    _send(email, "Your registration at the clinic", body)


def send_registration_notice(user: User) -> None:
    """Tell an account's owner that someone tried to register with their address (instead of
    telling the one who tried that the address has an account)."""
    body = render_template(
        "emails/registration_notice.txt",
        user=user,
        reset=links.for_emails().request_reset(),
        sign_in=links.for_emails().sign_in(),
    )
    _send(user.email, "You already have an account", body)


def send_address_in_use(user: User) -> None:
    """Tell an account's owner that someone asked to move their address to another account
    (instead of telling the one who asked that the address has an account)."""
    body = render_template(
        "emails/address_in_use.txt", user=user, sign_in=links.for_emails().sign_in()
    )
    _send(user.email, "Someone asked to use your email address", body)
