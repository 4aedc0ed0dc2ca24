"""Are a unit's PostgreSQL keys the right ones when what they cover changes just before it takes
them: a default room changed, an appointment moved elsewhere, a room switched on? Each test
stops the first unit at that point (in its own thread) while the change commits."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, time
from types import SimpleNamespace

import pytest
from helpers import MONDAY, NOW
from races import HOLD_SECONDS, inconsistencies
from sqlalchemy import select

from clinic import scheduling, setup
from clinic.extensions import db
from clinic.kernel.errors import Conflict, Invalid
from clinic.models import (
    Appointment,
    Client,
    Location,
    Shift,
    Specialist,
)
from clinic.scheduling import appointments, locks


class Pauses:
    """Points where the first unit, in its own thread, stops until the test lets it go on."""

    def __init__(self) -> None:
        self.reached: dict[str, threading.Event] = {}
        self.resume: dict[str, threading.Event] = {}

    def _event(self, events: dict[str, threading.Event], name: str) -> threading.Event:
        return events.setdefault(name, threading.Event())

    def at(self, name: str) -> None:
        """In the first unit: say the point is reached, and wait to go on."""
        self._event(self.reached, name).set()
        assert self._event(self.resume, name).wait(20), f"never let go on at {name}"

    def reach(self, name: str) -> None:
        """In the test: wait until the first unit stands at the point."""
        assert self._event(self.reached, name).wait(20), f"never reached {name}"

    def go_on(self, name: str) -> None:
        self._event(self.resume, name).set()


def in_thread(app, call: Callable, outcomes: dict, name: str) -> threading.Thread:
    """Run `call` in a thread of that name with its own app context; its outcome lands in
    `outcomes[name]`."""

    def run() -> None:
        with app.app_context():
            try:
                call()
                outcomes[name] = "done"
            except (Conflict, Invalid):
                outcomes[name] = "refused"
            except Exception as error:  # any other outcome is a failure to report
                outcomes[name] = f"error: {error!r}"
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def pause_first_unit(monkeypatch, pauses: Pauses, module, name: str, point: str) -> None:
    """Make `module.name` stop at `point` whenever the thread "first" calls it: before it runs
    when the point's name begins with "before", else once it has returned."""
    real = getattr(module, name)

    def paused(*args, **kwargs):
        if threading.current_thread().name != "first":
            return real(*args, **kwargs)
        if point.startswith("before"):
            pauses.at(point)
            return real(*args, **kwargs)
        result = real(*args, **kwargs)
        pauses.at(point)
        return result

    monkeypatch.setattr(module, name, paused)


@pytest.fixture
def two_rooms(make):
    """Two rooms open every Monday 08:00-20:00; two doctors working then, each in a room of
    their own; a patient."""
    hours = [make(Shift, weekday=0, start_time=time(8), end_time=time(20))]
    rooms = [make(Location, name=f"R{n}", shifts=hours) for n in (1, 2)]
    doctors = [make(Specialist, slot_minutes=30, default_location=r, shifts=hours) for r in rooms]
    return SimpleNamespace(
        rooms=[r.id for r in rooms], doctors=[d.id for d in doctors], patient=make(Client).id
    )


@pytest.mark.postgres
def test_a_default_room_changed_before_a_booking_locks_is_the_room_it_locks(
    app, two_rooms, monkeypatch
):
    """The admin moves the doctor's default room while a booking has read nothing under its
    locks yet: does the booking lock (and take) the new room, so that switching that room off
    waits for it and is refused, never leaving a booking in a room out of use?"""
    pauses = Pauses()
    pause_first_unit(monkeypatch, pauses, locks, "_take", "before the locks")
    pause_first_unit(monkeypatch, pauses, appointments, "check_booking", "after the checks")
    outcomes: dict[str, str] = {}
    first = in_thread(
        app,
        lambda: scheduling.book_appointment(
            db.session,
            specialist_id=two_rooms.doctors[0],
            client_id=two_rooms.patient,
            date=MONDAY,
            start_time="10:00",
            now=NOW,
        ),
        outcomes,
        "first",
    )
    pauses.reach("before the locks")
    setup.save_specialist(
        db.session,
        db.session.get(Specialist, two_rooms.doctors[0]),
        {"default_location_id": two_rooms.rooms[1]},
        now=NOW,
    )
    pauses.go_on("before the locks")
    pauses.reach("after the checks")
    switch_off = in_thread(
        app,
        lambda: setup.save_location(
            db.session, db.session.get(Location, two_rooms.rooms[1]), {"active": False}, now=NOW
        ),
        outcomes,
        "switch off",
    )
    switch_off.join(HOLD_SECONDS)
    assert "switch off" not in outcomes, "switching the room off did not wait for the booking"
    pauses.go_on("after the checks")
    first.join(20)
    switch_off.join(20)
    assert outcomes == {"first": "done", "switch off": "refused"}
    assert inconsistencies() == []


