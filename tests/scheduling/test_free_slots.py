"""Which times are free? Shifts, time off, appointments, the past, locations, public limits."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from helpers import MONDAY, NOW

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel.errors import Invalid, NotFound
from clinic.models import Client, ClinicSettings, Location, Shift, Specialist, TimeOff


def free(specialist, day=MONDAY, **options) -> list[str]:
    """The specialist's free slots on a day as "HH:MM" (as the clinic's staff see them)."""
    options.setdefault("now", NOW)
    options.setdefault("policy", scheduling.SYSTEM)
    return [
        f"{slot:%H:%M}" for slot in scheduling.free_slots(db.session, specialist.id, day, **options)
    ]


def at(clock: str, day=MONDAY) -> datetime:
    """MONDAY (or `day`) at HH:MM."""
    return datetime.combine(day, time.fromisoformat(clock))


def take_off(start: str, end: str, **scope) -> None:
    """Add time off on MONDAY for a specialist, a location or (neither) the clinic."""
    db.session.add(TimeOff(starts_at=at(start), ends_at=at(end), reason="Training", **scope))
    db.session.commit()


ALL_MORNING = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]


def test_a_shift_is_stepped_by_the_slot_length_up_to_its_very_end(monday):
    """Is 09:00-12:00 in 30-minute slots 09:00 ... 11:30, the last ending exactly at 12:00?"""
    assert free(monday.doctor) == ALL_MORNING


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(45, ["09:00", "09:45", "10:30", "11:15"]), (50, ["09:00", "09:50", "10:40"])],
)
def test_a_slot_must_fit_wholly_inside_the_shift(monday, minutes, expected):
    """Is a slot that would run past the end of the shift left out?"""
    monday.doctor.slot_minutes = minutes
    db.session.commit()
    assert free(monday.doctor) == expected


def test_no_slots_on_a_day_without_a_shift(monday):
    """Does a Tuesday with no shift have no slots?"""
    assert free(monday.doctor, MONDAY + timedelta(days=1)) == []


def test_two_shifts_with_a_break_step_from_the_start_of_each(monday, make):
    """With 09:00-12:00 and 13:15-14:15, is there nothing in the break and a fresh start after?"""
    afternoon = make(Shift, weekday=0, start_time=time(13, 15), end_time=time(14, 15))
    monday.doctor.shifts.append(afternoon)
    db.session.commit()
    assert free(monday.doctor) == [*ALL_MORNING, "13:15", "13:45"]


def test_overlapping_shifts_are_merged_before_stepping(monday, make):
    """Are 09:00-11:00 and 10:00-12:00 one interval 09:00-12:00 for 45-minute slots?"""
    monday.doctor.slot_minutes = 45
    monday.doctor.shifts = [
        make(Shift, weekday=0, start_time=time(9), end_time=time(11)),
        make(Shift, weekday=0, start_time=time(10), end_time=time(12)),
    ]
    db.session.commit()
    assert free(monday.doctor) == ["09:00", "09:45", "10:30", "11:15"]


def test_an_appointment_takes_its_slots_and_touching_ones_stay_free(monday, book):
    """Does a 10:00-11:00 appointment take 10:00 and 10:30 only?"""
    book(monday.doctor, monday.patient, "10:00", "11:00")
    assert free(monday.doctor) == ["09:00", "09:30", "11:00", "11:30"]


def test_a_cancelled_appointment_frees_its_time(monday, book):
    """Is the time of a cancelled appointment free again?"""
    appointment = book(monday.doctor, monday.patient, "10:00")
    scheduling.cancel_appointment(db.session, appointment.id, now=NOW)
    assert free(monday.doctor) == ALL_MORNING


@pytest.mark.parametrize(
    ("scope", "start", "end", "gone"),
    [
        ("specialist", "10:00", "11:00", ["10:00", "10:30"]),
        ("specialist", "10:15", "10:20", ["10:00"]),
        ("location", "09:00", "10:00", ["09:00", "09:30"]),
        ("clinic", "11:00", "13:00", ["11:00", "11:30"]),
    ],
)
def test_time_off_takes_every_slot_it_touches(monday, scope, start, end, gone):
    """Does time off of the specialist, their location or the clinic take its slots?"""
    owner = {
        "specialist": {"specialist": monday.doctor},
        "location": {"location": monday.room},
        "clinic": {},
    }[scope]
    take_off(start, end, **owner)
    assert free(monday.doctor) == [slot for slot in ALL_MORNING if slot not in gone]


def test_time_off_of_another_location_does_not_matter(monday, make):
    """Does a room the specialist does not use being closed leave their slots alone?"""
    take_off("09:00", "12:00", location=make(Location))
    assert free(monday.doctor) == ALL_MORNING


def test_time_off_spanning_days_takes_the_whole_day(monday):
    """Does a week's holiday starting the Friday before take all of Monday?"""
    db.session.add(
        TimeOff(
            specialist=monday.doctor,
            starts_at=at("00:00") - timedelta(days=3),
            ends_at=at("00:00") + timedelta(days=4),
        )
    )
    db.session.commit()
    assert free(monday.doctor) == []


