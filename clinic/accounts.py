"""Accounts: who may sign in, reading usernames, emails and passwords, registering clients,
verifying an address and changing the password (the emailed links themselves, which the
API's /activate/ and the web's /verify/<token> share, are in `account_emails`; moving an
account to another address is in `address_changes`)."""

from __future__ import annotations

import enum
import functools
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit
from .account_emails import (
    RESET_PASSWORD,
    UNCHOSEN,
    send_registration_notice,
    send_username_taken,
    send_verification,
    user_for_token,
)
from .database import writing
from .models import Appointment, Client, Role, User, comparison_key
from .scheduling import AnySession, Invalid
from .scheduling.values import limit, parse_name, parse_phone
from .sign_ins import end_all_sign_ins

USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


@functools.cache
def _nobody() -> str:
    """A hash checked against when the username is unknown, so that both answers take as long;
    made at the first such sign-in, not at start-up (scrypt takes 32 MB while it works, which a
    process that never checks a password need not have taken)."""
    return generate_password_hash(secrets.token_hex(16))


class SignIn(enum.Enum):
    """Why someone may or may not sign in."""

    OK = "ok"
    WRONG = "Wrong username or password."
    INACTIVE = "This account has been switched off; please ask the clinic."
    UNVERIFIED = "Please verify your email address first; we sent you a link."
    TEMPORARY = "This password is temporary: choose your own on the website first."


def authenticate(session: AnySession, username: str, password: str) -> tuple[User | None, SignIn]:
    """The user these credentials belong to, and whether they may sign in."""
    user = find_user(session, username)
    if user is None:
        check_password_hash(_nobody(), password or "")
        return None, SignIn.WRONG
    if not check_password_hash(user.password_hash, password or ""):
        return None, SignIn.WRONG
    if not user.active:
        return user, SignIn.INACTIVE
    if user.email_verified_at is None:
        return user, SignIn.UNVERIFIED
    if user.must_change_password:
        return user, SignIn.TEMPORARY
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


def check_email_shaped(username: str | None, email: str | None) -> None:
    """Refuse a username that looks like an email address but is not the account's own."""
    if username and "@" in username and comparison_key(username) != (email or "").lower():
        raise Invalid(
            {
                "username": "A username that looks like an email address must be "
                "the account's own address."
            }
        )


def check_unique(
    session: AnySession, username: str | None, email: str | None, user: User | None = None
) -> None:
    """Refuse a username or email another user has."""
    others = select(User.id).where(User.id != (user.id if user else 0))
    check_email_shaped(username, email)
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
) -> User:
    """A new client account awaiting email verification, its link emailed (never a password).

    Whoever opens the emailed link proves the address, and verifies with the password chosen
    here or a new one (which replaces it), so an account registered by someone else with
    a stranger's address ends up the address owner's alone. Without a password, or when the
    desk already keeps a client record with this address (the password given is then not
    kept), the account has none yet: the link lets the address's owner choose it, and only
    then is the desk's record linked. When the address has an account already, or the
    username is taken, nothing is made: the address is emailed instead, and the answer (an
    unsaved user) looks like any other, so registering never tells who has an account here
    or which usernames exist.
    """
    with writing(session):
        user = User(
            username=read_username(username),
            email=read_email(email),
            password_hash=generate_password_hash(read_password(password)) if password else UNCHOSEN,
            first_name=read_name(first_name, "first_name", required=False),
            last_name=read_name(last_name, "last_name", required=False),
            role=Role.CLIENT,
        )
        phone = parse_phone(phone, "phone", limit(Client.phone))
        check_email_shaped(user.username, user.email)  # before any lookup: it tells nothing
        known = find_by_email(session, user.email)
        taken = known is None and session.scalar(
            select(User.id).where(User.username_key == user.username_key)
        )
        if known is None and not taken:
            check_unique(session, user.username, user.email)
            desk_knows = _desk_record(session, user.email) is not None
            if desk_knows:
                user.password_hash = UNCHOSEN
            session.add(user)
            audit.record(session, None, "register", user)
            if not desk_knows:
                client_record_for(session, user, None, phone)
    if known is not None:
        send_registration_notice(known)
    elif taken:
        send_username_taken(user.email)
    else:
        send_verification(user)
    return user


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


def verify_email(
    session: AnySession,
    token: str,
    password: Any = None,
    new_password: Any = None,
    repeat: Any = None,
) -> User:
    """Verify the token's user's address with the password chosen at registration, or a new
    one (`new_password`, matching `repeat`), which replaces it and ends every other sign-in
    and token; the link works once (then it is "used already"). Invalid on `password` when
    it is not the account's."""
    with writing(session):
        user = user_for_token(session, token)
        if user.password_hash == UNCHOSEN:
            raise Invalid({"token": "This link is not valid."})
        before = audit.snapshot(user)
        if new_password:
            user.password_hash = generate_password_hash(
                read_password(new_password, repeat, field="new_password")
            )
            end_all_sign_ins(session, user)
        elif not password_matches(user, password):
            raise Invalid(
                {
                    "password": "That is not the password chosen when registering: type it "
                    "again, or choose a new one."
                }
            )
        _verified(session, user, before)
    return user


def activate(session: AnySession, token: str) -> User:
    """The v1 API's activation (`GET /api/v1/activate/?token=`, the contract's shape): the
    token's user's address verified, no password asked and nobody signed in; the link works
    once. Emailed links open `verify_email`'s page instead."""
    with writing(session):
        user = user_for_token(session, token)
        if user.password_hash == UNCHOSEN:
            raise Invalid({"token": "This link is not valid."})
        _verified(session, user, audit.snapshot(user))
    return user


def _verified(session: AnySession, user: User, before: dict) -> None:
    """Mark the user's address verified now, audited (as the system: the link's holder)."""
    user.email_verified_at = datetime.now(UTC)
    audit.record(session, None, "verify", user, before)


def password_matches(user: User, password: Any) -> bool:
    """Whether `password` is the user's."""
    return isinstance(password, str) and check_password_hash(user.password_hash, password)


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
        user.must_change_password = False
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
        user.must_change_password = False
        end_all_sign_ins(session, user)
        if user.email_verified_at is None:
            user.email_verified_at = datetime.now(UTC)
        audit.record(session, None, "password", user, before)
        if user.role is Role.CLIENT and user.client is None:
            client_record_for(session, user, None)
    return user