@pytest.mark.postgres
def test_an_appointment_moved_elsewhere_before_a_move_locks_is_moved_under_the_right_keys(
    app, two_rooms, book, monkeypatch
):
    """Move A (the time only) has read the appointment's doctor but not yet locked when move B
    gives the appointment to the other doctor: does A, finding its keys outdated, start again
    under the new doctor's keys, so that that doctor's time off waits for it and is refused?"""
    appointment = scheduling.book_appointment(
        db.session,
        specialist_id=two_rooms.doctors[0],
        client_id=two_rooms.patient,
        date=MONDAY,
        start_time="09:00",
        now=NOW,
    ).id
    pauses = Pauses()
    pause_first_unit(monkeypatch, pauses, locks, "_take", "before the locks")
    outcomes: dict[str, str] = {}
    first = in_thread(
        app,
        lambda: scheduling.reschedule_appointment(
            db.session, appointment, date=MONDAY, start_time="11:00", now=NOW
        ),
        outcomes,
        "first",
    )
    pauses.reach("before the locks")
    scheduling.reschedule_appointment(
        db.session,
        appointment,
        date=MONDAY,
        start_time="10:00",
        specialist_id=two_rooms.doctors[1],
        now=NOW,
    )
    pause_first_unit(monkeypatch, pauses, appointments, "check_held", "after the checks")
    pauses.go_on("before the locks")
    pauses.reach("after the checks")
    time_off = in_thread(
        app,
        lambda: scheduling.save_time_off(
            db.session,
            starts_at=datetime.combine(MONDAY, time(11)),
            ends_at=datetime.combine(MONDAY, time(12)),
            specialist_id=two_rooms.doctors[1],
            now=NOW,
        ),
        outcomes,
        "time off",
    )
    time_off.join(HOLD_SECONDS)
    assert "time off" not in outcomes, "the time off did not wait for the move"
    pauses.go_on("after the checks")
    first.join(20)
    time_off.join(20)
    assert outcomes == {"first": "done", "time off": "refused"}
    moved = db.session.get(Appointment, appointment)
    assert (moved.specialist_id, f"{moved.starts_at:%H:%M}") == (two_rooms.doctors[1], "11:00")
    assert inconsistencies() == []


@pytest.mark.postgres
def test_a_room_switched_on_after_the_keys_were_read_is_locked_before_it_is_booked(
    app, make, monkeypatch
):
    """A doctor without a default room books into the first free room; the only free one is
    switched on after the booking read which rooms to lock: does the booking start again
    (its keys outdated) and book that room under its key, rather than unlocked?"""
    hours = [make(Shift, weekday=0, start_time=time(8), end_time=time(20))]
    busy, spare = make(Location, shifts=hours), make(Location, shifts=hours, active=False)
    doctor = make(Specialist, slot_minutes=30, shifts=hours)
    other = make(Specialist, slot_minutes=30, default_location=busy, shifts=hours)
    scheduling.book_appointment(
        db.session,
        specialist_id=other.id,
        client_id=make(Client).id,
        date=MONDAY,
        start_time="10:00",
        now=NOW,
    )
    patient = make(Client).id
    pauses = Pauses()
    pause_first_unit(monkeypatch, pauses, appointments, "check_booking", "before the checks")
    refused = []
    real_check = appointments.check_held

    def counted(*args):
        try:
            real_check(*args)
        except locks.KeysOutdated:
            refused.append(args)
            raise

    monkeypatch.setattr(appointments, "check_held", counted)
    outcomes: dict[str, str] = {}
    first = in_thread(
        app,
        lambda: scheduling.book_appointment(
            db.session,
            specialist_id=doctor.id,
            client_id=patient,
            date=MONDAY,
            start_time="10:00",
            now=NOW,
        ),
        outcomes,
        "first",
    )
    pauses.reach("before the checks")
    setup.save_location(db.session, db.session.get(Location, spare.id), {"active": True}, now=NOW)
    pauses.go_on("before the checks")
    first.join(20)
    assert outcomes == {"first": "done"}
    assert len(refused) == 1, "the first try found its keys outdated"
    booked = db.session.scalars(
        select(Appointment).where(Appointment.specialist_id == doctor.id)
    ).one()
    assert booked.location_id == spare.id
