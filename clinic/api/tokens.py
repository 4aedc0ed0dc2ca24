"""API tokens: they name a user by id, the user is re-read on every request, revoked ones are
refused, and every fault of a token is a 401 in the API's error shape (flask-jwt-extended
would say 422 for some)."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from ..extensions import db, jwt
from ..models import RevokedToken, User
from .errors import json_error

_REVOKED = select(RevokedToken.id).where(RevokedToken.jti == bindparam("jti"))
"""Built once: every API request asks it, and building costs more than asking."""


def init_tokens() -> None:
    """Install the loaders and the 401 answers on the JWT extension."""
    jwt.user_identity_loader(identity)
    jwt.additional_claims_loader(lambda user: {"av": user.auth_version})
    jwt.user_lookup_loader(load_user)
    jwt.token_in_blocklist_loader(lambda _header, payload: is_revoked(payload["jti"]))
    jwt.unauthorized_loader(lambda reason: unauthorized("Sign in first: " + reason + "."))
    jwt.invalid_token_loader(lambda reason: unauthorized("The token is not valid: " + reason))
    jwt.expired_token_loader(lambda _h, _p: unauthorized("The token has expired."))
    jwt.revoked_token_loader(lambda _h, _p: unauthorized("The token has been revoked."))
    jwt.user_lookup_error_loader(
        lambda _h, _p: unauthorized("The account is gone or switched off.")
    )
    jwt.needs_fresh_token_loader(lambda _h, _p: unauthorized("A fresh token is needed."))
    jwt.token_verification_failed_loader(lambda _h, _p: unauthorized("The token is refused."))


def identity(user: User) -> str:
    """What a token says about its user: the id."""
    return str(user.id)


def load_user(_header: dict, payload: dict) -> User | None:
    """The token's user, re-read; none when gone, switched off, or when the token is older
    than the account's last password change or "sign out everywhere" (its `av` claim is not
    the account's `auth_version`; a token without one is refused)."""
    subject = payload.get("sub", "")
    user = db.session.get(User, int(subject)) if str(subject).isdigit() else None
    if user is None or not user.active or payload.get("av") != user.auth_version:
        return None
    return user


def is_revoked(jti: str) -> bool:
    """Whether a token was revoked (logged out)."""
    return db.session.scalar(_REVOKED, {"jti": jti}) is not None


def unauthorized(message: str):
    """The API's 401, asking for a Bearer token."""
    return json_error(401, message, headers={"WWW-Authenticate": "Bearer"})
