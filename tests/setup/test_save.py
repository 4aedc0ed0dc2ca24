"""Saving the clinic's things: one unit each, refusals on their fields, nothing half-saved."""

from __future__ import annotations

import pytest
from helpers import NOW, count
from sqlalchemy import select

from clinic import scheduling, setup
from clinic.extensions import db
from clinic.kernel.errors import Conflict, Invalid
from clinic.models import (
    AuditEntry,
    ClinicSettings,
    Location,
    Role,
    Shift,
    Specialist,
    TimeOff,
    User,
)
from clinic.setup import Removal


def test_a_new_specialist_is_saved_with_shifts_and_default_room(monday):
    """Is a new specialist saved with their fields, default room and new shifts, audited?"""
    specialist = setup.save_specialist(
        db.session,
        None,
        {
            "first_name": " Olena ",
            "last_name": "Shevchenko",
            "specialty": "Cardiology",
            "slot_minutes": 20,
            "default_location_id": monday.room.id,
            "shifts": [("Tuesday", "09:00", "13:00")],
        },
        now=NOW,
    )
    assert (specialist.first_name, specialist.slot_minutes) == ("Olena", 20)
    assert specialist.default_location == monday.room
    assert [(s.weekday, s.start_time.hour) for s in specialist.shifts] == [(1, 9)]
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "specialists")
    ).all()
    assert actions == ["create", "shifts"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"last_name": "x" * 151}, "last_name"),
        ({"slot_minutes": 3}, "slot_minutes"),
        ({"default_location_id": 404}, "default_location_id"),
        ({"shifts": [("Tuesday", "13:00", "09:00")]}, "to_hour"),
        ({"shifts": [404]}, "shifts.0"),
    ],
)
def test_a_bad_specialist_saves_nothing(monday, fields, field):
    """Is a specialist with a bad field refused on it, with no specialist or shift saved?"""
    before = (count(Specialist), count(Shift), count(AuditEntry))
    with pytest.raises(Invalid) as refused:
        setup.save_specialist(
            db.session, None, {"first_name": "Olena", "last_name": "Shevchenko", **fields}
        )
    assert field in refused.value.errors
    assert (count(Specialist), count(Shift), count(AuditEntry)) == before


def test_switching_off_a_specialist_with_upcoming_appointments_is_refused(monday, book):
    """Is deactivating a specialist who still has appointments to come refused, listing them,
    and allowed once they are over?"""
    appointment = book(monday.doctor, monday.patient, "10:00")
    with pytest.raises(Conflict, match="1 upcoming appointment") as refused:
        setup.save_specialist(db.session, monday.doctor, {"active": False}, now=NOW)
    assert refused.value.appointments == [appointment]
    with pytest.raises(Conflict):
        setup.remove_specialist(db.session, monday.doctor.id, now=NOW)
    setup.save_specialist(db.session, monday.doctor, {"active": False}, now=appointment.ends_at)
    assert monday.doctor.active is False


def test_switching_off_a_location_with_upcoming_appointments_is_refused(monday, book):
    """Is deactivating or removing a room with appointments to come refused, listing them?"""
    appointment = book(monday.doctor, monday.patient, "10:00")
    with pytest.raises(Conflict) as refused:
        setup.save_location(db.session, monday.room, {"active": False}, now=NOW)
    assert refused.value.appointments == [appointment]
    with pytest.raises(Conflict):
        setup.remove_location(db.session, monday.room.id, now=NOW)
    assert db.session.get(Location, monday.room.id).active


def test_location_names_are_unique_whatever_the_case(monday):
    """Is a second location called "room 1" refused?"""
    with pytest.raises(Invalid, match="already a location"):
        setup.save_location(db.session, None, {"name": "room 1"})


def test_settings_change_as_given_and_refuse_nonsense(app, make):
    """Do the clinic's settings change field by field, refusing values out of range?"""
    admin = make(User, role=Role.ADMIN)
    settings = setup.save_settings(
        db.session, {"name": "Sunrise Clinic", "max_days_ahead": 30}, actor=admin
    )
    assert (settings.name, settings.max_days_ahead, settings.min_notice_minutes) == (
        "Sunrise Clinic",
        30,
        60,
    )
    with pytest.raises(Invalid) as refused:
        setup.save_settings(db.session, {"max_days_ahead": 0, "name": "Other"})
    assert "max_days_ahead" in refused.value.errors
    db.session.expire_all()
    assert ClinicSettings.get().name == "Sunrise Clinic"


def test_a_staff_account_needs_its_password_twice_and_a_free_username(app, make):
    """Is a manager made only with matching passwords and a username nobody has?"""
    with pytest.raises(Invalid) as refused:
        setup.create_user(
            db.session,
            username="desk",
            role=Role.MANAGER,
            password="long enough",
            repeat_password="different",
        )
    assert "repeat_password" in refused.value.errors
    setup.create_user(
        db.session,
        username="desk",
        role=Role.MANAGER,
        password="long enough",
        repeat_password="long enough",
    )
    with pytest.raises(Invalid, match="taken"):
        setup.create_user(db.session, username="desk", role=Role.ADMIN, password="long enough")


def test_a_specialist_with_time_off_is_kept_inactive_not_deleted(monday):
    """Is a specialist whose time off is on record deactivated rather than deleted (which
    would erase the time off unaudited)?"""
    scheduling.save_time_off(
        db.session,
        specialist_id=monday.doctor.id,
        starts_at="2027-01-04T09:00",
        ends_at="2027-01-04T12:00",
        now=NOW,
    )
    assert setup.remove_specialist(db.session, monday.doctor.id, now=NOW) is Removal.DEACTIVATED
    assert count(TimeOff) == 1


def test_renaming_a_location_to_a_taken_name_is_invalid(monday, make):
    """Is renaming a room to another room's exact name refused on the name, not a 500?"""
    spare = make(Location, name="Room 2")
    with pytest.raises(Invalid, match="already a location"):
        setup.save_location(db.session, spare, {"name": "Room 1"})
