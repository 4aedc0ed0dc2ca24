"""Do slots and bookings stay right on the days the clocks change (Europe/Kyiv)?

In Kyiv the clocks go forward at 03:00 on 2027-03-28 (03:00-03:59 never happens) and back at
04:00 on 2027-10-31 (03:00-03:59 happens twice).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel.clock import to_aware
from clinic.kernel.errors import Invalid
from clinic.models import Client, Location, Shift, Specialist

SPRING_FORWARD = date(2027, 3, 28)
FALL_BACK = date(2027, 10, 31)
BEFORE = datetime(2027, 3, 1, 0, 0)


@pytest.fixture
def night_doctor(app, make):
    """Kyiv time; a doctor and room working 01:00-05:00 every day in hourly slots; a patient."""
    app.config["CLINIC_TIMEZONE"] = "Europe/Kyiv"
    nights = [make(Shift, weekday=day, start_time=time(1), end_time=time(5)) for day in range(7)]
    room = make(Location, shifts=nights)
    doctor = make(Specialist, slot_minutes=60, default_location=room, shifts=nights)
    return doctor, make(Client)


def hours(slots) -> list[str]:
    return [f"{slot:%H:%M}" for slot in slots]


def test_the_spring_forward_day_never_offers_a_missing_time(night_doctor):
    """On 2027-03-28, is 03:00 (which never happens) left out, the rest offered?"""
    doctor, _ = night_doctor
    slots = scheduling.free_slots(db.session, doctor.id, SPRING_FORWARD, now=BEFORE)
    assert hours(slots) == ["01:00", "02:00", "04:00"]


def test_a_slot_crossing_the_missing_hour_is_not_offered(night_doctor):
    """With 90-minute slots, is 02:30-04:00 (really half an hour long) left out?"""
    doctor, _ = night_doctor
    doctor.slot_minutes = 90
    db.session.commit()
    slots = scheduling.free_slots(db.session, doctor.id, SPRING_FORWARD, now=BEFORE)
    assert hours(slots) == ["01:00"]
    normal = scheduling.free_slots(db.session, doctor.id, SPRING_FORWARD - timedelta(1), now=BEFORE)
    assert hours(normal) == ["01:00", "02:30"]


def test_booking_a_missing_time_is_invalid(night_doctor, book):
    """Is booking 03:30 on the spring-forward day refused as a time that does not exist?"""
    doctor, patient = night_doctor
    with pytest.raises(Invalid, match="does not exist"):
        book(doctor, patient, "03:30", "04:30", day=SPRING_FORWARD, now=BEFORE)
    with pytest.raises(Invalid, match="clocks go forward"):
        book(doctor, patient, "02:30", "03:30", day=SPRING_FORWARD, now=BEFORE)


def test_the_fall_back_day_offers_the_repeated_hour_once_and_books_its_first_occurrence(
    night_doctor, book
):
    """On 2027-10-31, is 03:00 offered once, and booked as its first occurrence (+03:00)?"""
    doctor, patient = night_doctor
    slots = scheduling.free_slots(
        db.session, doctor.id, FALL_BACK, now=BEFORE, policy=scheduling.SYSTEM
    )
    assert hours(slots) == ["01:00", "02:00", "03:00", "04:00"]
    appointment = book(doctor, patient, "03:00", day=FALL_BACK, now=BEFORE)
    start = to_aware(appointment.starts_at)
    assert start.utcoffset() == timedelta(hours=3)
    assert start.astimezone(UTC) == datetime(2027, 10, 31, 0, 0, tzinfo=UTC)


def test_a_week_spanning_the_change_lists_the_right_slots(night_doctor, book):
    """Over the week around 2027-03-28, is only the change day short of its 03:00?"""
    doctor, patient = night_doctor
    book(doctor, patient, "01:00", day=SPRING_FORWARD + timedelta(1), now=BEFORE)
    week = scheduling.free_slots_range(
        db.session,
        doctor.id,
        SPRING_FORWARD - timedelta(3),
        SPRING_FORWARD + timedelta(3),
        now=BEFORE,
    )
    assert {day: hours(slots) for day, slots in week.items()} == {
        SPRING_FORWARD - timedelta(3): ["01:00", "02:00", "03:00", "04:00"],
        SPRING_FORWARD - timedelta(2): ["01:00", "02:00", "03:00", "04:00"],
        SPRING_FORWARD - timedelta(1): ["01:00", "02:00", "03:00", "04:00"],
        SPRING_FORWARD: ["01:00", "02:00", "04:00"],
        SPRING_FORWARD + timedelta(1): ["02:00", "03:00", "04:00"],
        SPRING_FORWARD + timedelta(2): ["01:00", "02:00", "03:00", "04:00"],
        SPRING_FORWARD + timedelta(3): ["01:00", "02:00", "03:00", "04:00"],
    }


def test_now_is_the_clinic_wall_clock(app):
    """Is "now" taken in the clinic's zone, not the server's?"""
    from clinic.kernel.clock import clinic_now

    app.config["CLINIC_TIMEZONE"] = "Pacific/Kiritimati"
    kiritimati = clinic_now()
    app.config["CLINIC_TIMEZONE"] = "Pacific/Pago_Pago"
    pago_pago = clinic_now()
    assert timedelta(hours=24, minutes=59) < kiritimati - pago_pago < timedelta(hours=25, minutes=1)
