"""The cap on live future appointments a client books for themself (ClinicSettings
max_client_bookings); staff are not capped."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time

import pytest
from helpers import MONDAY, NOW
from sqlalchemy import func, select

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel.errors import Conflict
from clinic.models import Appointment, AppointmentStatus, Client, ClinicSettings, User

SLOTS = ("09:00", "09:30", "10:00", "10:30", "11:00", "11:30")


@pytest.fixture
def patient(make, monday) -> User:
    """A client's account with its client record; the clinic allows 2 self-booked visits."""
    user = make(User, role="client")
    make(Client, email=user.email, user=user)
    db.session.get_one(ClinicSettings, 1).max_client_bookings = 2
    db.session.commit()
    return user


def books(monday, user: User, start: str, now: datetime = NOW) -> Appointment:
    """The patient books the doctor themself."""
    return scheduling.book_appointment(
        db.session,
        specialist_id=monday.doctor.id,
        client_id=user.client.id,
        date=MONDAY,
        start_time=start,
        actor=user,
        now=now,
    )


def live() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Appointment)
        .where(Appointment.status != AppointmentStatus.CANCELLED)
    )


def test_a_client_books_up_to_the_cap_then_is_refused(monday, patient):
    """With a cap of 2, is a client's third booking a Conflict that books nothing?"""
    books(monday, patient, "09:00")
    books(monday, patient, "09:30")
    with pytest.raises(Conflict, match="2 upcoming appointments booked online"):
        books(monday, patient, "10:00")
    assert live() == 2


def test_cancelled_and_past_appointments_free_a_place(monday, patient):
    """Do a cancelled appointment and one that has ended (09:30-10:00, at 10:00) leave room?"""
    first = books(monday, patient, "09:00")
    books(monday, patient, "09:30")
    scheduling.cancel_appointment(db.session, first.id, actor=patient, now=NOW)
    books(monday, patient, "10:00")
    with pytest.raises(Conflict):
        books(monday, patient, "11:30")
    books(monday, patient, "11:30", now=datetime.combine(MONDAY, time(10)))


def test_staff_bookings_are_not_capped_and_leave_the_clients_own_places(
    monday, patient, make, book
):
    """May the desk book a course of 4 for a client, who may still book 2 themself?"""
    manager = make(User, role="manager")
    for start in SLOTS[:4]:
        book(monday.doctor, patient.client, start, actor=manager)
    books(monday, patient, "11:00")
    books(monday, patient, "11:30")
    assert live() == 6


def test_simultaneous_self_bookings_stop_at_the_cap(app, monday, patient):
    """When a client books 6 free times at once (cap 2), are exactly 2 booked?"""
    user_id, doctor_id, client_id = patient.id, monday.doctor.id, patient.client.id
    db.session.commit()
    start = threading.Barrier(len(SLOTS))

    def run(slot: str) -> str:
        with app.app_context():
            start.wait()
            try:
                scheduling.book_appointment(
                    db.session,
                    specialist_id=doctor_id,
                    client_id=client_id,
                    date=MONDAY,
                    start_time=slot,
                    actor=db.session.get(User, user_id),
                    now=NOW,
                )
                return "done"
            except Conflict:
                return "conflict"
            except Exception as error:  # any other outcome is a failure to report
                return f"error: {error!r}"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(SLOTS)) as pool:
        outcomes = Counter(pool.map(run, SLOTS))
    assert outcomes == {"done": 2, "conflict": 4}
    assert live() == 2
