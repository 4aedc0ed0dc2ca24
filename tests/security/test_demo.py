"""The demo's public sign-ins (admin / admin) exist only where the demo was loaded on purpose,
and every page of a demo clinic says so."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from sqlalchemy import func, select

from clinic import PROJECT_ROOT
from clinic.demo import DEMO_NAME, DEMO_USERS
from clinic.extensions import db
from clinic.models import ClinicSettings, User

BANNER = "Demo clinic:"


def test_a_database_made_by_flask_db_upgrade_has_no_users(tmp_path):
    """Attack: sign in as admin/admin to a clinic its owner started with `flask db upgrade`."""
    environ = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.sqlite3'}",
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "tests-only-secret-key",
    }
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "clinic", "db", "upgrade"],
        cwd=PROJECT_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    database = sqlite3.connect(tmp_path / "clinic.sqlite3")
    try:
        assert database.execute("SELECT count(*) FROM users").fetchone() == (0,)
    finally:
        database.close()


def test_serving_an_empty_database_loads_no_demo(client):
    """Attack: open a freshly migrated clinic's pages and sign-in, hoping they seed demo users."""
    for path in ("/", "/login", "/healthz"):
        assert client.get(path).status_code == 200
    answer = client.post("/api/v1/login/", json={"username": "admin", "password": "admin"})
    assert answer.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert BANNER not in client.get("/").get_data(as_text=True)


def test_every_page_of_the_demo_clinic_says_it_is_a_demo(client, runner):
    """Attack: a demo left running with public admin/admin passes for a real clinic."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.session.get_one(ClinicSettings, 1).name == DEMO_NAME
    signed_in = client.post("/login", data={"username": "admin", "password": "admin"})
    assert signed_in.status_code == 302
    for path in ("/", "/login", "/admin/", "/desk/", "/no-such-page"):
        page = client.get(path).get_data(as_text=True)
        assert BANNER in page, path
    assert {username for username, _, _ in DEMO_USERS} <= set(
        db.session.scalars(select(User.username))
    )


def test_a_real_clinic_shows_no_demo_banner(client, make):
    """Does a clinic with its own name and users show no demo banner?"""
    make(User, role="admin", username="boss")
    db.session.get_one(ClinicSettings, 1).name = "Harbour Clinic"
    db.session.commit()
    assert BANNER not in client.get("/").get_data(as_text=True)
