"""Are the minimum notice and the cancellation window real time, also over the nights the
clocks change (Europe/Kyiv)?

In Kyiv the clocks go forward at 03:00 on Sunday 2027-03-28 (that night is an hour short) and
back at 04:00 on Sunday 2027-10-31 (03:00-03:59 happens twice; that night is an hour long).
The clinic below has a 24-hour cancellation window and a 2-hour notice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel.clock import clinic_now, real_time_between, wall_clock_after
from clinic.kernel.errors import Conflict, Invalid
from clinic.models import Client, ClinicSettings, Location, Shift, Specialist, TimeOff, User

SPRING_FORWARD = date(2027, 3, 28)
FALL_BACK = date(2027, 10, 31)


@pytest.fixture
def kyiv(app, make):
    """Kyiv time, a 24-hour window and a 2-hour notice; a doctor and room working 00:00-12:00
    every day in hourly slots; a patient with an account (booking online)."""
    app.config["CLINIC_TIMEZONE"] = "Europe/Kyiv"
    settings = db.session.get_one(ClinicSettings, 1)
    settings.cancellation_window_hours, settings.min_notice_minutes = 24, 120
    settings.max_days_ahead = 400
    db.session.commit()
    hours = [make(Shift, weekday=day, start_time=time(0), end_time=time(12)) for day in range(7)]
    room = make(Location, shifts=hours)
    doctor = make(Specialist, slot_minutes=60, default_location=room, shifts=hours)
    patient = make(User, role="client")
    make(Client, user=patient, email=patient.email)
    return doctor, patient


def booked_for(doctor, patient, day: date, start: str):
    """An appointment of the patient, booked by the desk long before."""
    return scheduling.book_appointment(
        db.session,
        specialist_id=doctor.id,
        client_id=patient.client.id,
        date=day,
        start_time=start,
        now=datetime(2027, 1, 1),
    )


def cancel(appointment, patient, now: datetime) -> None:
    scheduling.cancel_appointment(db.session, appointment.id, actor=patient, now=now)


def test_real_time_counts_the_hour_the_clocks_skip_and_repeat(kyiv):
    """Is Saturday 10:00 to Sunday 10:00 23 real hours in spring and 25 in autumn?"""
    spring, autumn = SPRING_FORWARD - timedelta(1), FALL_BACK - timedelta(1)
    assert real_time_between(
        datetime.combine(spring, time(10)), datetime.combine(SPRING_FORWARD, time(10))
    ) == timedelta(hours=23)
    assert real_time_between(
        datetime.combine(autumn, time(10)), datetime.combine(FALL_BACK, time(10))
    ) == timedelta(hours=25)


def test_an_appointment_23_real_hours_ahead_is_inside_a_24_hour_window(kyiv):
    """On Saturday 2027-03-27 at 10:00, is Sunday 10:00 (23 real hours ahead) too soon to
    cancel online, and at 09:00 (24 real hours ahead) not?"""
    doctor, patient = kyiv
    sunday = booked_for(doctor, patient, SPRING_FORWARD, "10:00")
    with pytest.raises(Conflict, match="24 hours"):
        cancel(sunday, patient, datetime(2027, 3, 27, 10, 0))
    policy = scheduling.policy_for(patient)
    assert policy.change_refusals(db.session, [sunday], datetime(2027, 3, 27, 10, 0))
    assert not policy.change_refusals(db.session, [sunday], datetime(2027, 3, 27, 9, 0))
    cancel(sunday, patient, datetime(2027, 3, 27, 9, 0))
    assert sunday.status is scheduling.Status.CANCELLED


@pytest.mark.parametrize("clock", ["10:30", "11:00"])
def test_an_appointment_24_real_hours_ahead_is_outside_a_24_hour_window(kyiv, clock):
    """On Saturday 2027-10-30 at 10:30 and 11:00, may Sunday 10:00 (24.5 and 24 real hours
    ahead, the clocks going back between) still be cancelled online?"""
    doctor, patient = kyiv
    sunday = booked_for(doctor, patient, FALL_BACK, "10:00")
    now = datetime.combine(FALL_BACK - timedelta(1), time.fromisoformat(clock))
    assert not scheduling.policy_for(patient).change_refusals(db.session, [sunday], now)
    cancel(sunday, patient, now)
    assert sunday.status is scheduling.Status.CANCELLED


def test_the_window_ends_a_minute_past_24_real_hours(kyiv):
    """On Saturday 2027-10-30 at 11:01, less than 24 real hours before Sunday 10:00, is
    cancelling online refused?"""
    doctor, patient = kyiv
    sunday = booked_for(doctor, patient, FALL_BACK, "10:00")
    with pytest.raises(Conflict, match="24 hours"):
        cancel(sunday, patient, datetime(2027, 10, 30, 11, 1))


def hours(slots) -> list[str]:
    return [f"{slot:%H:%M}" for slot in slots]


def test_the_notice_on_the_short_night_is_two_real_hours(kyiv):
    """At 02:30 on 2027-03-28 (00:30 UTC), are 04:00 and 05:00 (half an hour and an hour and
    a half later in real time) too soon, and 06:00 the first free time offered and booked?"""
    doctor, patient = kyiv
    now = datetime.combine(SPRING_FORWARD, time(2, 30))
    slots = scheduling.free_slots(db.session, doctor.id, SPRING_FORWARD, now=now)
    assert hours(slots)[0] == "06:00"
    for start in ("04:00", "05:00"):
        with pytest.raises(Invalid, match="120 minutes ahead"):
            booking_online(doctor, patient, SPRING_FORWARD, start, now)
    assert booking_online(doctor, patient, SPRING_FORWARD, "06:00", now).starts_at.hour == 6


def test_the_notice_on_the_long_night_is_two_real_hours(kyiv):
    """At 02:30 on 2027-10-31 (23:30 UTC), two real hours on is 03:30 the second time round:
    is 03:00 (its first occurrence, half an hour on) refused, and 04:00 (two and a half real
    hours on) offered and booked?"""
    doctor, patient = kyiv
    now = datetime.combine(FALL_BACK, time(2, 30))
    slots = scheduling.free_slots(db.session, doctor.id, FALL_BACK, now=now)
    assert hours(slots)[0] == "04:00"
    with pytest.raises(Invalid, match="120 minutes ahead"):
        booking_online(doctor, patient, FALL_BACK, "03:00", now)
    assert booking_online(doctor, patient, FALL_BACK, "04:00", now).starts_at.hour == 4


def booking_online(doctor, patient, day: date, start: str, now: datetime):
    return scheduling.book_appointment(
        db.session,
        specialist_id=doctor.id,
        client_id=patient.client.id,
        date=day,
        start_time=start,
        actor=patient,
        now=now,
    )


def test_wall_clock_times_after_a_moment_in_the_repeated_hour_order_as_moments(kyiv):
    """Two real hours after 02:30 on the long night is 03:30 the second time round: is the
    earliest wall-clock time not before it 04:00 (every 03:xx means the first time round)?"""
    earliest = wall_clock_after(datetime.combine(FALL_BACK, time(2, 30)), timedelta(hours=2))
    assert earliest == datetime.combine(FALL_BACK, time(4, 0))


def test_now_in_the_repeated_hour_is_its_second_occurrence(kyiv, clock):
    """At 01:30 UTC on 2027-10-31 (03:30 the second time round in Kyiv), is the 03:45 of that
    night (its first occurrence, long gone) in the past for the desk?"""
    doctor, patient = kyiv
    clock.move_to(datetime(2027, 10, 31, 1, 30, tzinfo=UTC))
    assert (clinic_now().hour, clinic_now().fold) == (3, 1)
    with pytest.raises(Invalid, match="passed"):
        booked_for_now(doctor, patient, FALL_BACK, "03:45")


def booked_for_now(doctor, patient, day: date, start: str):
    return scheduling.book_appointment(
        db.session, specialist_id=doctor.id, client_id=patient.client.id, date=day, start_time=start
    )


def test_an_aware_time_off_is_read_in_the_clinics_zone(kyiv):
    """Is a time off given as aware datetimes (08:00-10:00 UTC) stored as Kyiv wall-clock time
    (11:00-13:00 in summer), not with its offset dropped?"""
    doctor, _ = kyiv
    saved = scheduling.save_time_off(
        db.session,
        starts_at=datetime(2027, 6, 1, 8, 0, tzinfo=UTC),
        ends_at=datetime(2027, 6, 1, 10, 0, tzinfo=UTC),
        specialist_id=doctor.id,
        now=datetime(2027, 1, 1),
    )
    stored = db.session.get_one(TimeOff, saved.time_off.id)
    assert (stored.starts_at, stored.ends_at) == (
        datetime(2027, 6, 1, 11, 0),
        datetime(2027, 6, 1, 13, 0),
    )


def test_a_time_of_day_with_an_offset_is_refused(kyiv):
    """Is a start time carrying an offset (no date to convert it by) refused, not read as
    clinic time?"""
    doctor, patient = kyiv
    with pytest.raises(Invalid, match="without an offset"):
        scheduling.book_appointment(
            db.session,
            specialist_id=doctor.id,
            client_id=patient.client.id,
            date=date(2027, 6, 1),
            start_time=time(10, 0, tzinfo=UTC),
            now=datetime(2027, 1, 1),
        )


def test_an_aware_moment_the_second_time_round_is_refused_not_moved_an_hour(kyiv):
    """Is a time off starting at 03:30+02:00 on 2027-10-31 (the second 03:30 that night, which
    a clinic wall-clock time cannot name) refused, rather than stored as the first 03:30, an
    hour early?"""
    doctor, _ = kyiv
    second = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    with pytest.raises(Invalid, match="second time round"):
        scheduling.save_time_off(
            db.session,
            starts_at=second,
            ends_at=second + timedelta(hours=2),
            specialist_id=doctor.id,
            now=datetime(2027, 1, 1),
        )
