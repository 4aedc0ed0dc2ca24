"""Do the `flask` commands load the demo, create users and back up, refusing nonsense?"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from helpers import count
from sqlalchemy import select, text
from werkzeug.security import check_password_hash

from clinic.demo import DEMO_NAME
from clinic.extensions import db
from clinic.kernel import mail
from clinic.kernel.clock import clinic_now
from clinic.models import Appointment, AuditEntry, Client, Role, Specialist, User


def test_demo_loads_a_working_clinic(runner):
    """Does `flask demo` make the documented users, specialists, rooms, clients and bookings?"""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "for demonstrations only" in result.output
    users = {user.username: user for user in db.session.scalars(select(User))}
    for username, password, role in (
        ("admin", "admin", Role.ADMIN),
        ("manager", "12345", Role.MANAGER),
        ("client", "12345", Role.CLIENT),
    ):
        assert users[username].role is role
        assert check_password_hash(users[username].password_hash, password)
        assert users[username].active and users[username].email_verified_at
    assert users["client"].client is not None, "the demo client user has a client record"
    specialists = db.session.scalars(select(Specialist)).all()
    assert len(specialists) == 6
    assert len({specialist.specialty for specialist in specialists}) == 6
    for specialist in specialists:
        assert specialist.default_location is not None
        assert sorted(shift.weekday for shift in specialist.shifts) == [0, 1, 2, 3, 4]
    assert count(Client) >= 24
    assert mail.outbox() == [], "the demo's bookings email nobody"


def test_demo_appointments_lie_in_working_hours_of_the_next_two_weeks(runner):
    """Are the demo's appointments upcoming, Monday-Friday 09:00-18:00, within 14 days?"""
    runner.invoke(args=["demo"])
    now = clinic_now()
    appointments = db.session.scalars(select(Appointment)).all()
    assert len(appointments) > 50
    for appointment in appointments:
        assert now <= appointment.starts_at < now + timedelta(days=14)
        assert appointment.starts_at.weekday() < 5
        assert appointment.starts_at.hour >= 9
        assert appointment.ends_at <= appointment.ends_at.replace(hour=18, minute=0)
        assert appointment.location_id == appointment.specialist.default_location_id


def test_demo_twice_does_not_duplicate(runner):
    """Does a second `flask demo` leave the database as it was?"""
    runner.invoke(args=["demo"])
    before = {model: count(model) for model in (User, Specialist, Client, Appointment)}
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0
    assert "already has users" in result.output
    assert {model: count(model) for model in before} == before


def test_create_user_prompts_for_a_password_and_hashes_it(runner):
    """Does create-user ask for the password twice, store only its hash, and audit it?"""
    result = runner.invoke(
        args=["create-user", "olena", "--role", "manager", "--email", "Olena@Clinic.Example.com"],
        input="correct horse\ncorrect horse\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "olena"))
    assert user.role is Role.MANAGER
    assert user.email == "olena@clinic.example.com"
    assert user.password_hash != "correct horse"
    assert check_password_hash(user.password_hash, "correct horse")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "users"))
    assert (entry.action, entry.entity_id, entry.actor_id) == ("create", user.id, None)
    assert "password_hash" not in entry.after


def test_create_user_gives_a_client_a_client_record(runner):
    """Is a client user linked to a new client record?"""
    result = runner.invoke(
        args=[
            "create-user",
            "petro",
            "--role",
            "client",
            "--first-name",
            "Petro",
            "--password",
            "long enough",
        ],
    )
    assert result.exit_code == 0, result.output
    client = db.session.scalar(select(Client).join(Client.user).where(User.username == "petro"))
    assert client.first_name == "Petro"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create-user", "x", "--role", "superuser"], "'superuser' is not one of"),
        (["create-user", "", "--role", "admin"], "letters, digits"),
        (["create-user", "   ", "--role", "admin"], "letters, digits"),
        (["create-user", "has space", "--role", "admin"], "letters, digits"),
        (["create-user", "x" * 151, "--role", "admin"], "letters, digits"),
        (["create-user", "short", "--role", "admin", "--password", "1234567"], "at least 8"),
        (["create-user", "nobody"], "Missing option '--role'"),
    ],
)
def test_create_user_refuses_nonsense(runner, args, message):
    """Is a bad role, name or password refused with a message and nothing written?"""
    if "--password" not in args:
        args = [*args, "--password", "long enough"]
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert count(User) == 0


def test_create_user_refuses_a_taken_name_or_email(runner, make):
    """Is a second user with the same username or email refused?"""
    make(User, username="taken", email="taken@example.com")
    for args, message in (
        (["taken"], "That username is taken"),
        (["fresh", "--email", "TAKEN@example.com"], "already an account"),
    ):
        result = runner.invoke(
            args=["create-user", *args, "--role", "admin", "--password", "long enough"]
        )
        assert result.exit_code != 0
        assert message in result.output
    assert count(User) == 1


@pytest.mark.sqlite
def test_backup_copies_the_committed_database_while_a_write_is_open(runner, database_url, tmp_path):
    """Does backup make a consistent copy while another process holds an open write?"""
    runner.invoke(args=["demo"])
    appointments = count(Appointment)
    db.session.rollback()
    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM audit_entries")
    writer.execute("UPDATE clinic_settings SET name = 'uncommitted'")
    try:
        result = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("SELECT count(*) FROM appointments").fetchone() == (appointments,)
    assert copy.execute("SELECT name FROM clinic_settings").fetchone() == (DEMO_NAME,)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()
    assert [path.name for path in tmp_path.iterdir()] == ["copy.sqlite3"]


@pytest.mark.sqlite
def test_backup_will_not_overwrite_the_database_itself(runner, database_url):
    """Is backing up onto the live database file refused?"""
    result = runner.invoke(args=["backup", database_url.removeprefix("sqlite:///")])
    assert result.exit_code != 0
    assert "the database itself" in result.output
    assert db.session.execute(text("SELECT count(*) FROM clinic_settings")).scalar() == 1


@pytest.mark.postgres
def test_backup_on_postgresql_points_to_pg_dump(runner, tmp_path):
    """Does backup on PostgreSQL say to use pg_dump, writing nothing?"""
    result = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
    assert result.exit_code != 0
    assert "pg_dump" in result.output
    assert not any(tmp_path.iterdir())
