"""The demo clinic: staff and client users, specialists, rooms, shifts, clients, appointments.

Only `flask demo` (which `make run` calls) loads it. The clinic's name marks it as a demo
(DEMO_NAME, ending in "(demo)"): templates/base.html shows a banner on every page while the
name says so. The marker lives in the data, so it travels with the database and costs no query
(every page reads the settings row already).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from . import notifications
from .kernel.clock import clinic_now
from .kernel.errors import Refusal
from .models import (
    Appointment,
    Client,
    ClinicSettings,
    Location,
    Role,
    Shift,
    Specialist,
    User,
)
from .scheduling import book_appointment

DEMO_NAME = "Riverside Clinic (demo)"
DEMO_USERS = (
    ("admin", "admin", "admin"),
    ("manager", "12345", "manager"),
    ("client", "12345", "client"),
)
LOCATIONS = (
    ("Room 1", "Ground floor, left wing"),
    ("Room 2", "Ground floor, right wing"),
    ("Room 3", "First floor"),
)
SPECIALISTS = (
    # first name, last name, specialty, slot minutes, about, visit types
    (
        "Iryna",
        "Bondarenko",
        "General practitioner",
        30,
        "Family doctor for adults and teenagers: check-ups, referrals and long-term care.",
        ("First visit", "Check-up", "Referral"),
    ),
    (
        "Taras",
        "Melnyk",
        "Dentist",
        45,
        "Fillings, cleaning and gentle care for nervous patients.",
        ("Check-up", "Cleaning", "Treatment"),
    ),
    (
        "Oksana",
        "Shevchenko",
        "Cardiologist",
        30,
        "Heart checks with ECG, blood pressure follow-up.",
        ("Consultation", "ECG"),
    ),
    ("Andriy", "Tkachenko", "Dermatologist", 20, "Skin, hair and nail problems.", ()),
    (
        "Maria",
        "Kravchenko",
        "Pediatrician",
        30,
        "Children from birth to 17: vaccinations and check-ups.",
        ("Check-up", "Vaccination"),
    ),
    ("Dmytro", "Lysenko", "Physiotherapist", 60, "Back, knee and sports injuries.", ()),
)
FIRST_NAMES = (
    "Anna",
    "Bohdan",
    "Daria",
    "Ivan",
    "Kateryna",
    "Mykola",
    "Nataliia",
    "Oleh",
    "Pavlo",
    "Sofiia",
    "Viktor",
    "Yulia",
)
LAST_NAMES = ("Hrytsenko", "Koval", "Marchenko", "Petrenko", "Rudenko", "Savchenko")
APPOINTMENT_TYPES = ("Consultation", "Follow-up", "Check-up", "Treatment")
WORKING_DAYS = range(0, 5)
OPENING, CLOSING = time(9), time(18)
DAYS_AHEAD = 14
APPOINTMENTS_PER_DAY = 4
OPENING_BUSY, CLOSING_BUSY, BUSY_SLOT = time(9), time(17), timedelta(minutes=30)


def load_demo(session: Session) -> dict[str, int]:
    """Add the demo clinic and commit it; return how many of each thing were added."""
    rng = random.Random(2026)
    settings = session.get_one(ClinicSettings, 1)
    settings.name = DEMO_NAME
    settings.address = "12 River Street"
    settings.phone = "+380 44 555 0100"

    users = _users(session)
    shifts = [Shift(weekday=day, start_time=OPENING, end_time=CLOSING) for day in WORKING_DAYS]
    locations = [Location(name=name, address=address, shifts=shifts) for name, address in LOCATIONS]
    specialists = [
        Specialist(
            first_name=first,
            last_name=last,
            specialty=specialty,
            slot_minutes=minutes,
            about=about,
            visit_types=list(visit_types),
            phone=f"+380 44 555 02{index:02d}",
            default_location=locations[index % len(locations)],
            shifts=shifts,
        )
        for index, (first, last, specialty, minutes, about, visit_types) in enumerate(SPECIALISTS)
    ]
    clients = [
        Client(
            first_name="Olena",
            last_name="Kovalenko",
            email="client@example.com",
            phone="+380 67 000 0000",
            user=users["client"],
        )
    ]
    for first in FIRST_NAMES:
        for last in rng.sample(LAST_NAMES, 3):
            email = f"{first}.{last}@example.com".lower() if rng.random() < 0.8 else None
            phone = f"+380 67 {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
            clients.append(Client(first_name=first, last_name=last, email=email, phone=phone))
    session.add_all([*shifts, *locations, *specialists, *clients])
    session.commit()
    with notifications.quiet():
        appointments = _book_appointments(session, rng, specialists, clients, users["manager"])
    return {
        "users": len(users),
        "locations": len(locations),
        "specialists": len(specialists),
        "clients": len(clients),
        "appointments": appointments,
    }


def _users(session: Session) -> dict[str, User]:
    """The three demo users; all verified and active."""
    users = {
        username: User(
            username=username,
            email=f"{username}@example.com",
            password_hash=generate_password_hash(password),
            first_name=username.capitalize(),
            last_name="Demo",
            role=Role(role),
            email_verified_at=datetime.now(UTC),
        )
        for username, password, role in DEMO_USERS
    }
    session.add_all(users.values())
    return users


def _book_appointments(
    session: Session,
    rng: random.Random,
    specialists: list[Specialist],
    clients: list[Client],
    manager: User,
) -> int:
    """A few appointments a working day for each specialist, booked by the manager through the
    booking rules (a time the rules refuse is skipped); return how many were booked."""
    now = clinic_now()
    booked = 0
    for offset in range(DAYS_AHEAD):
        day = now.date() + timedelta(days=offset)
        if day.weekday() not in WORKING_DAYS:
            continue
        for specialist in specialists:
            length = timedelta(minutes=specialist.slot_minutes)
            opening = datetime.combine(day, OPENING)
            slots = int((datetime.combine(day, CLOSING) - opening) / length)
            for index in sorted(rng.sample(range(slots), APPOINTMENTS_PER_DAY)):
                start = opening + index * length
                if start < now:
                    continue
                try:
                    book_appointment(
                        session,
                        specialist_id=specialist.id,
                        client_id=rng.choice(clients).id,
                        date=day,
                        start_time=start.time(),
                        type=rng.choice(APPOINTMENT_TYPES),
                        actor=manager,
                        now=now,
                    )
                except Refusal:
                    continue
                booked += 1
    return booked


class BusyClinic:
    """A clinic for measuring (make bench, query-count tests): specialists working 09:00-17:00
    every day in 30-minute slots, each with a room and a client of their own. `fill(total)`
    adds appointments straight to the table (no rules, no emails, no audit) until there are
    `total`, filling each specialist's days back to back from `first_day`."""

    def __init__(self, session: Session, first_day: date, specialists: int = 50) -> None:
        self.session, self.first_day = session, first_day
        shifts = [
            Shift(weekday=day, start_time=OPENING_BUSY, end_time=CLOSING_BUSY) for day in range(7)
        ]
        self.rooms = [Location(name=f"Busy room {n}", shifts=shifts) for n in range(specialists)]
        self.specialists = [
            Specialist(
                first_name="Doctor",
                last_name=str(n),
                slot_minutes=30,
                default_location=self.rooms[n],
                shifts=shifts,
            )
            for n in range(specialists)
        ]
        self.clients = [Client(first_name="Client", last_name=str(n)) for n in range(specialists)]
        session.add_all([*self.rooms, *self.specialists, *self.clients])
        session.commit()
        self.ids = [
            (s.id, r.id, c.id)
            for s, r, c in zip(self.specialists, self.rooms, self.clients, strict=True)
        ]

    def fill(self, total: int) -> None:
        """Add appointments until the clinic has `total`."""
        have = self.session.scalar(select(func.count()).select_from(Appointment))
        per_day = int(
            (
                datetime.combine(self.first_day, CLOSING_BUSY)
                - datetime.combine(self.first_day, OPENING_BUSY)
            )
            / BUSY_SLOT
        )
        rows = []
        for n in range(have, total):
            specialist_id, room_id, client_id = self.ids[n % len(self.ids)]
            turn = n // len(self.ids)
            start = (
                datetime.combine(self.first_day + timedelta(days=turn // per_day), OPENING_BUSY)
                + (turn % per_day) * BUSY_SLOT
            )
            rows.append(
                {
                    "specialist_id": specialist_id,
                    "client_id": client_id,
                    "location_id": room_id,
                    "starts_at": start,
                    "ends_at": start + BUSY_SLOT,
                    "type": "Check-up",
                }
            )
        if rows:
            self.session.execute(insert(Appointment), rows)
            self.session.commit()
