"""Browser sign-ins kept on the server: one row per sign-in, named by the session and the
remember-me cookies (only a hash of its token is stored), checked on every request by reading
alone, removed at sign-out; the account's `auth_version`, whose bump ends every sign-in and
API token of the account at once; and the purge of what can no longer open anything."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from ..kernel.database import writing
from ..kernel.values import AnySession
from ..models import RevokedToken, SignIn, User


def _token_hash(token: str) -> str:
    """What is stored of a sign-in's token: a copy of the database opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_sign_in(session: AnySession, user: User, *, remember: bool, user_agent: str) -> str:
    """A new sign-in of the user (a row on the server); its token, for the cookies."""
    token = secrets.token_urlsafe(32)
    with writing(session):
        session.add(
            SignIn(
                user=user,
                token_hash=_token_hash(token),
                auth_version=user.auth_version,
                remember=remember,
                user_agent=(user_agent or "")[:255],
            )
        )
    return token


@dataclass(frozen=True)
class LiveSignIn:
    """What its owner may see of a sign-in (never its token nor the token's hash)."""

    user_agent: str
    started_at: datetime
    remembered: bool
    this_browser: bool


def _oldest() -> datetime:
    """When the oldest sign-in still standing began: older ones have expired."""
    return datetime.now(UTC) - current_app.config["REMEMBER_COOKIE_DURATION"]


def live_sign_ins(session: AnySession, user: User, current: str | None) -> list[LiveSignIn]:
    """The user's sign-ins still standing (as `signed_in_user` judges them), the browser with
    the sign-in `current` first, then the newest first."""
    rows = session.scalars(
        select(SignIn)
        .where(
            SignIn.user_id == user.id,
            SignIn.auth_version == user.auth_version,
            SignIn.created_at >= _oldest(),
        )
        .order_by(SignIn.created_at.desc(), SignIn.id.desc())
    ).all()
    here = _token_hash(current) if current else None
    found = [
        LiveSignIn(row.user_agent, row.created_at, row.remember, row.token_hash == here)
        for row in rows
    ]
    return sorted(found, key=lambda sign_in: not sign_in.this_browser)


def signed_in_user(session: AnySession, token: str) -> User | None:
    """The user of a sign-in still standing: not signed out, not older than a remember-me
    cookie may live (the server's word, not the browser's), account active, and no password
    change or "sign out everywhere" since. Reads only (no write per request)."""
    if not token or len(token) > 100:
        return None
    row = session.scalar(
        select(SignIn)
        .where(SignIn.token_hash == _token_hash(token))
        .options(joinedload(SignIn.user))
    )
    if row is None or row.created_at < _oldest():
        return None
    if not row.user.active or row.auth_version != row.user.auth_version:
        return None
    return row.user


def end_sign_in(session: AnySession, token: str | None) -> None:
    """Sign out one browser: its sign-in row goes, so no copy of its cookies works again."""
    if token:
        with writing(session):
            session.execute(delete(SignIn).where(SignIn.token_hash == _token_hash(token)))


def end_all_sign_ins(session: AnySession, user: User, keep: str | None = None) -> None:
    """End every sign-in and API token of the user (a new `auth_version`), except the sign-in
    `keep`, which goes on under the new version."""
    with writing(session):
        user.auth_version = (user.auth_version or 1) + 1
        session.execute(
            delete(SignIn).where(
                SignIn.user_id == user.id,
                SignIn.token_hash != (_token_hash(keep) if keep else ""),
            )
        )
        if keep:
            session.execute(
                update(SignIn)
                .where(SignIn.token_hash == _token_hash(keep))
                .values(auth_version=user.auth_version)
            )


@dataclass(frozen=True)
class Purged:
    """How many rows a purge removed."""

    sign_ins: int
    revocations: int


def purge_expired(session: AnySession) -> Purged:
    """Delete the sign-ins that can no longer open anything (older than a remember-me cookie
    may live, or of an account's earlier `auth_version`) and the revocations of API tokens
    that have expired anyway (past their end and the decoder's leeway). Run daily from cron."""
    leeway = current_app.config.get("JWT_DECODE_LEEWAY", 0)
    seconds = leeway.total_seconds() if hasattr(leeway, "total_seconds") else float(leeway)
    now = datetime.now(UTC)
    stale_version = (
        select(User.id)
        .where(User.id == SignIn.user_id, User.auth_version != SignIn.auth_version)
        .exists()
    )
    with writing(session):
        sign_ins = session.execute(
            delete(SignIn).where((SignIn.created_at < _oldest()) | stale_version)
        ).rowcount
        revocations = session.execute(
            delete(RevokedToken).where(RevokedToken.expires_at < now - timedelta(seconds=seconds))
        ).rowcount
    return Purged(sign_ins, revocations)
