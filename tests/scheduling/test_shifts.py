"""When may a shift change, and which shifts does a specialist or location work?"""

from __future__ import annotations

from datetime import time

import pytest
from helpers import MONDAY, NOW
from sqlalchemy import select

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel.errors import Conflict, Invalid
from clinic.models import AuditEntry, Client, Shift


def audit_actions(entity: str) -> list[str]:
    """The audit log's actions on one kind of thing, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        )
    )


def test_a_shift_in_use_cannot_be_deleted(monday, make):
    """Is deleting a shift someone works a conflict naming them, and a spare one deleted?"""
    used = monday.doctor.shifts[0]
    with pytest.raises(Conflict, match="Iryna Bondarenko"):
        scheduling.remove_shift(db.session, used.id)
    spare = make(Shift, weekday=3, start_time=time(7), end_time=time(8))
    scheduling.remove_shift(db.session, spare.id)
    assert db.session.get(Shift, spare.id) is None


# --- shift changes ---------------------------------------------------------------------------


def test_a_shift_may_change_when_no_upcoming_appointment_falls_outside(monday, book):
    """May Monday 09:00-12:00 become 08:00-11:00 while the only appointment is at 10:00?"""
    book(monday.doctor, monday.patient, "10:00")
    shift = monday.doctor.shifts[0]
    changed = scheduling.update_shift(
        db.session, shift.id, weekday="Monday", start_time="08:00", end_time="11:00", now=NOW
    )
    assert (changed.start_time, changed.end_time) == (time(8), time(11))
    assert audit_actions("shifts") == ["update"]


def test_a_shift_change_stranding_appointments_lists_them(monday, book, make):
    """Is shortening a shift refused, listing the upcoming appointments left outside it?"""
    book(monday.doctor, monday.patient, "09:00")
    late = book(monday.doctor, make(Client), "11:30")
    cancelled = book(monday.doctor, make(Client), "11:00")
    scheduling.cancel_appointment(db.session, cancelled.id, now=NOW)
    shift = monday.doctor.shifts[0]
    with pytest.raises(Conflict) as refused:
        scheduling.update_shift(
            db.session, shift.id, weekday=0, start_time="09:00", end_time="11:00", now=NOW
        )
    assert refused.value.appointments == [late]
    db.session.expire_all()
    assert shift.end_time == time(12)


def test_past_appointments_do_not_hold_a_shift(monday, book):
    """Once an appointment is over, may its shift change?"""
    book(monday.doctor, monday.patient, "11:30")
    shift = monday.doctor.shifts[0]
    after_it = NOW.replace(year=2027, month=1, day=5)
    changed = scheduling.update_shift(
        db.session, shift.id, weekday=0, start_time="09:00", end_time="10:00", now=after_it
    )
    assert changed.end_time == time(10)


def test_a_shift_change_respects_the_locations_that_work_it(monday, book):
    """Is changing a room's shift refused when an appointment in that room would fall outside?"""
    book(monday.doctor, monday.patient, "09:00")
    room_shift = next(shift for shift in monday.room.shifts if shift.weekday == 0)
    with pytest.raises(Conflict):
        scheduling.update_shift(
            db.session, room_shift.id, weekday=0, start_time="10:00", end_time="20:00", now=NOW
        )


@pytest.mark.parametrize(
    ("weekday", "start", "end", "field"),
    [
        ("Funday", "09:00", "12:00", "weekday"),
        (7, "09:00", "12:00", "weekday"),
        (0, "12:00", "09:00", "to_hour"),
        (0, "09:00", "09:00", "to_hour"),
        (0, "9", "12:00", "from_hour"),
    ],
)
def test_bad_shift_times_are_invalid(monday, weekday, start, end, field):
    """Are an unknown weekday, backwards or empty times and bad formats refused by field?"""
    with pytest.raises(Invalid) as refused:
        scheduling.update_shift(
            db.session,
            monday.doctor.shifts[0].id,
            weekday=weekday,
            start_time=start,
            end_time=end,
            now=NOW,
        )
    assert field in refused.value.errors


def test_a_shift_cannot_become_a_copy_of_another(monday, make):
    """Is changing a shift into one that exists already refused?"""
    make(Shift, weekday=0, start_time=time(8), end_time=time(20))
    with pytest.raises(Invalid, match="exists already"):
        scheduling.update_shift(
            db.session,
            monday.doctor.shifts[0].id,
            weekday=0,
            start_time="08:00",
            end_time="20:00",
            now=NOW,
        )


def test_assigning_shifts_replaces_the_set_and_refuses_stranding(monday, book):
    """Does assigning replace the whole set, refusing while an appointment would be stranded?"""
    book(monday.doctor, monday.patient, "11:30")
    with pytest.raises(Conflict):
        scheduling.set_shifts(db.session, monday.doctor, [("Monday", "09:00", "11:00")], now=NOW)
    scheduling.set_shifts(
        db.session,
        monday.doctor,
        [("Monday", "08:00", "13:00"), ("Friday", "09:00", "12:00")],
        now=NOW,
    )
    assert sorted((s.weekday, s.start_time) for s in monday.doctor.shifts) == [
        (0, time(8)),
        (4, time(9)),
    ]
    assert audit_actions("specialists") == ["shifts"]


def test_assigning_an_unknown_shift_id_is_invalid(monday):
    """Is a shift id that does not exist refused, naming its place in the list?"""
    with pytest.raises(Invalid) as refused:
        scheduling.set_shifts(db.session, monday.room, [monday.doctor.shifts[0].id, 404], now=NOW)
    assert "shifts.1" in refused.value.errors


def test_booking_uses_the_new_shift_at_once(monday, book):
    """After assigning an afternoon shift, can the afternoon be booked?"""
    scheduling.set_shifts(db.session, monday.doctor, [("Monday", "13:00", "15:00")], now=NOW)
    assert book(monday.doctor, monday.patient, "13:00").starts_at.date() == MONDAY
