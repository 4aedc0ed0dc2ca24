"""Fair-use rate limits: one login limit over the web sign-in and the three API login paths, one
self-booking limit over the booking page and the API, and each process's share of a limit.

Signing in is counted per address, and per address and account, in rates that grow (past a
minute's, an hour's, then a day's: the 429's Retry-After says how long), and per account on
failures only. The account is the one the typed username or email resolves to, so that
`Admin `, `ADMIN` and admin's email count as `admin`.

Nobody can lock an account out: past its failures, the per-account limit refuses only the
sources that have been failing at it. A source is the address (one that has not failed at
this account lately is let through to try, once, and is a failing source from its first
wrong password), or a browser that has signed in to the account before, by its long-lived
device cookie, which is always let through. Nothing sleeps in a worker.
With `memory://` storage each server process counts alone, so each allows its share of a limit
(the limit divided by WEB_CONCURRENCY); shared storage such as Redis counts exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import limits
from flask import current_app, g, request
from flask.wrappers import Response
from flask_limiter.util import get_remote_address
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from . import accounts
from .extensions import db, limiter
from .models import User, comparison_key

MAX_TYPED_LENGTH = 320
"""Longer usernames or emails are never valid; the lookup reads no more than this."""
DEVICE_COOKIE = "clinic_device"
"""The cookie of a browser that has signed in to an account: signed, naming the account."""
DEVICE_LIFETIME = timedelta(days=365)


def share(setting: str) -> Callable[[], str]:
    """The limit a setting names, as this process's share of it when counts are per process."""

    def rate() -> str:
        value = current_app.config[setting]
        if not current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
            return value
        processes = current_app.config["WEB_CONCURRENCY"]
        return "; ".join(
            f"{max(1, item.amount // processes)} per {item.multiples} {item.GRANULARITY.name}"
            for item in limits.parse_many(value)
        )

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
    """Count this request's sign-in as a failure against its account (a wrong password), and
    remember its address as failing at the account (for as long as the account's failures
    are counted)."""
    g.login_failed = True
    storage = limiter.storage if limiter.enabled else None
    if "login_account" in g and storage is not None:
        remembered = max(
            item.get_expiry()
            for item in limits.parse_many(current_app.config["LOGIN_FAILURES_PER_ACCOUNT"])
        )
        storage.incr(_failing_key(), remembered)


def _failing_key() -> str:
    return f"clinic-login-failing/{address_and_account()}"


def _not_failing() -> bool:
    """Whether the sign-in comes from a source that has not been failing at its account: a
    browser holding the account's device cookie, or an address with no wrong password for it
    lately (exempt from the account's failures limit)."""
    if _device_account() == login_account():
        return True
    storage = limiter.storage
    return storage is not None and storage.get(_failing_key()) == 0


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="clinic-device")


def _device_account() -> str | None:
    """The account this browser's device cookie names (signed, at most a year old), if any."""
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        return _devices().loads(value, max_age=DEVICE_LIFETIME.total_seconds())
    except BadSignature:
        return None


def remember_device(response: Response, user: User) -> Response:
    """Give the browser that has just signed in as `user` the account's device cookie (so that
    failures of others at the account never keep it out)."""
    response.set_cookie(
        DEVICE_COOKIE,
        _devices().dumps(account_key(user.id)),
        max_age=int(DEVICE_LIFETIME.total_seconds()),
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure),
        httponly=True,
        samesite="Lax",
    )
    return response


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
            exempt_when=_not_failing,
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
