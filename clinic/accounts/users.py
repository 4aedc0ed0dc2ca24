"""Who may sign in, and reading usernames, emails, passwords and names for an account."""

from __future__ import annotations

import enum
import functools
import re
import secrets
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..kernel.errors import Invalid
from ..kernel.values import AnySession, limit, parse_name
from ..models import User, comparison_key

USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


@functools.cache
def _nobody() -> str:
    """A hash checked against when the username is unknown, so that both answers take as long;
    made at the first such sign-in, not at start-up (scrypt takes 32 MB while it works, which a
    process that never checks a password need not have taken)."""
    return generate_password_hash(secrets.token_hex(16))


class Verdict(enum.Enum):
    """Why someone may or may not sign in."""

    OK = "ok"
    WRONG = "Wrong username or password."
    INACTIVE = "This account has been switched off; please ask the clinic."
    UNVERIFIED = "Please verify your email address first; we sent you a link."
    TEMPORARY = "This password is temporary: choose your own on the website first."


def authenticate(session: AnySession, username: str, password: str) -> tuple[User | None, Verdict]:
    """The user these credentials belong to, and whether they may sign in."""
    user = find_user(session, username)
    if user is None:
        check_password_hash(_nobody(), password or "")
        return None, Verdict.WRONG
    if not check_password_hash(user.password_hash, password or ""):
        return None, Verdict.WRONG
    if not user.active:
        return user, Verdict.INACTIVE
    if user.email_verified_at is None:
        return user, Verdict.UNVERIFIED
    if user.must_change_password:
        return user, Verdict.TEMPORARY
    return user, Verdict.OK


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


def password_matches(user: User, password: Any) -> bool:
    """Whether `password` is the user's."""
    return isinstance(password, str) and check_password_hash(user.password_hash, password)
