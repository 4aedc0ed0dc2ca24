"""Accounts: who may sign in, reading usernames, emails and passwords, registering clients,
and the signed emailed links that verify an address or reset a password (the API's /activate/
and the web's /verify/<token> share them). Links come from `links`, bodies from
templates/emails/."""

from __future__ import annotations

import enum
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit, links, mail
from .database import writing
from .models import Appointment, Client, Role, User, comparison_key
from .scheduling import AnySession, Invalid
from .scheduling.values import limit, parse_name, parse_phone
from .sign_ins import end_all_sign_ins

USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"
CHANGE_EMAIL = "change-email"
# Checked against when the username is unknown, so that both answers take as long.
_NOBODY = generate_password_hash(secrets.token_hex(16))
UNCHOSEN = "!"
"""The password of an account whose owner has not chosen one yet: nothing matches it."""


class SignIn(enum.Enum):
    """Why someone may or may not sign in."""

    OK = "ok"
    WRONG = "Wrong username or password."
    INACTIVE = "This account has been switched off; please ask the clinic."
    UNVERIFIED = "Please verify your email address first; we sent you a link."


def authenticate(session: AnySession, username: str, password: str) -> tuple[User | None, SignIn]:
    """The user these credentials belong to, and whether they may sign in."""
    user = find_user(session, username)
    if user is None:
        check_password_hash(_NOBODY, password or "")
        return None, SignIn.WRONG
    if not check_password_hash(user.password_hash, password or ""):
        return None, SignIn.WRONG
    if not user.active:
        return user, SignIn.INACTIVE
    if user.email_verified_at is None:
        return user, SignIn.UNVERIFIED
    return user, SignIn.OK


def find_user(session: AnySession, name: str) -> User | None:
    """The account a sign-in names: by username (as people read it: `ADMIN`, ` admin ` and
    a fullwidth `admin` are `admin`), else by email address."""
    name = (name or "").strip()
    if not name or "\x00" in name:
        return None
    user = session.scalar(select(User).where(User.username_key == comparison_key(name)))
    if user is None and "@" in name:
        user = find_by_email(session, name)
    return user


def find_by_email(session: AnySession, email: str) -> User | None:
    """The user with this email address (case does not matter)."""
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def read_username(value: Any) -> str:
    """A username: 1-150 letters, digits and . @ + - _."""
    value = value.strip() if isinstance(value, str) else ""
    if not USERNAME.match(value):
        raise Invalid({"username": "Use 1-150 letters, digits and . @ + - _ only."})
    return value


def read_email(value: Any, field: str = "email") -> str:
    """An email address, normalised (the domain lower-cased)."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid({field: "An email address is required."})
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise Invalid({field: str(error)}) from None


def read_password(value: Any, repeat: Any = None, field: str = "password") -> str:
    """A new password: 8 to 128 characters, matching its repetition when one is given."""
    if not isinstance(value, str) or len(value) < MIN_PASSWORD_LENGTH:
        raise Invalid({field: f"Use at least {MIN_PASSWORD_LENGTH} characters."})
    if len(value) > MAX_PASSWORD_LENGTH:
        raise Invalid({field: f"Use at most {MAX_PASSWORD_LENGTH} characters."})
    if repeat is not None and repeat != value:
        raise Invalid({f"repeat_{field}": "The passwords do not match."})
    return value


def read_name(value: Any, field: str, required: bool = True) -> str:
    """A user's first or last name."""
    return parse_name(value, field, limit(User.first_name), required)


def check_unique(
    session: AnySession, username: str | None, email: str | None, user: User | None = None
) -> None:
    """Refuse a username or email another user has."""
    others = select(User.id).where(User.id != (user.id if user else 0))
    if username and "@" in username and comparison_key(username) != (email or "").lower():
        raise Invalid(
            {
                "username": "A username that looks like an email address must be "
                "the account's own address."
            }
        )
    with session.no_autoflush:
        key = comparison_key(username or "")
        if username and session.scalar(others.where(User.username_key == key)):
            raise Invalid({"username": "That username is taken."})
        if email and session.scalar(others.where(func.lower(User.email) == email)):
            raise Invalid({"email": "There is already an account with that email address."})


