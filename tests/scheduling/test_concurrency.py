"""Do simultaneous bookings of one time end with exactly one booking, the rest conflicts?

Each thread has its own app context, session and database connection, as separate requests or
processes would. The suite runs this on a SQLite file and, in CI, on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from helpers import MONDAY, NOW
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel.errors import Conflict
from clinic.models import Appointment, AppointmentStatus, Client, Location, Shift, Specialist
from clinic.scheduling import appointments

THREADS = 32


def race(app, calls: list[Callable[[], object]]) -> Counter:
    """Run the calls at the same moment, each in a thread of its own; count the outcomes."""
    db.session.commit()
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> str:
        with app.app_context():
            start.wait()
            try:
                call()
                return "done"
            except Conflict:
                return "conflict"
            except Exception as error:  # any other outcome is a failure to report
                return f"error: {error!r}"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return Counter(pool.map(run, calls))


def live_appointments() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Appointment)
        .where(Appointment.status != AppointmentStatus.CANCELLED)
    )


def booking(specialist_id: int, client_id: int, start: str) -> Callable[[], object]:
    return lambda: scheduling.book_appointment(
        db.session,
        specialist_id=specialist_id,
        client_id=client_id,
        date=MONDAY,
        start_time=start,
        now=NOW,
    )


def test_32_bookings_of_one_slot_make_one_appointment(app, monday, make):
    """With 32 clients booking the doctor's 10:00 at once, does exactly one get it?"""
    clients = [make(Client).id for _ in range(THREADS)]
    outcomes = race(app, [booking(monday.doctor.id, client, "10:00") for client in clients])
    assert outcomes == {"done": 1, "conflict": THREADS - 1}
    assert live_appointments() == 1


def test_one_client_booking_everyone_at_once_gets_one(app, monday, make):
    """When one client books 8 specialists in 8 rooms for 10:00 at once, is one booked?"""
    specialists = [
        make(
            Specialist,
            default_location=make(Location, shifts=[make(Shift, weekday=0)]),
            shifts=[make(Shift, weekday=0)],
        ).id
        for _ in range(8)
    ]
    patient = monday.patient.id
    outcomes = race(app, [booking(specialist, patient, "10:00") for specialist in specialists])
    assert outcomes == {"done": 1, "conflict": 7}
    assert live_appointments() == 1


def test_two_moves_into_one_free_slot_make_one_winner(app, monday, book, make):
    """When two appointments are moved into the same free slot at once, does one win?"""
    first = book(monday.doctor, monday.patient, "09:00").id
    second = book(monday.doctor, make(Client), "09:30").id

    def move(appointment_id: int) -> Callable[[], object]:
        return lambda: scheduling.reschedule_appointment(
            db.session, appointment_id, date=MONDAY, start_time="11:00", now=NOW
        )

    outcomes = race(app, [move(first), move(second)])
    assert outcomes == {"done": 1, "conflict": 1}
    starts = sorted(f"{a.starts_at:%H:%M}" for a in db.session.scalars(select(Appointment)))
    assert starts in (["09:00", "11:00"], ["09:30", "11:00"])


class Deadlock(Exception):
    """Stands in for psycopg's DeadlockDetected."""

    sqlstate = "40P01"


def test_a_booking_aborted_by_a_deadlock_is_tried_again(monday, book, monkeypatch):
    """When the database aborts a booking to break a deadlock, is it tried again and made?"""
    real_place = appointments.check_booking
    calls = []

    def place(*args, **kwargs):
        calls.append(1)
        if len(calls) <= 2:
            raise OperationalError("INSERT ...", {}, Deadlock("deadlock detected"))
        return real_place(*args, **kwargs)

    monkeypatch.setattr(appointments, "check_booking", place)
    assert book(monday.doctor, monday.patient, "10:00").starts_at.hour == 10
    assert len(calls) == 3


def test_a_booking_deadlocked_every_time_ends_as_a_conflict(monday, book, monkeypatch):
    """After three aborted tries, is the answer a Conflict (409), not a server error?"""

    def place(*args, **kwargs):
        raise OperationalError("INSERT ...", {}, Deadlock("deadlock detected"))

    monkeypatch.setattr(appointments, "check_booking", place)
    with pytest.raises(Conflict, match="try again"):
        book(monday.doctor, monday.patient, "10:00")
    assert live_appointments() == 0
