"""Settings read from the environment, checked once at start-up, and the settings for tests."""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
import limits
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_DATABASES = ("sqlite", "postgresql+psycopg")
MAIL_BACKENDS = ("console", "smtp", "memory")
DEFAULT_BASE_URL = "http://127.0.0.1:5000"
MAX_BODY_BYTES = 1024 * 1024
"""The largest request body read (a bigger one answers 413)."""
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(click.ClickException):
    """A setting that makes no sense.

    A ClickException, so that `flask ...` prints it as one line and exits non-zero; under a WSGI
    server it is an ordinary exception with the same message.
    """


def from_environ(environ: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """Build the app's settings from environment variables; raise ConfigError on nonsense."""
    settings: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": database_uri(
            environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'clinic.sqlite3'}"
        ),
        "CLINIC_TIMEZONE": timezone_name(environ.get("CLINIC_TIMEZONE", "UTC")),
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(
            minutes=positive_int(environ, "JWT_ACCESS_TOKEN_MINUTES", 60)
        ),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(
            days=positive_int(environ, "JWT_REFRESH_TOKEN_DAYS", 7)
        ),
        "EMAIL_TOKEN_MAX_AGE": timedelta(hours=positive_int(environ, "EMAIL_TOKEN_HOURS", 48)),
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "CACHE_REDIS_URL": redis_url(environ.get("CACHE_REDIS_URL", "")),
        "WEB_CONCURRENCY": positive_int(environ, "WEB_CONCURRENCY", 1),
        "LOGIN_LIMIT_PER_IP": rate_limit(
            environ, "LOGIN_LIMIT_PER_IP", "20 per minute; 200 per hour"
        ),
        "LOGIN_LIMIT_PER_IP_ACCOUNT": rate_limit(
            environ, "LOGIN_LIMIT_PER_IP_ACCOUNT", "10 per minute; 30 per hour; 100 per day"
        ),
        "LOGIN_FAILURES_PER_ACCOUNT": rate_limit(
            environ, "LOGIN_FAILURES_PER_ACCOUNT", "100 per hour"
        ),
        "SELF_BOOKING_LIMIT": rate_limit(environ, "SELF_BOOKING_LIMIT", "20 per hour"),
        "ACCOUNT_FORMS_LIMIT": rate_limit(environ, "ACCOUNT_FORMS_LIMIT", "10 per minute"),
        "ACCOUNT_MAIL_LIMIT": rate_limit(environ, "ACCOUNT_MAIL_LIMIT", "5 per hour"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAIL_SERVER": environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": positive_int(environ, "MAIL_PORT", 25),
        "MAIL_USERNAME": environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": boolean(environ, "MAIL_USE_TLS", False),
        "MAIL_USE_SSL": boolean(environ, "MAIL_USE_SSL", False),
        "MAIL_DEFAULT_SENDER": environ.get("MAIL_DEFAULT_SENDER", "clinic@localhost"),
        "BASE_URL": base_url(environ.get("BASE_URL", DEFAULT_BASE_URL)),
        "PROXY_FIX_HOPS": whole_number(environ, "PROXY_FIX_HOPS", 0),
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        "SESSION_COOKIE_SECURE": boolean(environ, "SECURE_COOKIES", False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": boolean(environ, "SECURE_COOKIES", False),
    }
    settings["MAIL_BACKEND"] = mail_backend(
        environ.get("MAIL_BACKEND") or ("smtp" if settings["MAIL_SERVER"] else "console"),
        settings["MAIL_SERVER"],
    )
    if settings["MAIL_BACKEND"] == "smtp" and not environ.get("BASE_URL"):
        raise ConfigError(
            "BASE_URL is required when mail leaves the machine (MAIL_BACKEND=smtp): emailed "
            "links start with it, e.g. BASE_URL=https://clinic.example"
        )
    for name in ("SECRET_KEY", "JWT_SECRET_KEY"):
        if environ.get(name):
            settings[name] = environ[name]
    return settings


def testing(database_uri: str) -> dict[str, Any]:
    """Settings for the test suite: a given database, no rate limits, mail kept in memory."""
    return {
        "TESTING": True,
        "SECRET_KEY": "tests-only-secret-key",
        "JWT_SECRET_KEY": "tests-only-jwt-secret-key-of-32-bytes",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "memory",
        "BASE_URL": "http://localhost",
        "WTF_CSRF_ENABLED": False,
    }


def database_uri(value: str) -> str:
    """Check a database URL and name its driver: postgres:// and postgresql:// mean psycopg 3."""
    try:
        url: URL = make_url(value)
    except ArgumentError:
        raise ConfigError(
            f"DATABASE_URL {value!r} is not a database URL; expected e.g. "
            "sqlite:///path/clinic.sqlite3 or postgresql+psycopg://user:password@host/db"
        ) from None
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername not in SUPPORTED_DATABASES:
        raise ConfigError(
            f"DATABASE_URL uses {url.drivername!r}; supported: {', '.join(SUPPORTED_DATABASES)}"
        )
    if url.drivername == "sqlite" and url.database in (None, "", ":memory:"):
        raise ConfigError("DATABASE_URL must name a SQLite file: an in-memory database is lost")
    return url.render_as_string(hide_password=False)


def timezone_name(value: str) -> str:
    """Check that a name is an IANA time zone known to this machine."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"CLINIC_TIMEZONE {value!r} is not an IANA time zone (e.g. Europe/Kyiv, UTC)"
        ) from None
    return value


def positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    """Read a whole number above zero."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be above zero, not {value}")
    return value


