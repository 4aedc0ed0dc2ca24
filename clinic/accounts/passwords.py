"""Choosing a new password: by the user, by staff, or through the emailed reset link."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from werkzeug.security import generate_password_hash

from .. import audit
from ..kernel.database import writing
from ..kernel.errors import Invalid
from ..kernel.values import AnySession
from ..models import Role, User
from .emails import RESET_PASSWORD, user_for_token
from .registration import client_record_for
from .sign_ins import end_all_sign_ins
from .users import password_matches, read_password


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
