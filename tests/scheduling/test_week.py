"""What does a specialist's week show patients, and where is everyone's next free time?"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from helpers import MONDAY, NOW

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel.errors import Invalid, NotFound
from clinic.models import Client, ClinicSettings, Location, Shift, Specialist, TimeOff
from clinic.scheduling import DayState

ALL_MORNING = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]


def at(clock: str, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock))


def week_of(specialist, day=MONDAY, **options):
    options.setdefault("now", NOW)
    return scheduling.specialist_week(db.session, specialist.id, day, **options)


def hours(day) -> list[str]:
    return [f"{slot:%H:%M}" for slot in day.slots]


def take_off(start: datetime, end: datetime, **scope) -> None:
    db.session.add(TimeOff(starts_at=start, ends_at=end, reason="Dentist appointment", **scope))
    db.session.commit()


def test_a_week_runs_monday_to_sunday_around_any_of_its_days(monday):
    """Does asking for a Wednesday give the week from its Monday, each day in turn?"""
    week = week_of(monday.doctor, MONDAY + timedelta(days=2))
    assert [day.date for day in week.days] == [MONDAY + timedelta(days=n) for n in range(7)]
    assert (week.previous, week.following) == (MONDAY - timedelta(7), MONDAY + timedelta(7))


def test_working_days_offer_their_slots_and_other_days_say_not_working(monday):
    """Is Monday (the doctor's only day) full of free times, and every other day "not
    working"?"""
    week = week_of(monday.doctor)
    assert hours(week.days[0]) == ALL_MORNING
    assert [day.state for day in week.days] == [DayState.FREE] + [DayState.NOT_WORKING] * 6


def test_clinic_time_off_closes_the_day_and_the_specialists_own_is_not_working(monday):
    """Does the clinic's closure read "closed", the specialist's own time off "not working",
    and time off for part of the day just take those times away?"""
    take_off(at("00:00"), at("00:00", MONDAY + timedelta(1)))
    take_off(
        at("00:00", MONDAY + timedelta(7)),
        at("12:00", MONDAY + timedelta(7)),
        specialist=monday.doctor,
    )
    take_off(
        at("09:00", MONDAY + timedelta(14)),
        at("10:00", MONDAY + timedelta(14)),
        specialist=monday.doctor,
    )
    assert week_of(monday.doctor).days[0].state is DayState.CLOSED
    assert week_of(monday.doctor, MONDAY + timedelta(7)).days[0].state is DayState.NOT_WORKING
    third = week_of(monday.doctor, MONDAY + timedelta(14)).days[0]
    assert (third.state, hours(third)) == (DayState.FREE, ALL_MORNING[2:])


def test_time_off_in_two_pieces_that_cover_the_shift_closes_it(monday):
    """Do two time offs that together cover the whole shift count as covering it?"""
    take_off(at("08:00"), at("10:30"))
    take_off(at("10:00"), at("13:00"))
    assert week_of(monday.doctor).days[0].state is DayState.CLOSED


def test_past_full_and_too_far_ahead_days_say_so(monday, book, make):
    """Is a day gone "past", a booked-up day "no free times", and a day beyond the clinic's
    horizon "not open for booking yet" (never with slots)?"""
    assert week_of(monday.doctor, now=at("13:00", MONDAY + timedelta(1))).days[0].state is (
        DayState.PAST
    )
    for clock in ALL_MORNING:
        book(monday.doctor, make(Client), clock)
    assert week_of(monday.doctor).days[0].state is DayState.FULL
    ClinicSettings.get().max_days_ahead = 7
    db.session.commit()
    later = week_of(monday.doctor, MONDAY + timedelta(14)).days[0]
    assert (later.state, later.slots) == (DayState.NOT_YET, [])


def test_the_week_never_offers_past_or_too_early_times(monday):
    """At 10:10 with an hour's notice, is 11:30 the first time offered that day?"""
    week = week_of(monday.doctor, now=at("10:10"))
    assert hours(week.days[0]) == ["11:30"]


def test_a_week_across_two_months_keeps_its_dates(app, make):
    """Does the week of Monday 31 May 2027 run to Sunday 6 June, with slots on both sides?"""
    every_day = [make(Shift, weekday=d, start_time=time(9), end_time=time(10)) for d in range(7)]
    room = make(Location, shifts=every_day)
    doctor = make(Specialist, slot_minutes=60, default_location=room, shifts=every_day)
    week = week_of(doctor, date(2027, 6, 2), now=datetime(2027, 5, 20, 8, 0))
    assert [(d.date.month, d.date.day) for d in week.days] == [(5, 31)] + [
        (6, n) for n in range(1, 7)
    ]
    assert all(hours(day) == ["09:00"] for day in week.days)


def test_the_spring_forward_week_leaves_out_the_hour_that_never_happens(app, make):
    """In Kyiv's week of 28 March 2027, is 03:00 missing on the Sunday only?"""
    app.config["CLINIC_TIMEZONE"] = "Europe/Kyiv"
    nights = [make(Shift, weekday=d, start_time=time(1), end_time=time(5)) for d in range(7)]
    room = make(Location, shifts=nights)
    doctor = make(Specialist, slot_minutes=60, default_location=room, shifts=nights)
    week = week_of(doctor, date(2027, 3, 28), now=datetime(2027, 3, 1))
    assert [hours(day) for day in week.days] == [["01:00", "02:00", "03:00", "04:00"]] * 6 + [
        ["01:00", "02:00", "04:00"]
    ]


def test_an_unknown_or_switched_off_specialist_has_no_week(monday):
    """Is the week of an unknown or inactive specialist NotFound?"""
    with pytest.raises(NotFound):
        scheduling.specialist_week(db.session, 999, MONDAY, now=NOW)
    monday.doctor.active = False
    db.session.commit()
    with pytest.raises(NotFound):
        week_of(monday.doctor)


def test_a_client_moving_sees_their_own_time_free_and_their_other_bookings_taken(
    monday, book, make
):
    """When a client moves an appointment, is its own time offered again, and a time the
    client is booked elsewhere not offered?"""
    other = make(
        Specialist,
        default_location=make(Location, shifts=monday.room.shifts),
        shifts=monday.doctor.shifts,
    )
    moving = book(monday.doctor, monday.patient, "09:00")
    book(other, monday.patient, "11:00")
    week = week_of(
        monday.doctor,
        client_id=monday.patient.id,
        ignore_id=moving.id,
        policy=scheduling.policy_for(None),
    )
    assert hours(week.days[0]) == ["09:00", "09:30", "10:00", "10:30", "11:30"]


def test_next_free_times_skip_a_full_first_day_and_time_off(monday, book, make):
    """With Monday booked up and the next Monday off, is everyone's next free time right:
    the doctor's two weeks on, None for a specialist without shifts, none for the inactive?"""
    for clock in ALL_MORNING:
        book(monday.doctor, make(Client), clock)
    take_off(
        at("00:00", MONDAY + timedelta(7)),
        at("00:00", MONDAY + timedelta(8)),
        specialist=monday.doctor,
    )
    idle, gone = make(Specialist), make(Specialist, active=False, shifts=monday.doctor.shifts)
    found = scheduling.next_free_slots(db.session, [monday.doctor, idle, gone], now=NOW)
    assert found == {monday.doctor.id: at("09:00", MONDAY + timedelta(14)), idle.id: None}


def test_next_free_times_respect_the_notice_and_the_horizon(monday):
    """Is a time inside the notice skipped, and nothing found beyond the horizon?"""
    assert scheduling.next_free_slots(db.session, [monday.doctor], now=at("10:10")) == {
        monday.doctor.id: at("11:30")
    }
    ClinicSettings.get().max_days_ahead = 1
    db.session.commit()
    assert scheduling.next_free_slots(db.session, [monday.doctor], now=at("12:00")) == {
        monday.doctor.id: None
    }


def test_the_directory_search_matches_words_of_names_and_specialties(app, make):
    """Do "iry" and "CARDIO iryna" find Iryna the cardiologist (any case, any script), the
    specialty and location filters narrow, and the switched-off never show?"""
    room = make(Location)
    iryna = make(
        Specialist,
        first_name="Iryna",
        last_name="Bondarenko",
        specialty="Cardiology",
        default_location=room,
    )
    olena = make(Specialist, first_name="Олена", last_name="Шевченко", specialty="Dentistry")
    make(Specialist, first_name="Iryna", last_name="Gone", active=False)

    def found(**filters):
        return [s.id for s in scheduling.find_specialists(db.session, **filters)]

    assert found(search="iry") == [iryna.id]
    assert found(search="CARDIO iryna") == [iryna.id]
    assert found(search="олена") == [olena.id]
    assert found(specialty="dentistry") == [olena.id]
    assert found(location_id=room.id) == [iryna.id]
    assert found() == [iryna.id, olena.id]
    assert scheduling.specialties(db.session) == ["Cardiology", "Dentistry"]
    with pytest.raises(Invalid):
        found(search="x\x00y")
