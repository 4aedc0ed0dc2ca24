"""Nobody can lock an account out: failures at an account hold back only the sources that have
been failing (an address, or a browser without the account's device cookie), with 429s whose
Retry-After grows; and a form on another site's page cannot make visitors' browsers try
passwords at the API's login."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from helpers import PASSWORD

from clinic import config, create_app
from clinic.models import Role, User

PATHS = ("/login", "/api/v1/login/")


def limited_app(database_url: str, **limits_set: str) -> Flask:
    """The app with the rate limits on, as configured by default except those given."""
    return create_app({**config.testing(database_url), "RATELIMIT_ENABLED": True, **limits_set})


def sign_in(browser, password: str, ip: str, path: str = "/login", username: str = "admin"):
    """One sign-in from an address; the response."""
    body = {"username": username, "password": password}
    sent = {"data": body} if path == "/login" else {"json": body}
    return browser.post(path, environ_base={"REMOTE_ADDR": ip}, **sent)


def outcome(response) -> str:
    """ "ok", "refused" (a wrong password) or "limited" (429)."""
    if response.status_code == 429:
        return "limited"
    return (
        "ok"
        if response.status_code in (200, 302) and b"Wrong" not in response.data
        else ("refused")
    )


@pytest.fixture
def admin(make) -> User:
    return make(User, role=Role.ADMIN, username="admin", email="admin@example.com")


def test_two_dozen_failing_addresses_do_not_lock_the_owner_out(database_url, admin):
    """Attack: 24 addresses x 5 wrong passwords, over the web and the API, past the account's
    failure limit (100 an hour). The right password from an address that has not been
    failing still signs in, on both doors; the attackers' addresses wait, told how long."""
    app = limited_app(database_url)
    attacker = app.test_client()
    for n in range(24):
        for attempt in range(5):
            sign_in(attacker, "wrong", f"203.0.113.{n}", PATHS[attempt % 2])
    more = [sign_in(attacker, "wrong", "203.0.113.0", "/api/v1/login/") for _ in range(6)]
    assert outcome(more[-1]) == "limited" and int(more[-1].headers["Retry-After"]) > 0
    owner = app.test_client()
    assert outcome(sign_in(owner, PASSWORD, "198.51.100.7")) == "ok"
    assert outcome(sign_in(owner, PASSWORD, "198.51.100.7", "/api/v1/login/")) == "ok"
    right_but_failing = sign_in(app.test_client(), PASSWORD, "203.0.113.5", "/api/v1/login/")
    assert outcome(right_but_failing) == "limited"


def test_a_browser_that_signed_in_before_gets_in_from_a_failing_address(database_url, admin):
    """Attack: fail at the account from the owner's own address (a shared office network).
    The owner's browser, holding the account's device cookie from an earlier sign-in, still
    gets in; another browser at that address waits."""
    app = limited_app(
        database_url,
        LOGIN_LIMIT_PER_IP_ACCOUNT="1000 per minute",
        LOGIN_FAILURES_PER_ACCOUNT="5 per hour",
    )
    office = "192.0.2.10"
    owner = app.test_client()
    assert outcome(sign_in(owner, PASSWORD, office)) == "ok"
    owner.post("/logout")
    attacker = app.test_client()
    tries = [outcome(sign_in(attacker, "wrong", office)) for _ in range(8)]
    assert tries[-1] == "limited"
    assert outcome(sign_in(app.test_client(), PASSWORD, office)) == "limited"
    assert outcome(sign_in(owner, PASSWORD, office)) == "ok"


def test_a_forged_device_cookie_lets_nobody_through(database_url, admin):
    """Does a made-up device cookie count for nothing?"""
    app = limited_app(
        database_url,
        LOGIN_LIMIT_PER_IP_ACCOUNT="1000 per minute",
        LOGIN_FAILURES_PER_ACCOUNT="3 per hour",
    )
    attacker = app.test_client()
    for _ in range(6):
        sign_in(attacker, "wrong", "192.0.2.20")
    attacker.set_cookie("clinic_device", f"user:{admin.id}")
    assert outcome(sign_in(attacker, PASSWORD, "192.0.2.20")) == "limited"