def register_client(
    session: AnySession,
    *,
    username: Any,
    email: Any,
    password: Any = None,
    first_name: Any = "",
    last_name: Any = "",
    phone: Any = "",
) -> tuple[User, str | None]:
    """A new client account awaiting email verification, its link emailed (with a generated
    password when none was given).

    When the desk already keeps a client record with this address, nothing is linked yet and
    the password given here is not kept: whoever opens the emailed link (proving the address)
    chooses the password, and only then is the record linked — so nobody takes over a
    patient's record by registering with their address. When the address has an account
    already, nothing is made: its owner is emailed instead, and the answer (an unsaved user)
    looks like any other, so registering never tells who has an account here.
    """
    generated = None if password else secrets.token_urlsafe(9)
    with writing(session):
        user = User(
            username=read_username(username),
            email=read_email(email),
            password_hash=generate_password_hash(read_password(password or generated)),
            first_name=read_name(first_name, "first_name", required=False),
            last_name=read_name(last_name, "last_name", required=False),
            role=Role.CLIENT,
        )
        phone = parse_phone(phone, "phone", limit(Client.phone))
        known = find_by_email(session, user.email)
        if known is None:
            check_unique(session, user.username, user.email)
            if _desk_record(session, user.email) is not None:
                user.password_hash, generated = UNCHOSEN, None
            session.add(user)
            audit.record(session, None, "register", user)
            if user.password_hash != UNCHOSEN:
                client_record_for(session, user, None, phone)
    if known is not None:
        send_registration_notice(known)
        return user, None
    send_verification(user, generated)
    return user, generated


def _desk_record(session: AnySession, email: str | None) -> Client | None:
    """The desk's client record with this address that no account has yet."""
    if not email:
        return None
    return session.scalar(
        select(Client)
        .where(func.lower(Client.email) == email, Client.user_id.is_(None))
        .order_by(Client.id)
        .limit(1)
    )


def client_record_for(
    session: AnySession, user: User, actor: User | None, phone: str = ""
) -> Client:
    """Link the user (whose address is verified) to the desk's client record with their
    email, or make one."""
    client = _desk_record(session, user.email)
    if client is None:
        client = Client(
            first_name=user.first_name or user.username,
            last_name=user.last_name,
            email=user.email,
            phone=phone,
        )
        session.add(client)
        action = "create"
    else:
        action = "link"
    before = None if action == "create" else audit.snapshot(client)
    client.user = user
    audit.record(session, actor, action, client, before)
    return client


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


def verify_email(session: AnySession, token: str) -> User:
    """Mark the token's user as verified; the link works once (then it is "used already")."""
    with writing(session):
        user = user_for_token(session, token)
        if user.password_hash == UNCHOSEN:
            raise Invalid({"token": "This link is not valid."})
        before = audit.snapshot(user)
        user.email_verified_at = datetime.now(UTC)
        audit.record(session, None, "verify", user, before)
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
        link = links.reset_password_link(email_token(user, RESET_PASSWORD))
    else:
        link = links.verify_email_link(email_token(user))
    body = render_template(
        "emails/verify_email.txt",
        user=user,
        password=password,
        link=link,
        choose=user.password_hash == UNCHOSEN,
        hours=_hours(),
    )
    mail.send_or_log(user.email, "Confirm your email address", body)


def send_password_reset(user: User) -> None:
    """Email the user a link to choose a new password."""
    body = render_template(
        "emails/reset_password.txt",
        user=user,
        hours=_hours(),
        link=links.reset_password_link(email_token(user, RESET_PASSWORD)),
    )
    mail.send_or_log(user.email, "Choose a new password", body)


def password_matches(user: User, password: Any) -> bool:
    """Whether `password` is the user's."""
    return isinstance(password, str) and check_password_hash(user.password_hash, password)


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
        link=links.external_url("auth.confirm_email", token=token),
    )
    mail.send_or_log(new_email, "Confirm your new email address", body)


