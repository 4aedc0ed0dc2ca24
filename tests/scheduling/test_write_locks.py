"""Can a booking commit into hours that a change made at the same moment takes away?

A booking checks hours, time off and active flags, then writes; a change of shifts, time off
or a flag checks that no booking is in the way, then writes. Each test holds the first of the
two open at the worst moment — a booking after its checks or after its insert, a change after
its check — while the other runs in a second thread (its own session and connection, as
another server process would). Exactly one may win, and the clinic must end consistent: no
live appointment outside working hours, inside a time off, or of a switched-off specialist or
room. On SQLite the unit of work's write lock settles it; on PostgreSQL the advisory locks of
`scheduling.locks` do (the READ COMMITTED checks alone let both commit).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time

import pytest
from helpers import MONDAY, NOW
from races import HOLD_SECONDS, inconsistencies
from sqlalchemy import select

from clinic import scheduling, setup
from clinic.extensions import db
from clinic.kernel.database import writing
from clinic.kernel.errors import Conflict, Invalid
from clinic.models import (
    UNDER_WAY,
    Appointment,
    Client,
    Location,
    Shift,
    Specialist,
)
from clinic.scheduling import appointments

MORNING = (datetime.combine(MONDAY, time(9)), datetime.combine(MONDAY, time(12)))


def held_against(app, first: Callable, second: Callable) -> tuple[str, str]:
    """Run `first(pause)` in a thread; once it calls `pause()`, run `second()` in another.
    `first` goes on when `second` has ended or HOLD_SECONDS have passed. Each outcome:
    "done", "refused" (Conflict or Invalid), or the unexpected error."""
    paused, second_done = threading.Event(), threading.Event()

    def pause() -> None:
        paused.set()
        second_done.wait(HOLD_SECONDS)

    def run(call: Callable, *args) -> str:
        with app.app_context():
            try:
                call(*args)
                return "done"
            except (Conflict, Invalid):
                return "refused"
            except Exception as error:  # any other outcome is a failure to report
                return f"error: {error!r}"
            finally:
                db.session.remove()

    def later() -> str:
        assert paused.wait(10), "the first unit never reached its pause"
        try:
            return run(second)
        finally:
            second_done.set()

    db.session.commit()
    with ThreadPoolExecutor(max_workers=2) as pool:
        one, two = pool.submit(run, first, pause), pool.submit(later)
        return one.result(timeout=60), two.result(timeout=60)


def live_appointments() -> int:
    db.session.rollback()
    return len(
        db.session.scalars(select(Appointment.id).where(Appointment.status.in_(UNDER_WAY))).all()
    )


@pytest.fixture
def clinic(monday):
    """The Monday clinic: the doctor works 09:00-12:00 in Room 1 (open 08:00-20:00)."""
    return monday


def booking(clinic) -> Callable[[], object]:
    return lambda: scheduling.book_appointment(
        db.session,
        specialist_id=clinic.doctor.id,
        client_id=clinic.patient.id,
        date=MONDAY,
        start_time="10:00",
        now=NOW,
    )


CHANGES: dict[str, Callable] = {
    "the doctor's Monday shift removed": lambda c: setup.save_specialist(
        db.session, db.session.get(Specialist, c.doctor.id), {"shifts": []}, now=NOW
    ),
    "the Monday shift cut to 09:00-10:00": lambda c: scheduling.update_shift(
        db.session,
        db.session.get(Specialist, c.doctor.id).shifts[0].id,
        weekday=0,
        start_time="09:00",
        end_time="10:00",
        now=NOW,
    ),
    "the doctor's time off": lambda c: scheduling.save_time_off(
        db.session, starts_at=MORNING[0], ends_at=MORNING[1], specialist_id=c.doctor.id, now=NOW
    ),
    "the room's time off": lambda c: scheduling.save_time_off(
        db.session, starts_at=MORNING[0], ends_at=MORNING[1], location_id=c.room.id, now=NOW
    ),
    "the clinic closed": lambda c: scheduling.save_time_off(
        db.session, starts_at=MORNING[0], ends_at=MORNING[1], now=NOW
    ),
    "the doctor switched off": lambda c: setup.save_specialist(
        db.session, db.session.get(Specialist, c.doctor.id), {"active": False}, now=NOW
    ),
    "the room switched off": lambda c: setup.save_location(
        db.session, db.session.get(Location, c.room.id), {"active": False}, now=NOW
    ),
}


def change(clinic, name: str) -> Callable[[], object]:
    return lambda: CHANGES[name](clinic)


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_change_during_a_booking_checked_but_not_written_is_refused(
    app, clinic, name, monkeypatch
):
    """A booking has passed its checks and not yet written: does the change wait for it and
    then refuse, listing the new appointment, leaving the clinic consistent?"""
    real_checks = appointments.check_booking
    pause_here: list[Callable] = []

    def checked_then_paused(*args, **kwargs):
        location = real_checks(*args, **kwargs)
        pause_here.pop()()
        return location

    monkeypatch.setattr(appointments, "check_booking", checked_then_paused)

    def first(pause):
        pause_here.append(pause)
        booking(clinic)()

    assert held_against(app, first, change(clinic, name)) == ("done", "refused")
    assert live_appointments() == 1 and inconsistencies() == []


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_change_during_a_booking_written_but_not_committed_is_refused(app, clinic, name):
    """A booking is written and not yet committed: does the change wait for it and then
    refuse, leaving the clinic consistent?"""

    def first(pause):
        with writing(db.session):
            booking(clinic)()
            pause()

    assert held_against(app, first, change(clinic, name)) == ("done", "refused")
    assert live_appointments() == 1 and inconsistencies() == []


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_booking_during_a_change_not_yet_committed_is_refused(app, clinic, name):
    """A change has checked that nothing is in the way and written itself, not yet committed:
    does a booking of the hours it takes away wait for it and then refuse?"""

    def first(pause):
        with writing(db.session):
            change(clinic, name)()
            pause()

    assert held_against(app, first, booking(clinic)) == ("done", "refused")
    assert live_appointments() == 0 and inconsistencies() == []


def test_a_move_into_hours_a_time_off_takes_is_refused(app, clinic, book):
    """An appointment is moved (not yet committed) to 11:00 while a time off of 11:00-12:00 is
    recorded: does one of them win, leaving nothing inside the time off?"""
    moved = book(clinic.doctor, clinic.patient, "09:00").id

    def first(pause):
        with writing(db.session):
            scheduling.reschedule_appointment(
                db.session, moved, date=MONDAY, start_time="11:00", now=NOW
            )
            pause()

    def time_off():
        scheduling.save_time_off(
            db.session,
            starts_at=datetime.combine(MONDAY, time(11)),
            ends_at=MORNING[1],
            specialist_id=clinic.doctor.id,
            now=NOW,
        )

    assert held_against(app, first, time_off) == ("done", "refused")
    assert inconsistencies() == []


def test_an_any_room_booking_and_a_room_switched_off_exclude_each_other(app, make):
    """A doctor without a default room is booked into the first free room (not yet
    committed) while that room is switched off: does the switch wait, then refuse?"""
    monday = make(Shift, weekday=0, start_time=time(9), end_time=time(12))
    rooms = [make(Location, shifts=[monday]) for _ in range(2)]
    doctor = make(Specialist, slot_minutes=30, shifts=[monday])
    patient = make(Client)

    def first(pause):
        with writing(db.session):
            appointment = scheduling.book_appointment(
                db.session,
                specialist_id=doctor.id,
                client_id=patient.id,
                date=MONDAY,
                start_time="10:00",
                now=NOW,
            )
            assert appointment.location_id == rooms[0].id
            pause()

    def switch_off():
        setup.save_location(
            db.session, db.session.get(Location, rooms[0].id), {"active": False}, now=NOW
        )

    assert held_against(app, first, switch_off) == ("done", "refused")
    assert inconsistencies() == []


@pytest.mark.postgres
def test_two_bookings_of_different_specialists_never_wait_for_each_other(app, clinic, make):
    """While one booking is written and not yet committed, does a booking of another
    specialist (in another room, at the same time) go through at once, without waiting?"""
    other_room = make(Location, shifts=[make(Shift, weekday=0)])
    other = make(
        Specialist, slot_minutes=30, default_location=other_room, shifts=[make(Shift, weekday=0)]
    )
    other_patient = make(Client)
    finished_while_held = threading.Event()

    def first(pause):
        with writing(db.session):
            booking(clinic)()
            pause()
            if second_finished.is_set():
                finished_while_held.set()

    second_finished = threading.Event()

    def second():
        scheduling.book_appointment(
            db.session,
            specialist_id=other.id,
            client_id=other_patient.id,
            date=MONDAY,
            start_time="10:00",
            now=NOW,
        )
        second_finished.set()

    assert held_against(app, first, second) == ("done", "done")
    assert finished_while_held.is_set(), "the second booking waited for the first to commit"
    assert live_appointments() == 2


@pytest.mark.postgres
def test_a_unit_that_asks_for_more_locks_after_its_first_is_a_mistake(app, clinic, make):
    """Are the keys of a unit taken once, at its start: does asking for another specialist's
    key later in the same unit fail loudly rather than risk a deadlock?"""
    other = make(Specialist)
    with pytest.raises(RuntimeError, match="after the unit took"), writing(db.session):
        scheduling.hold_for_change(db.session, specialists=[clinic.doctor.id])
        scheduling.hold_for_change(db.session, specialists=[other.id])
