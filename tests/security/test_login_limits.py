"""One login limit over the web sign-in and the three API login paths: per address, per address
and account, per account on failures only; exact across server processes with Redis."""

from __future__ import annotations

import importlib.util
import os
import urllib.error
import urllib.request

import pytest
from flask import Flask
from helpers import PASSWORD, gunicorn

from clinic import config, create_app
from clinic.http import limits
from clinic.models import User

PATHS = ("/login", "/api/v1/login/", "/api/v1/workers/login/", "/api/v1/auth/login/")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
GENEROUS = "1000 per minute"
FULLWIDTH_ADMIN = "\uff41\uff44\uff4d\uff49\uff4e"
"""`admin` in fullwidth letters, which NFKC makes plain."""


def limited_app(database_url: str, **limits_set: str) -> Flask:
    """The app with rate limits on: generous ones except those given."""
    return create_app(
        {
            **config.testing(database_url),
            "RATELIMIT_ENABLED": True,
            "LOGIN_LIMIT_PER_IP": GENEROUS,
            "LOGIN_LIMIT_PER_IP_ACCOUNT": GENEROUS,
            "LOGIN_FAILURES_PER_ACCOUNT": GENEROUS,
            **limits_set,
        }
    )


def sign_in(client, username: str, password: str = PASSWORD, path: str = "/login", ip: str = ""):
    """One sign-in through a path (the web form or an API login), from an address; the outcome
    as "ok", "refused" (wrong or unknown) or "limited"."""
    body = {"username": username, "password": password}
    sent = {"data": body} if path == "/login" else {"json": body}
    response = client.post(path, environ_base={"REMOTE_ADDR": ip or "10.0.0.1"}, **sent)
    return {200: "ok" if path != "/login" else "refused", 302: "ok", 401: "refused"}.get(
        response.status_code, "limited" if response.status_code == 429 else response.status_code
    )


@pytest.fixture
def admin(make) -> User:
    """The account an attacker wants: admin, admin@example.com."""
    return make(User, role="admin", username="admin", email="admin@example.com")


def test_variants_of_a_username_share_one_count(database_url, admin, make):
    """Attack: guess as `admin`, ` ADMIN `, fullwidth and the email, each counted apart."""
    client = limited_app(database_url, LOGIN_LIMIT_PER_IP_ACCOUNT="5 per minute").test_client()
    make(User, username="other")
    variants = ["admin", " ADMIN ", "Admin", FULLWIDTH_ADMIN, "Admin@Example.com"]
    assert [sign_in(client, name, "wrong") for name in variants] == ["refused"] * 5
    assert sign_in(client, "admin@example.com ") == "limited"
    assert sign_in(client, "admin") == "limited"
    assert sign_in(client, "other") == "ok", "another account from the same address is not held"


def test_the_four_login_paths_share_one_count(database_url, admin):
    """Attack: spread guesses over /login and the three API login paths for 4x the tries."""
    client = limited_app(database_url, LOGIN_LIMIT_PER_IP_ACCOUNT="4 per minute").test_client()
    assert [sign_in(client, "admin", "wrong", path) for path in PATHS] == ["refused"] * 4
    assert [sign_in(client, "admin", PASSWORD, path) for path in PATHS] == ["limited"] * 4


def test_one_address_is_limited_over_all_names_and_paths(database_url, admin):
    """Attack: from one address, try many usernames over every path (password spraying)."""
    client = limited_app(database_url, LOGIN_LIMIT_PER_IP="8 per minute").test_client()
    tries = [sign_in(client, f"user{n}", "wrong", PATHS[n % 4]) for n in range(8)]
    assert tries == ["refused"] * 8
    assert sign_in(client, "admin", PASSWORD, "/api/v1/login/") == "limited"
    assert sign_in(client, "admin", PASSWORD, ip="10.0.0.2") == "ok", "other addresses go on"


def test_guesses_from_one_address_do_not_lock_the_owner_out(database_url, admin):
    """Attack: lock admin out by failing from one address; the owner elsewhere still signs in."""
    client = limited_app(
        database_url,
        LOGIN_LIMIT_PER_IP_ACCOUNT="3 per minute",
        LOGIN_FAILURES_PER_ACCOUNT="10/hour",
    ).test_client()
    attacker, owner = "203.0.113.66", "198.51.100.7"
    assert [sign_in(client, "admin", "wrong", ip=attacker) for _ in range(4)] == [
        "refused",
        "refused",
        "refused",
        "limited",
    ]
    assert sign_in(client, "admin", ip=owner) == "ok"
    assert sign_in(client, "admin", path="/api/v1/login/", ip=owner) == "ok"


def test_correct_sign_ins_are_not_failures(database_url, admin):
    """Does signing in rightly, again and again, stay clear of the account's failure cap?"""
    client = limited_app(database_url, LOGIN_FAILURES_PER_ACCOUNT="2 per hour").test_client()
    assert {sign_in(client, "admin", path=PATHS[n % 4], ip=f"10.2.0.{n}") for n in range(6)} == {
        "ok"
    }
    assert sign_in(client, "admin", "wrong") == "refused"