def confirm_email_change(session: AnySession, token: str) -> User:
    """Make the address a change link was sent to the account's and its client record's; the
    link works once (the account's address is no longer the one it names)."""
    with writing(session):
        user = user_for_token(session, token, CHANGE_EMAIL)
        new_email = read_email(_serializer(CHANGE_EMAIL).loads(token)["new"])
        check_unique(session, None, new_email, user)
        before = audit.snapshot(user)
        user.email = new_email
        user.email_verified_at = datetime.now(UTC)
        audit.record(session, None, "email", user, before)
        if user.client is not None:
            client_before = audit.snapshot(user.client)
            user.client.email = new_email
            audit.record(session, None, "email", user.client, client_before)
    return user


def send_registration_notice(user: User) -> None:
    """Tell an account's owner that someone tried to register with their address (instead of
    telling the one who tried that the address has an account)."""
    body = render_template(
        "emails/registration_notice.txt",
        user=user,
        reset=links.external_url("auth.request_reset"),
        sign_in=links.external_url("auth.login"),
    )
    mail.send_or_log(user.email, "You already have an account", body)


def send_address_in_use(user: User) -> None:
    """Tell an account's owner that someone asked to move their address to another account
    (instead of telling the one who asked that the address has an account)."""
    body = render_template(
        "emails/address_in_use.txt", user=user, sign_in=links.external_url("auth.login")
    )
    mail.send_or_log(user.email, "Someone asked to use your email address", body)


def expire_unverified(session: AnySession, now: datetime | None = None, days: int = 7) -> int:
    """Delete the client accounts never verified within `days` that own no appointments (and
    their empty client records); how many went. Audited, as the system."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    booked = select(Appointment.id).join(Client).where(Client.user_id == User.id).exists()
    with writing(session):
        stale = session.scalars(
            select(User).where(
                User.role == Role.CLIENT,
                User.email_verified_at.is_(None),
                User.created_at < cutoff,
                ~booked,
            )
        ).all()
        for user in stale:
            if user.client is not None:
                audit.record(session, None, "expire", user.client, audit.snapshot(user.client))
                session.delete(user.client)
            audit.record(session, None, "expire", user, audit.snapshot(user))
            session.delete(user)
    return len(stale)


def set_password(
    session: AnySession,
    user: User,
    password: Any,
    repeat: Any = None,
    *,
    actor: User | None = None,
    keep: str | None = None,
) -> None:
    """Give the user a new password (8 characters or more), ending every other sign-in and
    token of theirs; the sign-in `keep` (the one they changed it in) goes on."""
    with writing(session):
        password = read_password(password, repeat)
        before = audit.snapshot(user)
        user.password_hash = generate_password_hash(password)
        end_all_sign_ins(session, user, keep=keep)
        audit.record(session, actor, "password", user, before)


def change_own_password(
    session: AnySession,
    user: User,
    current: Any,
    password: Any,
    repeat: Any = None,
    *,
    keep: str | None = None,
) -> None:
    """The user choosing a new password, giving the `current` one (Invalid on `current` when it
    is not theirs); see `set_password`."""
    if not password_matches(user, current):
        raise Invalid({"current": "That is not your current password."})
    set_password(session, user, password, repeat, actor=user, keep=keep)


def reset_password(session: AnySession, token: str, password: Any, repeat: Any = None) -> User:
    """Set the password of the reset link's user; the link also proves the address. Commits."""
    with writing(session):
        user = user_for_token(session, token, RESET_PASSWORD)
        before = audit.snapshot(user)
        user.password_hash = generate_password_hash(read_password(password, repeat))
        end_all_sign_ins(session, user)
        if user.email_verified_at is None:
            user.email_verified_at = datetime.now(UTC)
        audit.record(session, None, "password", user, before)
        if user.role is Role.CLIENT and user.client is None:
            client_record_for(session, user, None)
    return user