def test_past_times_today_are_not_free(monday):
    """At 10:10, are 09:00-10:00 gone, and is 10:30 the first slot?"""
    assert free(monday.doctor, now=at("10:10")) == ["10:30", "11:00", "11:30"]
    assert free(monday.doctor, now=at("10:30")) == ["10:30", "11:00", "11:30"]


def test_a_busy_default_location_makes_the_slot_not_free(monday, make, book):
    """When another specialist holds the default room at 10:00, is 10:00 not free?"""
    other = make(
        Specialist,
        default_location=monday.room,
        shifts=[make(Shift, weekday=0, start_time=time(9), end_time=time(12))],
    )
    book(other, make(Client), "10:00")
    assert "10:00" not in free(monday.doctor)
    assert "10:30" in free(monday.doctor)


def test_a_default_location_closed_then_makes_the_slot_not_free(monday, make):
    """If the default room only opens 10:00-20:00 on Mondays, are the earlier slots gone?"""
    monday.room.shifts = [make(Shift, weekday=0, start_time=time(10), end_time=time(20))]
    db.session.commit()
    assert free(monday.doctor) == ALL_MORNING[2:]


def test_an_inactive_default_location_leaves_no_slots(monday):
    """Does a specialist whose default room is out of use have no slots?"""
    monday.room.active = False
    db.session.commit()
    assert free(monday.doctor) == []


def test_without_a_default_one_free_location_of_two_is_enough(monday, make, book):
    """Without a default, is a slot free while one of two working rooms is, and gone when not?"""
    monday.doctor.default_location = None
    second = make(Location, shifts=[make(Shift, weekday=0, start_time=time(8), end_time=time(20))])
    other = make(Specialist, shifts=[make(Shift, weekday=0, start_time=time(9), end_time=time(12))])
    db.session.commit()
    book(other, make(Client), "10:00", location_id=monday.room.id)
    assert "10:00" in free(monday.doctor)
    book(other, make(Client), "11:00", location_id=monday.room.id)
    third = make(Specialist, shifts=[make(Shift, weekday=0, start_time=time(9), end_time=time(12))])
    book(third, make(Client), "11:00", location_id=second.id)
    assert "11:00" not in free(monday.doctor)


def test_without_a_default_only_locations_working_then_count(monday, make):
    """Without a default, are slots free only while some room is open?"""
    monday.doctor.default_location = None
    monday.room.shifts = [make(Shift, weekday=0, start_time=time(11), end_time=time(20))]
    make(Location, shifts=[make(Shift, weekday=0, start_time=time(8), end_time=time(10))])
    db.session.commit()
    assert free(monday.doctor) == ["09:00", "09:30", "11:00", "11:30"]


def test_an_inactive_specialist_has_no_slots(monday):
    """Are there no free times for a specialist who no longer works here?"""
    monday.doctor.active = False
    db.session.commit()
    assert free(monday.doctor) == []


