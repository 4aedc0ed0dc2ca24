"""The desk's day: who is on it, what they have booked and free, what is counted and flagged."""

from __future__ import annotations

from datetime import datetime, time

from helpers import MONDAY, NOW

from clinic import scheduling
from clinic.extensions import db
from clinic.models import Client, Shift, Specialist, TimeOff, User


def test_a_day_has_the_working_specialists_with_bookings_free_times_and_time_off(
    monday, book, make
):
    """Is each specialist working that day a column with their hours, live appointments, free
    slots and time off, the cancelled ones apart, counted by status?"""
    manager = make(User, role="manager")
    make(Specialist, shifts=[make(Shift, weekday=1)])
    kept = book(monday.doctor, monday.patient, "09:00")
    gone = book(monday.doctor, make(Client), "09:30")
    scheduling.cancel_appointment(db.session, gone.id, now=NOW)
    make(
        TimeOff,
        specialist=monday.doctor,
        starts_at=datetime.combine(MONDAY, time(11)),
        ends_at=datetime.combine(MONDAY, time(12)),
    )
    plan = scheduling.day_plan(db.session, manager, MONDAY, now=NOW)
    [column] = plan.columns
    assert column.specialist.id == monday.doctor.id
    assert [(s.start.time(), s.end.time()) for s in column.hours] == [(time(9), time(12))]
    assert [a.id for a in column.appointments] == [kept.id]
    assert [s.time() for s in column.free] == [time(9, 30), time(10), time(10, 30)]
    assert [(s.start.time(), s.end.time()) for s in column.away] == [(time(11), time(12))]
    assert [a.id for a in plan.cancelled] == [gone.id]
    assert plan.counts[scheduling.Status.BOOKED] == 1
    assert plan.counts[scheduling.Status.CANCELLED] == 1
    assert plan.counts[scheduling.Status.ARRIVED] == 0
    assert [entry[1] for entry in column.entries][:2] == [kept, None]


def test_a_specialist_switched_off_still_shows_what_they_have_booked(monday, book, make):
    """Does a specialist with appointments that day keep a column (without free times) after
    being switched off, so that nothing booked is hidden from the desk?"""
    manager = make(User, role="manager")
    booked = book(monday.doctor, monday.patient, "09:00")
    monday.doctor.active = False
    db.session.commit()
    [column] = scheduling.day_plan(db.session, manager, MONDAY, now=NOW).columns
    assert [a.id for a in column.appointments] == [booked.id]
    assert column.free == [] and column.hours == []


def test_time_off_kept_over_a_booking_flags_it(monday, book, make):
    """Is an appointment inside a time off (kept when it was recorded) flagged?"""
    manager = make(User, role="manager")
    booked = book(monday.doctor, monday.patient, "09:00")
    scheduling.save_time_off(
        db.session,
        starts_at=datetime.combine(MONDAY, time(8)),
        ends_at=datetime.combine(MONDAY, time(10)),
        specialist_id=monday.doctor.id,
        covered="keep",
        now=NOW,
    )
    assert scheduling.day_plan(db.session, manager, MONDAY, now=NOW).flagged == {booked.id}
