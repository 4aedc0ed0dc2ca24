"""Registration: it tells nobody which addresses have accounts, and accounts never verified
go away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpers import MONDAY, NOW
from sqlalchemy import select

from clinic import accounts
from clinic.extensions import db
from clinic.kernel import mail
from clinic.models import Client, Location, Shift, Specialist, User
from clinic.scheduling import book_appointment

FORM = {
    "first_name": "Anna",
    "last_name": "Koval",
    "email": "anna@example.com",
    "password": "correct horse",
    "confirm": "correct horse",
}


def test_registering_a_known_address_looks_like_any_registration(app, client, make):
    """Probing /register with someone's address must not reveal that they have an account."""
    make(User, role="client", username="anna", email="anna@example.com")
    known = client.post("/register", data=FORM)
    unknown = client.post("/register", data={**FORM, "email": "new@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert "anna@example.com" in known.get_data(as_text=True)
    assert "already" not in known.get_data(as_text=True).lower()
    subjects = {message["To"]: message["Subject"] for message in mail.outbox()}
    assert subjects["anna@example.com"] == "You already have an account"


def test_unverified_accounts_expire_after_seven_days_unless_they_booked(app, clock, make, runner):
    """Never-verified registrations pile up (and squat addresses) unless they expire. (The
    clock stands at NOW, the day the MONDAY booking is made from.)"""
    old = datetime.now(UTC) - timedelta(days=8)
    stale = make(User, role="client", email_verified_at=None, created_at=old)
    make(Client, user=stale, email=stale.email)
    fresh = make(User, role="client", email_verified_at=None)
    booked = make(User, role="client", email_verified_at=None, created_at=old)
    room = make(Location, shifts=[make(Shift, weekday=0)])
    doctor = make(Specialist, default_location=room, shifts=[make(Shift, weekday=0)])
    record = make(Client, user=booked, email=booked.email)
    book_appointment(
        db.session,
        specialist_id=doctor.id,
        client_id=record.id,
        date=MONDAY,
        start_time="10:00",
        now=NOW,
    )
    result = runner.invoke(args=["expire-unverified"])
    assert "Deleted 1 unverified account." in result.output
    remaining = set(db.session.scalars(select(User.id)))
    assert stale.id not in remaining and {fresh.id, booked.id} <= remaining
    assert accounts.expire_unverified(db.session) == 0


def test_the_api_answers_a_known_address_like_a_new_one(app, client, make):
    """Probing POST /api/v1/register/ with someone's address must not reveal their account."""
    make(User, role="client", username="anna", email="anna@example.com")
    body = {"username": "probe", "email": "anna@example.com", "password": "long enough"}
    known = client.post("/api/v1/register/", json=body)
    fresh = client.post(
        "/api/v1/register/", json={**body, "email": "fresh@example.com", "username": "fresh"}
    )
    assert known.status_code == fresh.status_code == 201
    assert set(known.get_json()["user"]) == set(fresh.get_json()["user"])
    assert db.session.scalar(select(User).where(User.username == "probe")) is None
    assert mail.outbox()[0]["To"] == "anna@example.com"
    assert mail.outbox()[0]["Subject"] == "You already have an account"