def test_public_slots_keep_the_minimum_notice_and_the_days_ahead(monday):
    """Publicly, are slots before now + notice and after the last bookable day hidden?"""
    settings = ClinicSettings.get()
    settings.min_notice_minutes, settings.max_days_ahead = 90, 3
    db.session.commit()
    online, staff = scheduling.ANONYMOUS, scheduling.SYSTEM
    assert free(monday.doctor, now=at("08:45"), policy=online) == ALL_MORNING[3:]
    assert free(monday.doctor, now=at("08:45"), policy=staff) == ALL_MORNING
    assert free(monday.doctor, now=NOW, policy=online) == ALL_MORNING, "3 days after Friday"
    assert free(monday.doctor, now=NOW - timedelta(days=1), policy=online) == []


def test_a_range_gives_every_day(monday, book):
    """Does a week's range list each day, the booked slot missing on Monday only?"""
    wednesday, _ = scheduling.create_shift(db.session, "Wednesday", "09:00", "10:00")
    monday.doctor.shifts.append(wednesday)
    db.session.commit()
    book(monday.doctor, monday.patient, "09:00")
    week = scheduling.free_slots_range(
        db.session, monday.doctor.id, MONDAY, MONDAY + timedelta(days=6), now=NOW
    )
    assert list(week) == [MONDAY + timedelta(days=n) for n in range(7)]
    assert [f"{slot:%H:%M}" for slot in week[MONDAY]] == ALL_MORNING[1:]
    assert [f"{slot:%H:%M}" for slot in week[MONDAY + timedelta(days=2)]] == ["09:00", "09:30"]
    assert week[MONDAY + timedelta(days=1)] == []


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (MONDAY, MONDAY + timedelta(days=62), "to"),
        (MONDAY, MONDAY - timedelta(days=1), "to"),
        ("2027-02-30", MONDAY, "from"),
        (MONDAY, "next week", "to"),
    ],
)
def test_a_bad_range_is_refused(monday, first, last, field):
    """Are more than 62 days, a backwards range and impossible dates refused by field?"""
    with pytest.raises(Invalid) as refused:
        scheduling.free_slots_range(db.session, monday.doctor.id, first, last, now=NOW)
    assert field in refused.value.errors


def test_62_days_are_allowed(monday):
    """Is a range of exactly 62 days answered?"""
    days = scheduling.free_slots_range(
        db.session, monday.doctor.id, MONDAY, MONDAY + timedelta(days=61), now=NOW
    )
    assert len(days) == 62


def test_an_unknown_specialist_is_not_found(app):
    """Is asking for the slots of a specialist who does not exist NotFound?"""
    with pytest.raises(NotFound):
        scheduling.free_slots(db.session, 404, MONDAY, now=NOW)


def test_many_specialists_at_once(monday, make, book):
    """Does the all-specialists view give each active one their own slots?"""
    other = make(
        Specialist,
        slot_minutes=60,
        shifts=[make(Shift, weekday=0, start_time=time(14), end_time=time(16))],
    )
    make(
        Specialist,
        active=False,
        shifts=[make(Shift, weekday=0, start_time=time(9), end_time=time(12))],
    )
    book(monday.doctor, monday.patient, "09:00")
    slots = scheduling.free_slots_by_specialist(db.session, MONDAY, now=NOW)
    assert set(slots) == {monday.doctor.id, other.id}
    assert [f"{s:%H:%M}" for s in slots[monday.doctor.id]] == ALL_MORNING[1:]
    assert [f"{s:%H:%M}" for s in slots[other.id]] == ["14:00", "15:00"]


def test_the_next_free_slot_skips_full_days(monday, make, book):
    """Is the next free slot a week later when this Monday is full?"""
    for clock in ALL_MORNING:
        book(monday.doctor, make(Client), clock)
    assert scheduling.next_free_slot(db.session, monday.doctor.id, now=NOW) == at(
        "09:00", MONDAY + timedelta(days=7)
    )
    assert scheduling.next_free_slot(db.session, monday.doctor.id, now=at("09:40")) == at(
        "09:00", MONDAY + timedelta(days=7)
    )


def test_no_next_free_slot_when_nothing_is_open(monday):
    """Is there no next slot for a specialist without shifts?"""
    monday.doctor.shifts = []
    db.session.commit()
    assert scheduling.next_free_slot(db.session, monday.doctor.id, now=NOW) is None
