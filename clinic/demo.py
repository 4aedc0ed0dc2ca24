"""The demo clinic: staff and client users, specialists, rooms, shifts, clients, appointments."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from . import notifications
from .clock import clinic_now
from .models import (
    Client,
    ClinicSettings,
    Location,
    Role,
    Shift,
    Specialist,
    User,
)
from .scheduling import SchedulingError, book_appointment

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
    # first name, last name, specialty, slot minutes
    ("Iryna", "Bondarenko", "General practitioner", 30),
    ("Taras", "Melnyk", "Dentist", 45),
    ("Oksana", "Shevchenko", "Cardiologist", 30),
    ("Andriy", "Tkachenko", "Dermatologist", 20),
    ("Maria", "Kravchenko", "Pediatrician", 30),
    ("Dmytro", "Lysenko", "Physiotherapist", 60),
)
FIRST_NAMES = (
    "Anna", "Bohdan", "Daria", "Ivan", "Kateryna", "Mykola", "Nataliia", "Oleh",
    "Pavlo", "Sofiia", "Viktor", "Yulia",
)
LAST_NAMES = ("Hrytsenko", "Koval", "Marchenko", "Petrenko", "Rudenko", "Savchenko")
APPOINTMENT_TYPES = ("Consultation", "Follow-up", "Check-up", "Treatment")
WORKING_DAYS = range(0, 5)
OPENING, CLOSING = time(9), time(18)
DAYS_AHEAD = 14
APPOINTMENTS_PER_DAY = 4


def load_demo(session: Session) -> dict[str, int]:
    """Add the demo clinic and commit it; return how many of each thing were added."""
    rng = random.Random(2026)
    settings = session.get_one(ClinicSettings, 1)
    settings.name = "Riverside Clinic"
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
            phone=f"+380 44 555 02{index:02d}",
            default_location=locations[index % len(locations)],
            shifts=shifts,
        )
        for index, (first, last, specialty, minutes) in enumerate(SPECIALISTS)
    ]
    clients = [Client(first_name="Olena", last_name="Kovalenko", email="client@example.com",
                      phone="+380 67 000 0000", user=users["client"])]
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
                except SchedulingError:
                    continue
                booked += 1
    return booked