def test_a_failing_address_waits_longer_each_time(database_url, admin):
    """Past the minute's limit an address waits under a minute; failing on past the hour's,
    it waits the hour out (Retry-After grows; no worker sleeps)."""
    app = limited_app(database_url, LOGIN_LIMIT_PER_IP_ACCOUNT="2 per minute; 3 per hour")
    attacker = app.test_client()
    with time_machine.travel("2027-03-01 10:00:00+00:00", tick=False) as clock:
        assert [outcome(sign_in(attacker, "wrong", "203.0.113.9")) for _ in range(2)] == [
            "refused",
            "refused",
        ]
        first = sign_in(attacker, "wrong", "203.0.113.9")
        assert outcome(first) == "limited" and 0 < int(first.headers["Retry-After"]) <= 61
        clock.shift(timedelta(seconds=61))
        assert outcome(sign_in(attacker, "wrong", "203.0.113.9")) == "refused"
        second = sign_in(attacker, "wrong", "203.0.113.9")
        assert outcome(second) == "limited" and int(second.headers["Retry-After"]) > 600


@pytest.mark.parametrize(
    ("headers", "cookie", "allowed"),
    [
        ({}, False, True),
        ({"Origin": "http://localhost"}, False, True),
        ({"Origin": "https://evil.example"}, False, False),
        ({"Origin": "null"}, False, False),
        ({}, True, False),
    ],
    ids=["an integration", "the site itself", "another site", "a sandboxed page", "a cookie"],
)
def test_a_form_on_another_sites_page_cannot_sign_in_at_the_api(
    client, admin, headers, cookie, allowed
):
    """The v1 login paths take form data (the contract), but not from a web page's form: one
    with a foreign Origin or any cookie is refused (403), trying no password."""
    if cookie:
        client.set_cookie("clinic_device", "anything")
    for path in ("/api/v1/login/", "/api/v1/workers/login/", "/api/v1/auth/login/"):
        answer = client.post(
            path, data={"username": "admin", "password": PASSWORD}, headers=headers
        )
        assert answer.status_code == (200 if allowed else 403), path
    as_json = client.post("/api/v1/login/", json={"username": "admin", "password": PASSWORD})
    assert as_json.status_code == 200


def test_failures_from_many_fresh_addresses_still_count(database_url, admin):
    """Attack: guess once from each of many addresses (a botnet, an IPv6 block), so that no
    address has failed before its try. Every failure counts at the account; past its limit
    each failing address is held back, and an IPv6 holder's /64 is one source."""
    app = limited_app(
        database_url,
        LOGIN_LIMIT_PER_IP_ACCOUNT="1000 per minute",
        LOGIN_FAILURES_PER_ACCOUNT="5 per hour",
    )
    attacker = app.test_client()
    assert [outcome(sign_in(attacker, "wrong", f"203.0.113.{n}")) for n in range(6)] == [
        "refused"
    ] * 6
    assert outcome(sign_in(attacker, "wrong", "203.0.113.0")) == "limited"
    assert outcome(sign_in(attacker, "wrong", "2001:db8:0:1::1")) == "refused"
    assert outcome(sign_in(attacker, "wrong", "2001:db8:0:1::2")) == "limited"
    assert outcome(sign_in(app.test_client(), PASSWORD, "198.51.100.7")) == "ok"


def test_a_device_cookie_ends_with_a_new_password(database_url, admin):
    """Does a browser's standing end when the account's password changes (a shared kiosk, a
    former colleague)?"""
    from clinic import accounts
    from clinic.extensions import db

    app = limited_app(
        database_url,
        LOGIN_LIMIT_PER_IP_ACCOUNT="1000 per minute",
        LOGIN_FAILURES_PER_ACCOUNT="3 per hour",
    )
    kiosk = app.test_client()
    assert outcome(sign_in(kiosk, PASSWORD, "192.0.2.30")) == "ok"
    kiosk.post("/logout")
    for _ in range(5):
        sign_in(kiosk, "wrong", "192.0.2.30")
    with app.app_context():
        accounts.set_password(db.session, db.session.get(User, admin.id), "a brand new one")
    assert outcome(sign_in(kiosk, "a brand new one", "192.0.2.30")) == "limited"