def whole_number(environ: Mapping[str, str], name: str, default: int) -> int:
    """Read a whole number of zero or more."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ConfigError(f"{name} must be a whole number of zero or more, not {raw!r}")
    return int(raw)


def rate_limit(environ: Mapping[str, str], name: str, default: str) -> str:
    """Read a rate limit such as "20 per minute" or "100/hour", or several that grow ("10 per
    minute; 30 per hour": past each, the wait is longer)."""
    raw = environ.get(name, "").strip() or default
    try:
        rates = limits.parse_many(raw)
    except ValueError:
        rates = []
    if not rates or any(rate.amount <= 0 for rate in rates):
        raise ConfigError(
            f"{name} must be a rate such as '20 per minute' (or several: '20 per minute; "
            f"100 per hour'), not {raw!r}"
        )
    return raw


def share_of(config: Mapping[str, Any], setting: str) -> str:
    """The rate limit a setting names, as one process's share of it when limits count per
    process (memory:// storage: the limit divided by WEB_CONCURRENCY, at least 1)."""
    value = config[setting]
    if not config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return value
    processes = config["WEB_CONCURRENCY"]
    return "; ".join(
        f"{max(1, item.amount // processes)} per {item.multiples} {item.GRANULARITY.name}"
        for item in limits.parse_many(value)
    )


def boolean(environ: Mapping[str, str], name: str, default: bool) -> bool:
    """Read yes/no, true/false, on/off or 1/0."""
    if name not in environ:
        return default
    raw = environ[name].strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {environ[name]!r}")


def base_url(value: str) -> str:
    """Check the site's address as people reach it (emailed links start with it)."""
    url = urlsplit(value.strip())
    if url.scheme not in ("http", "https") or not url.hostname or url.query or url.fragment:
        raise ConfigError(
            f"BASE_URL {value!r} is not a site address; expected e.g. https://clinic.example"
        )
    return value.strip().rstrip("/")


class Site(NamedTuple):
    """BASE_URL in parts: the scheme, the host as a request names it (a port only when not
    the scheme's own) and the path prefix (no trailing slash)."""

    scheme: str
    host: str
    prefix: str

    @property
    def origin(self) -> str:
        """What a browser sends as Origin from the site's pages."""
        return f"{self.scheme}://{self.host}"


DEFAULT_PORTS = {"http": 80, "https": 443}


@functools.lru_cache(maxsize=8)
def site(base: str) -> Site:
    """BASE_URL (a checked one) in parts, read once per value."""
    url = urlsplit(base)
    port = url.port if url.port not in (None, DEFAULT_PORTS.get(url.scheme)) else None
    return Site(
        url.scheme, (url.hostname or "") + (f":{port}" if port else ""), url.path.rstrip("/")
    )


def redis_url(value: str) -> str:
    """Check where the response cache's Redis is (empty: each process keeps its own)."""
    value = value.strip()
    if value and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(
            f"CACHE_REDIS_URL {value!r} is not a Redis address; expected e.g. "
            "redis://localhost:6379/1 or unix:///run/redis/redis.sock"
        )
    return value


def mail_backend(value: str, server: str) -> str:
    """Check the mail backend's name; SMTP needs a server."""
    if value not in MAIL_BACKENDS:
        raise ConfigError(f"MAIL_BACKEND must be one of {', '.join(MAIL_BACKENDS)}, not {value!r}")
    if value == "smtp" and not server:
        raise ConfigError("MAIL_BACKEND=smtp needs MAIL_SERVER")
    return value


def instance_secret(instance_path: Path) -> str:
    """The secret key kept in the instance folder, made on first use.

    Several server processes may start at once: each writes a candidate and links it into place,
    which only the first can do; everyone then reads the one that won.
    """
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        candidate = instance_path / f".secret_key.{os.getpid()}"
        candidate.touch(mode=0o600)
        candidate.write_text(secrets.token_urlsafe(48))
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    key = path.read_text().strip()
    if not key:
        raise ConfigError(f"{path} is empty: delete it to make a new secret key")
    return key
