"""Which of a specialist's working hours does no location hold (so they show no free times)?"""

from __future__ import annotations

from datetime import time

from helpers import MONDAY, NOW

from clinic.extensions import db
from clinic.models import Location, Shift, Specialist
from clinic.scheduling import active_specialists, free_slots
from clinic.scheduling.coverage import unplaced_by_specialist, unplaced_hours
from clinic.scheduling.shifts import ShiftTimes


def shift(make, weekday: int, start: int, end: int) -> Shift:
    """The shift of that weekday from `start` to `end` o'clock."""
    return make(Shift, weekday=weekday, start_time=time(start), end_time=time(end))


def test_hours_inside_the_default_location_are_placed(monday):
    """Does a doctor working Monday 09:00-12:00 in a room open 08:00-20:00 have no gaps?"""
    assert unplaced_hours(db.session, monday.doctor) == []


def test_hours_the_default_location_is_closed_are_named(make):
    """Are the hours of a doctor outside their default room's hours named, by weekday?"""
    room = make(Location, shifts=[shift(make, 0, 9, 12)])
    doctor = make(
        Specialist,
        default_location=room,
        shifts=[shift(make, 0, 9, 13), shift(make, 2, 14, 18)],
    )
    assert unplaced_hours(db.session, doctor) == [
        ShiftTimes(0, time(12), time(13)),
        ShiftTimes(2, time(14), time(18)),
    ]


def test_a_default_location_is_the_only_one_that_counts(make):
    """Does another room open at those hours not place a doctor whose default room is shut?"""
    make(Location, shifts=[shift(make, 1, 8, 20)])
    room = make(Location, shifts=[shift(make, 0, 8, 20)])
    doctor = make(Specialist, default_location=room, shifts=[shift(make, 1, 9, 12)])
    assert unplaced_hours(db.session, doctor) == [ShiftTimes(1, time(9), time(12))]


def test_a_default_location_not_in_use_holds_nothing(make):
    """Are all a doctor's hours unplaced when their default room is switched off?"""
    room = make(Location, active=False, shifts=[shift(make, 0, 8, 20)])
    doctor = make(Specialist, default_location=room, shifts=[shift(make, 0, 9, 12)])
    assert unplaced_hours(db.session, doctor) == [ShiftTimes(0, time(9), time(12))]


def test_without_a_default_any_active_location_counts(make):
    """Without a default room, do two rooms' hours together place a doctor's day, while a
    switched-off room places nothing?"""
    make(Location, shifts=[shift(make, 0, 9, 11)])
    make(Location, shifts=[shift(make, 0, 11, 13)])
    make(Location, active=False, shifts=[shift(make, 0, 13, 18)])
    doctor = make(Specialist, shifts=[shift(make, 0, 9, 11), shift(make, 0, 10, 15)])
    assert unplaced_hours(db.session, doctor) == [ShiftTimes(0, time(13), time(15))]


def test_a_specialist_without_shifts_has_no_gaps(make):
    """Has a specialist who works no shift nothing to warn about?"""
    assert unplaced_hours(db.session, make(Specialist)) == []


def test_unplaced_hours_show_no_free_times(make):
    """Does the free-slot search agree: free times only where a room is open?"""
    room = make(Location, shifts=[shift(make, 0, 9, 10)])
    doctor = make(
        Specialist, slot_minutes=30, default_location=room, shifts=[shift(make, 0, 9, 11)]
    )
    assert unplaced_hours(db.session, doctor) == [ShiftTimes(0, time(10), time(11))]
    slots = free_slots(db.session, doctor.id, MONDAY, now=NOW)
    assert [slot.time() for slot in slots] == [time(9), time(9, 30)]


def test_many_specialists_are_read_in_a_fixed_number_of_queries(make, count_queries):
    """Do the gaps of 3 and of 30 specialists take the same number of queries?"""
    room = make(Location, shifts=[shift(make, 0, 9, 12)])

    def queries_for(how_many: int) -> int:
        for n in range(how_many - len(active_specialists(db.session))):
            make(
                Specialist,
                default_location=room if n % 2 else None,
                shifts=[shift(make, n % 7, 9, 13)],
            )
        db.session.expire_all()
        specialists = active_specialists(db.session)
        with count_queries() as queries:
            gaps = unplaced_by_specialist(db.session, specialists)
        assert len(gaps) == how_many
        return len(queries)

    assert queries_for(3) == queries_for(30)
