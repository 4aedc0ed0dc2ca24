"""Registering a client account, verifying its address (the web's /verify/<token> and the
API's /activate/), linking it to the desk's client record, and expiring the never verified."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from .. import audit
from ..kernel.database import writing
from ..kernel.errors import Invalid
from ..kernel.values import AnySession, limit, parse_phone
from ..models import Appointment, Client, Role, User
from .emails import (
    UNCHOSEN,
    send_registration_notice,
    send_username_taken,
    send_verification,
    user_for_token,
)
from .sign_ins import end_all_sign_ins
from .users import (
    check_email_shaped,
    check_unique,
    find_by_email,
    password_matches,
    read_email,
    read_name,
    read_password,
    read_username,
)


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
