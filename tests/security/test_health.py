"""A database that cannot be written is reported, not hidden: by /healthz (503) and by the
commands (one line, no traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event

from clinic import config, create_app
from clinic.extensions import db

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def read_only(app, statement: str) -> None:
    """Make every new connection of the app's engine refuse writes."""

    def refuse_writes(connection, _record) -> None:
        connection.cursor().execute(statement)
        connection.commit()

    db.engine.dispose()
    event.listen(db.engine, "connect", refuse_writes)


def test_a_writable_database_is_healthy(client):
    """The health check answers ok while the database takes writes."""
    assert client.get("/healthz").get_json() == {"status": "ok"}


@pytest.mark.sqlite
def test_a_read_only_sqlite_file_is_unhealthy(app, client):
    """A load balancer is told (503) that the app cannot book when SQLite refuses writes."""
    read_only(app, "PRAGMA query_only = ON")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


@pytest.mark.postgres
def test_a_read_only_postgresql_is_unhealthy(app, client):
    """A standby or read-only PostgreSQL answers 503 at /healthz."""
    read_only(app, "SET default_transaction_read_only = on")
    assert client.get("/healthz").status_code == 503


@pytest.mark.sqlite
def test_upgrading_a_read_only_database_says_so_in_one_line(databases):
    """`flask db upgrade` on a database that refuses writes prints one line, no traceback."""
    app = create_app(config.testing(databases.empty()))
    with app.app_context():
        read_only(app, "PRAGMA query_only = ON")
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        db.engine.dispose()
    assert result.exit_code != 0
    assert "cannot be written" in result.output, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_database_url_under_a_regular_file_says_so_in_one_line(tmp_path):
    """DATABASE_URL=sqlite:////etc/passwd/x.db stops `flask db upgrade` with one line."""
    regular = tmp_path / "a-file"
    regular.write_text("not a folder")
    environ = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{regular}/clinic.sqlite3",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "x" * 32,
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "clinic", "db", "upgrade"],
        env=environ,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "cannot be a folder" in result.stderr
    assert "Traceback" not in result.stderr
