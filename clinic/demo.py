"""The demo clinic: staff and client users, specialists, rooms, shifts, clients, appointments."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from .clock import clinic_now
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
    """Add the demo clinic to the session (the caller commits); return what was added."""
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
    session.flush()
    appointments = _appointments(rng, specialists, clients, users["manager"])
    session.add_all(appointments)
    session.flush()
    return {
        "users": len(users),
        "locations": len(locations),
        "specialists": len(specialists),
        "clients": len(clients),
        "appointments": len(appointments),
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


def _appointments(
    rng: random.Random, specialists: list[Specialist], clients: list[Client], manager: User
) -> list[Appointment]:
    """A few appointments a working day for each specialist, never overlapping one another."""
    now = clinic_now()
    busy: dict[tuple[str, int], list[tuple[datetime, datetime]]] = defaultdict(list)
    appointments = []
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
                client = rng.choice(clients)
                keys = [
                    ("specialist", specialist.id),
                    ("location", specialist.default_location_id),
                    ("client", client.id),
                ]
                if start < now or any(_overlaps(busy[key], start, start + length) for key in keys):
                    continue
                for key in keys:
                    busy[key].append((start, start + length))
                appointments.append(
                    Appointment(
                        type=rng.choice(APPOINTMENT_TYPES),
                        specialist=specialist,
                        client=client,
                        location_id=specialist.default_location_id,
                        starts_at=start,
                        ends_at=start + length,
                        created_by=manager,
                    )
                )
    return appointments


def _overlaps(spans: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> bool:
    """Whether [start, end) meets any of the half-open spans."""
    return any(start < span_end and span_start < end for span_start, span_end in spans)
