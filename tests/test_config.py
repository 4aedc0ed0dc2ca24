"""Are the settings read from the environment, and is nonsense refused with a clear message?"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from clinic import PROJECT_ROOT, config, create_app
from clinic.config import ConfigError
from clinic.extensions import db


def test_defaults_need_no_environment(tmp_path):
    """With nothing set: SQLite under the instance folder, UTC, console mail, memory limits."""
    settings = config.from_environ({}, tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert settings["CLINIC_TIMEZONE"] == "UTC"
    assert settings["MAIL_BACKEND"] == "console"
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["CACHE_REDIS_URL"] == "", "each process caches in its own memory"
    assert settings["JWT_ACCESS_TOKEN_EXPIRES"] == timedelta(minutes=60)
    assert "SECRET_KEY" not in settings, "the key comes from the instance folder instead"


def test_every_setting_is_read(tmp_path):
    """Is each documented variable honoured?"""
    settings = config.from_environ(
        {
            "DATABASE_URL": "postgresql+psycopg://clinic:pw@db.internal:5433/clinic",
            "SECRET_KEY": "s3cret",
            "JWT_SECRET_KEY": "jwt-s3cret",
            "CLINIC_TIMEZONE": "Europe/Kyiv",
            "JWT_ACCESS_TOKEN_MINUTES": "5",
            "JWT_REFRESH_TOKEN_DAYS": "1",
            "EMAIL_TOKEN_HOURS": "2",
            "MAIL_SERVER": "smtp.internal",
            "MAIL_PORT": "587",
            "MAIL_USE_TLS": "yes",
            "MAIL_DEFAULT_SENDER": "desk@clinic.test",
            "RATELIMIT_STORAGE_URI": "redis://localhost:6379",
            "CACHE_REDIS_URL": "redis://localhost:6379/1",
            "PROXY_FIX_HOPS": "1",
            "SECURE_COOKIES": "on",
            "BASE_URL": "https://clinic.test/booking/",
        },
        tmp_path,
    )
    assert settings["BASE_URL"] == "https://clinic.test/booking"
    assert settings["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://clinic:pw@db.internal:5433/clinic"
    )
    assert settings["SECRET_KEY"] == "s3cret"
    assert settings["JWT_SECRET_KEY"] == "jwt-s3cret"
    assert settings["CLINIC_TIMEZONE"] == "Europe/Kyiv"
    assert settings["JWT_ACCESS_TOKEN_EXPIRES"] == timedelta(minutes=5)
    assert settings["JWT_REFRESH_TOKEN_EXPIRES"] == timedelta(days=1)
    assert settings["EMAIL_TOKEN_MAX_AGE"] == timedelta(hours=2)
    assert settings["MAIL_BACKEND"] == "smtp", "a mail server means SMTP"
    assert (settings["MAIL_PORT"], settings["MAIL_USE_TLS"]) == (587, True)
    assert settings["MAIL_DEFAULT_SENDER"] == "desk@clinic.test"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://localhost:6379"
    assert settings["CACHE_REDIS_URL"] == "redis://localhost:6379/1"
    assert settings["PROXY_FIX_HOPS"] == 1
    assert settings["SESSION_COOKIE_SECURE"] is settings["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    "url",
    ["postgres://u:p@host/db", "postgresql://u:p@host/db", "postgresql+psycopg://u:p@host/db"],
)
def test_postgresql_urls_mean_psycopg(url):
    """Do the usual spellings of a PostgreSQL URL all use psycopg 3?"""
    assert config.database_uri(url) == "postgresql+psycopg://u:p@host/db"


def test_a_postgresql_url_switches_the_app_to_postgresql(monkeypatch, tmp_path):
    """Does DATABASE_URL alone move the app to PostgreSQL, no code change (no connection made)?"""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1:1/clinic")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app()
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        assert db.engine.dialect.driver == "psycopg"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DATABASE_URL": "not a url"}, "is not a database URL"),
        ({"DATABASE_URL": "mysql://u:p@host/db"}, "uses .mysql.; supported: sqlite"),
        ({"DATABASE_URL": "sqlite://"}, "must name a SQLite file"),
        ({"CLINIC_TIMEZONE": "Mars/Olympus_Mons"}, "is not an IANA time zone"),
        ({"CLINIC_TIMEZONE": "../../etc/passwd"}, "is not an IANA time zone"),
        ({"JWT_ACCESS_TOKEN_MINUTES": "soon"}, "must be a whole number"),
        ({"JWT_REFRESH_TOKEN_DAYS": "0"}, "must be above zero"),
        ({"MAIL_PORT": "-25"}, "must be above zero"),
        ({"MAIL_USE_TLS": "maybe"}, "must be true or false"),
        ({"MAIL_BACKEND": "pigeon"}, "MAIL_BACKEND must be one of"),
        ({"MAIL_BACKEND": "smtp"}, "needs MAIL_SERVER"),
        ({"PROXY_FIX_HOPS": "-1"}, "PROXY_FIX_HOPS must be a whole number"),
        ({"SECURE_COOKIES": "sometimes"}, "SECURE_COOKIES must be true or false"),
        ({"CACHE_REDIS_URL": "memcached://host"}, "CACHE_REDIS_URL .* is not a Redis address"),
    ],
)
def test_nonsense_is_refused_with_a_clear_message(tmp_path, environ, message):
    """Is each kind of nonsense refused, naming the setting?"""
    with pytest.raises(ConfigError, match=message):
        config.from_environ(environ, tmp_path)


def test_a_bad_setting_stops_the_flask_command_with_one_line(tmp_path):
    """Does `flask` exit non-zero with the message, not a traceback, on a bad time zone?"""
    environ = {**os.environ, "CLINIC_TIMEZONE": "Mars/Olympus_Mons", "INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "clinic", "routes"],
        env=environ,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "CLINIC_TIMEZONE 'Mars/Olympus_Mons' is not an IANA time zone" in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir()), "nothing is written when the settings are wrong"


def test_a_secret_key_is_made_once_and_kept(tmp_path: Path, monkeypatch):
    """Without SECRET_KEY, is a random key written to the instance folder and reused?"""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    first = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    key_file = tmp_path / "instance" / "secret_key"
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert key_file.stat().st_mode & 0o077 == 0, "only the owner may read the key"
    assert [path.name for path in key_file.parent.iterdir()] == ["secret_key"]


def test_a_configured_secret_key_writes_no_file(tmp_path, monkeypatch):
    """With SECRET_KEY set, is it used and nothing written?"""
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_the_test_settings_keep_mail_in_memory_and_limits_off(app):
    """Does the test config keep mail in memory, rate limits off and a throwaway database?"""
    assert app.config["TESTING"] is True
    assert app.config["MAIL_BACKEND"] == "memory"
    assert app.config["RATELIMIT_ENABLED"] is False