def test_with_memory_storage_each_process_allows_its_share(database_url, admin):
    """With `memory://` counts and WEB_CONCURRENCY=2, does each process allow half the limit?"""
    client = limited_app(
        database_url, WEB_CONCURRENCY=2, LOGIN_LIMIT_PER_IP_ACCOUNT="6 per minute"
    ).test_client()
    assert [sign_in(client, "admin", "wrong") for _ in range(4)] == ["refused"] * 3 + ["limited"]


def test_shared_storage_counts_the_whole_limit(app):
    """With Redis (any storage but memory), is the limit not divided among the processes?"""
    app.config.update(WEB_CONCURRENCY=4, LOGIN_LIMIT_PER_IP="20 per minute")
    assert limits.share("LOGIN_LIMIT_PER_IP")() == "5 per 1 minute"
    app.config["RATELIMIT_STORAGE_URI"] = "redis://localhost:6379"
    assert limits.share("LOGIN_LIMIT_PER_IP")() == "20 per minute"


@pytest.mark.parametrize("value", ["lots", "0 per minute", "5 per minute; lots", "5 per minute;"])
def test_a_nonsense_limit_stops_the_app_with_one_line(tmp_path, value):
    """Is a login limit that is not a rate (or rates) refused at start, naming the setting?"""
    with pytest.raises(config.ConfigError, match="LOGIN_FAILURES_PER_ACCOUNT"):
        config.from_environ({"LOGIN_FAILURES_PER_ACCOUNT": value}, tmp_path)


@pytest.fixture
def gunicorn_on_redis(app, database_url, tmp_path):
    """The app under gunicorn, 2 worker processes counting limits in the test Redis."""
    if not REDIS_URL:
        pytest.skip("needs Redis: set TEST_REDIS_URL=redis://... (.ci/run starts one)")
    if importlib.util.find_spec("redis") is None:
        pytest.skip("needs the redis client package (pip install redis)")
    from limits.storage import storage_from_string

    storage_from_string(REDIS_URL).reset()
    settings = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "JWT_SECRET_KEY": app.config["JWT_SECRET_KEY"],
        "INSTANCE_PATH": str(tmp_path),
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "WEB_CONCURRENCY": "2",
        "LOGIN_LIMIT_PER_IP": GENEROUS,
        "LOGIN_LIMIT_PER_IP_ACCOUNT": "5 per minute",
        "LOGIN_FAILURES_PER_ACCOUNT": GENEROUS,
    }
    with gunicorn(settings, workers=2) as base:
        yield base


def post_login(url: str, username: str, password: str) -> int:
    """One API login over HTTP, on a new connection; its status."""
    request = urllib.request.Request(
        url,
        data=f'{{"username": "{username}", "password": "{password}"}}'.encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_with_redis_two_processes_share_one_exact_count(gunicorn_on_redis, admin):
    """Attack: spread guesses over the gunicorn workers, each counting its own tries.

    With Redis the 5-a-minute limit allows exactly 5 over both processes (each process's share
    under memory:// would be 2, so at most 4 in all)."""
    api_paths = PATHS[1:]
    outcomes = [
        post_login(f"{gunicorn_on_redis}{api_paths[n % 3]}", "admin", "wrong") for n in range(12)
    ]
    assert outcomes == [401] * 5 + [429] * 7


def test_the_account_forms_share_one_count_over_both_doors(database_url, clock):
    """Attack: register (or ask for links) through the web form and the API in turn, each door
    counted apart. Do registrations, reset and verification requests from one address share
    ACCOUNT_FORMS_LIMIT, while another address goes on? (The clock stands still: no minute
    turns between the tries.)"""
    client = limited_app(database_url, ACCOUNT_FORMS_LIMIT="3 per minute").test_client()
    here, there = {"REMOTE_ADDR": "10.0.0.7"}, {"REMOTE_ADDR": "10.0.0.8"}

    def register(n: int, door: str, where: dict) -> int:
        """One registration through a door: 201 from the API, or the web's "check your email"
        page (200, naming the address); 429 when limited."""
        email = f"patient{n}@example.com"
        if door == "api":
            body = {"username": f"patient{n}", "email": email}
            return client.post("/api/v1/register/", json=body, environ_base=where).status_code
        body = {"first_name": "Pat", "last_name": "Ient", "email": email}
        body |= {"password": "a good password", "confirm": "a good password"}
        answer = client.post("/register", data=body, environ_base=where)
        assert answer.status_code == 429 or email in answer.get_data(as_text=True)
        return answer.status_code

    assert register(1, "web", here) == 200
    assert register(2, "api", here) == 201
    reset = client.post("/reset", data={"email": "x@example.com"}, environ_base=here)
    assert reset.status_code == 200 and "x@example.com" in reset.get_data(as_text=True)
    assert register(3, "api", here) == 429
    assert register(4, "web", here) == 429
    assert register(5, "api", there) == 201
