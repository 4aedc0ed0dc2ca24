"""The response cache: what anyone would be answered, kept for the minute, until data changes.

Only a visitor's or an integration's read is cached: a GET with no session cookie, no
remember-me cookie and no `Authorization` header (signed-in pages carry names, CSRF tokens and
flashes, and staff see other free times), with no query parameter the view does not read, and
asked at the site's own address: BASE_URL's scheme, host and path prefix. Links on a page
start with the request's script root, so an answer to a request whose prefix, scheme or host
came from its headers (a `SCRIPT_NAME` or `X-Forwarded-Prefix: //evil.example`) is that
requester's alone and never kept for anyone else.
A view opts in with `@for_visitors(...)`, naming the parameters it reads.

The key is the data version (clinic/kernel/database.py adds one to it in the same transaction as any
change to the clinic's data), the clinic-local time to the minute (free times depend on "now"),
the path and the query. The version is read per cached request, one small query, so a change
committed by any process is seen by the very next request to any other: an answer kept under
an older version is never asked for again. Only a 200 that set no cookie and left the session
untouched is kept. A write the version cannot see (SQL typed by hand, a migration changing
rows) is seen once the minute turns.

The storage is each process's memory (Flask-Caching's SimpleCache), or Redis when
CACHE_REDIS_URL says where (shared by every process and host). After a unit of work commits,
a process drops its own memory's entries (they can no longer be asked for); Redis entries
simply expire.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, request, session
from flask_login import current_user

from ..config import site
from ..extensions import cache, db
from ..kernel.clock import clinic_now
from ..kernel.database import read_data_version
from ..kernel.signals import clinic_changed

KEPT_SECONDS = 120
"""How long an entry is kept: a key names its minute, so it is dead within two."""
LOCAL_ENTRIES = 500
"""The most answers one process keeps in its memory (the oldest go first)."""


def init_app(app: Flask) -> None:
    """Configure the storage from CACHE_REDIS_URL (Redis) or each process's memory."""
    redis_url = app.config.get("CACHE_REDIS_URL")
    app.config.setdefault("CACHE_TYPE", "RedisCache" if redis_url else "SimpleCache")
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", KEPT_SECONDS)
    app.config.setdefault("CACHE_THRESHOLD", LOCAL_ENTRIES)
    app.config.setdefault("CACHE_KEY_PREFIX", "clinic-page:")
    cache.init_app(app)
    clinic_changed.connect(_drop_local_entries)


def for_visitors(*arguments: str) -> Callable[[Callable], Callable]:
    """Cache a GET view's answers to visitors (see the module's docstring). `arguments` are
    the query parameters the view reads: a request with any other, or with one of them twice,
    is worked out and not kept (so made-up parameters cannot fill the cache)."""
    known = frozenset(arguments)

    def uncached() -> bool:
        args = request.args
        return (
            _someones_request()
            or not _at_the_sites_address()
            or not known.issuperset(args)
            or any(len(args.getlist(name)) > 1 for name in args)
        )

    def decorate(view: Callable) -> Callable:
        return cache.cached(
            unless=uncached, make_cache_key=_key, response_filter=_same_for_everyone
        )(view)

    return decorate


def _someones_request() -> bool:
    """Whether the request may be someone's own: neither GET nor HEAD, it carries credentials,
    or a user is signed in by any other means (flask-login's user, read without a query when
    there is no cookie)."""
    if request.method not in ("GET", "HEAD") or "Authorization" in request.headers:
        return True
    config = current_app.config
    cookies = (config["SESSION_COOKIE_NAME"], config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return any(name in request.cookies for name in cookies) or current_user.is_authenticated


def _at_the_sites_address() -> bool:
    """Whether the request was asked at BASE_URL: its scheme, host (and port) and path prefix
    (the script root, which every link on the page starts with)."""
    own = site(current_app.config["BASE_URL"])
    return (
        request.scheme == own.scheme
        and request.host.lower() == own.host
        and request.script_root == own.prefix
    )


def _key(*_args: Any, **_kwargs: Any) -> str:
    """The data version, the clinic minute, the path and the (known) query, sorted. No host:
    no answer names the address it was asked at (emailed links start with BASE_URL)."""
    minute = clinic_now().strftime("%Y-%m-%dT%H:%M")
    query = urlencode(sorted(request.args.items()))
    return f"{read_data_version(db.engine)}/{minute}/{request.path}?{query}"


def _same_for_everyone(answer: Any) -> bool:
    """Keep only a plain 200 that set no cookie and wrote nothing into the session."""
    response = current_app.make_response(answer)
    return (
        response.status_code == 200
        and "Set-Cookie" not in response.headers
        and not session.modified
    )


def _drop_local_entries(_sender: Any, **_changes: Any) -> None:
    """After a commit, forget this process's kept answers (no key can reach them now); a
    shared Redis is left to expire its own."""
    if current_app.config["CACHE_TYPE"] == "SimpleCache":
        cache.clear()
