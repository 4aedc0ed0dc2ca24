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
from types import SimpleNamespace

import pytest
from helpers import MONDAY, NOW
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
    TimeOff,
)
from clinic.scheduling import appointments, locks, working_spans

HOLD_SECONDS = 0.5
"""How long the first unit stays open unless the second ends sooner (which, without the locks,
it does: both then commit)."""
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


def inconsistencies() -> list[str]:
    """Every live appointment that lies outside its specialist's or room's hours, inside a time
    off, or with a switched-off specialist or room, in words."""
    db.session.rollback()
    time_off = db.session.scalars(select(TimeOff)).all()
    found = []
    for appointment in db.session.scalars(
        select(Appointment).where(Appointment.status.in_(UNDER_WAY))
    ):
        span = scheduling.Span(appointment.starts_at, appointment.ends_at)
        for owner in (appointment.specialist, appointment.location):
            if not owner.active:
                found.append(f"{owner!r} is switched off")
            if not any(span.within(hours) for hours in working_spans(owner.shifts, MONDAY)):
                found.append(f"{owner!r} does not work then")
        for off in time_off:
            if (
                off.starts_at < span.end
                and span.start < off.ends_at
                and off.specialist_id in (None, appointment.specialist_id)
                and off.location_id in (None, appointment.location_id)
            ):
                found.append(f"time off {off.id} covers it")
    return found


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
