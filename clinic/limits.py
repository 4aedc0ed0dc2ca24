"""Fair-use rate limits: one login limit over the web sign-in and the three API login paths, one
self-booking limit over the booking page and the API, and each process's share of a limit.

Signing in is counted per address, per address and account, and per account on failures only
(a higher number, so that nobody locks an account out cheaply). The account is the one the typed
username or email resolves to, so that `Admin `, `ADMIN` and admin's email count as `admin`.
With `memory://` storage each server process counts alone, so each allows its share of a limit
(the limit divided by WEB_CONCURRENCY); shared storage such as Redis counts exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import limits
from flask import current_app, g, request
from flask.wrappers import Response
from flask_limiter.util import get_remote_address
from flask_login import current_user

from . import accounts
from .extensions import db, limiter
from .models import comparison_key

MAX_TYPED_LENGTH = 320
"""Longer usernames or emails are never valid; the lookup reads no more than this."""


def share(setting: str) -> Callable[[], str]:
    """The limit a setting names, as this process's share of it when counts are per process."""

    def rate() -> str:
        value = current_app.config[setting]
        if not current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
            return value
        item = limits.parse(value)
        amount = max(1, item.amount // current_app.config["WEB_CONCURRENCY"])
        return f"{amount} per {item.multiples} {item.GRANULARITY.name}"

    return rate


def typed_username() -> str:
    """The username or email in a sign-in request (form data or JSON), as typed."""
    data = request.get_json(silent=True) if request.is_json else request.form
    value = data.get("username", "") if hasattr(data, "get") else ""
    return value[:MAX_TYPED_LENGTH] if isinstance(value, str) else ""


def account_key(user_id: int) -> str:
    """How every limit counted per account names the account (so that the web and the API,
    sign-ins and password checks, count in the same buckets)."""
    return f"user:{user_id}"


def login_account() -> str:
    """The account a sign-in is for: its id, or (no such account) the text normalised."""
    if "login_account" not in g:
        text = typed_username()
        user = accounts.find_user(db.session, text)
        g.login_account = account_key(user.id) if user else f"name:{comparison_key(text.strip())}"
    return g.login_account


def address_and_account() -> str:
    """Sign-ins counted per address and account."""
    return f"{get_remote_address()}|{login_account()}"


def sign_in_failed() -> None:
    """Count this request's sign-in as a failure against its account (a wrong password)."""
    g.login_failed = True


def _failed(_response: Response) -> bool:
    """Whether the view said the sign-in failed."""
    return g.get("login_failed", False)


def login_limited(view: Callable) -> Callable:
    """The one login limit, for the web sign-in's POST and the API login paths alike."""
    for decorate in (
        limiter.shared_limit(
            share("LOGIN_LIMIT_PER_IP"),
            scope="login-address",
            key_func=get_remote_address,
            methods=["POST"],
        ),
        limiter.shared_limit(
            share("LOGIN_LIMIT_PER_IP_ACCOUNT"),
            scope="login-address-account",
            key_func=address_and_account,
            methods=["POST"],
        ),
        limiter.shared_limit(
            share("LOGIN_FAILURES_PER_ACCOUNT"),
            scope="login-account-failures",
            key_func=login_account,
            deduct_when=_failed,
            methods=["POST"],
        ),
    ):
        view = decorate(view)
    return view


def signed_in_account() -> str:
    """The signed-in user's account, named as `login_account` names a resolved one."""
    return account_key(current_user.id) if current_user.is_authenticated else "anonymous"


def password_checked(view: Callable) -> Callable:
    """For a page that checks the signed-in user's password (changing it, or the email
    address): a wrong one (the view calls `sign_in_failed`) counts as a failed sign-in of the
    account, in the same count as the sign-in pages'."""
    return limiter.shared_limit(
        share("LOGIN_FAILURES_PER_ACCOUNT"),
        scope="login-account-failures",
        key_func=signed_in_account,
        deduct_when=_failed,
        methods=["POST"],
    )(view)


SELF_BOOKING_MESSAGE = (
    "You have booked online many times in a short while; please try again later, "
    "or call the clinic."
)


def self_booking_limited(key_func: Callable[[], str], exempt_when: Callable[[], bool]) -> Callable:
    """The one self-service booking limit (SELF_BOOKING_LIMIT), counted per user (`key_func`)
    over the web's booking page and the API alike; staff are exempt (`exempt_when`)."""
    return limiter.shared_limit(
        share("SELF_BOOKING_LIMIT"),
        scope="self-booking",
        key_func=key_func,
        exempt_when=exempt_when,
        methods=["POST"],
        error_message=SELF_BOOKING_MESSAGE,
    )
