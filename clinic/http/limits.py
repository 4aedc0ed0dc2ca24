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

import functools
import ipaddress
import math
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import limits
from flask import Flask, abort, current_app, g, request
from flask.wrappers import Response
from flask_limiter.util import get_remote_address
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .. import accounts
from ..config import share_of
from ..extensions import db, limiter
from ..models import User, comparison_key

MAX_TYPED_LENGTH = 320
"""Longer usernames or emails are never valid; the lookup reads no more than this."""
DEVICE_COOKIE = "clinic_device"
"""The cookie of a browser that has signed in to an account: signed, naming the account and
its auth_version (a new password, or "sign out everywhere", ends its standing)."""
DEVICE_LIFETIME = timedelta(days=365)


def share(setting: str) -> Callable[[], str]:
    """The limit a setting names, as this process's share of it when counts are per process."""

    def rate() -> str:
        return share_of(current_app.config, setting)

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
        g.login_user = user
    return g.login_account


def address_and_account() -> str:
    """Sign-ins counted per address and account."""
    return f"{get_remote_address()}|{login_account()}"


ACCOUNT_FAILURES = "login-account-failures"
"""The scope of the failures counted per account, over the sign-in pages and the pages that
check a signed-in user's password."""


def sign_in_failed() -> None:
    """Count this request's sign-in as a failure against its account (a wrong password), and
    remember its source as failing at the account (for as long as failures are counted)."""
    g.login_failed = True
    account = g.get("failures_account")
    if not limiter.enabled or account is None:
        return
    for item in _failure_rates():
        limiter.limiter.hit(item, ACCOUNT_FAILURES, account)
    if "login_account" in g:
        remembered = max(item.get_expiry() for item in _failure_rates())
        limiter.storage.incr(_failing_key(), remembered)


def _failure_rates() -> list[limits.RateLimitItem]:
    return limits.parse_many(share("LOGIN_FAILURES_PER_ACCOUNT")())


def _source() -> str:
    """Where a sign-in comes from: its address, an IPv6 one by its /64 (what one holder gets)."""
    address = get_remote_address()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return address


def _failing_key() -> str:
    return f"clinic-login-failing/{_source()}|{login_account()}"


def _not_failing() -> bool:
    """Whether the sign-in comes from a source that has not been failing at its account: a
    browser holding the account's device cookie, or an address with no wrong password for it
    lately."""
    user = g.get("login_user")
    if user is not None and _device_account() == _device_value(user):
        return True
    return limiter.storage.get(_failing_key()) == 0


def _hold_back_failing(account: str, exempt: Callable[[], bool]) -> None:
    """Refuse (429, with Retry-After) a request for an account past its failures, unless
    `exempt` says its source has not been failing."""
    if not limiter.enabled or request.method != "POST":
        return
    g.failures_account = account
    for item in _failure_rates():
        if not limiter.limiter.test(item, ACCOUNT_FAILURES, account):
            if exempt():
                return
            reset, _remaining = limiter.limiter.get_window_stats(item, ACCOUNT_FAILURES, account)
            g.retry_after = max(1, math.ceil(reset - time.time()))
            abort(429, description=FAILURES_MESSAGE)


FAILURES_MESSAGE = (
    "Too many wrong passwords have been tried for this account from here; please try again later."
)


def add_retry_after(response: Response) -> Response:
    """Tell a request held back by the account's failures how long to wait."""
    if response.status_code == 429 and "retry_after" in g:
        response.headers["Retry-After"] = str(g.retry_after)
    return response


def init_app(app: Flask) -> None:
    """Answer a held-back sign-in with its Retry-After."""
    app.after_request(add_retry_after)


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="clinic-device")


def _device_value(user: User) -> str:
    """What a device cookie of the user's account says: the account, and its auth_version
    (so that a new password or "sign out everywhere" ends every device's standing too)."""
    return f"{account_key(user.id)}:{user.auth_version}"


def _device_account() -> str | None:
    """What this browser's device cookie says (signed, at most a year old), if anything."""
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
        _devices().dumps(_device_value(user)),
        max_age=int(DEVICE_LIFETIME.total_seconds()),
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure),
        httponly=True,
        samesite="Lax",
    )
    return response


def login_limited(view: Callable) -> Callable:
    """The one login limit, for the web sign-in's POST and the API login paths alike: per
    address, per address and account, and the account's failures (sparing sources that have
    not been failing)."""

    @functools.wraps(view)
    def held_back(*args: Any, **kwargs: Any) -> Any:
        _hold_back_failing(login_account(), _not_failing)
        return view(*args, **kwargs)

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
    ):
        held_back = decorate(held_back)
    return held_back


def signed_in_account() -> str:
    """The signed-in user's account, named as `login_account` names a resolved one."""
    return account_key(current_user.id) if current_user.is_authenticated else "anonymous"


def password_checked(view: Callable) -> Callable:
    """For a page that checks the signed-in user's password (changing it, or the email
    address): a wrong one (the view calls `sign_in_failed`) counts as a failed sign-in of the
    account, in the same count as the sign-in pages', and past the account's failures the
    page refuses whoever asks (a stolen session may not guess on)."""

    @functools.wraps(view)
    def held_back(*args: Any, **kwargs: Any) -> Any:
        _hold_back_failing(signed_in_account(), lambda: False)
        return view(*args, **kwargs)

    return held_back


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


def account_forms_limited(view: Callable) -> Callable:
    """The one limit of the forms that make or mail an account (registration, verification,
    a new link, a reset link): ACCOUNT_FORMS_LIMIT per address, counted over the web's forms
    and the API's registration together, on POST only."""
    return limiter.shared_limit(
        share("ACCOUNT_FORMS_LIMIT"), scope="account-forms", methods=["POST"]
    )(view)
