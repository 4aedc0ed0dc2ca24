"""May this be booked or moved? Every rule of booking and rescheduling, and bad input."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from helpers import MONDAY, NOW, account_of
from sqlalchemy import func, select

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel.errors import Conflict, Invalid, NotFound
from clinic.models import (
    Appointment,
    AuditEntry,
    Client,
    ClinicSettings,
    Location,
    Shift,
    Specialist,
    TimeOff,
    User,
)
from clinic.scheduling import calendar


def at(clock: str, day=MONDAY) -> datetime:
    """MONDAY (or `day`) at HH:MM."""
    return datetime.combine(day, time.fromisoformat(clock))


def written() -> tuple[int, int]:
    """How many appointments and audit entries there are."""
    return (
        db.session.scalar(select(func.count()).select_from(Appointment)),
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def test_a_booking_takes_the_slot_length_and_the_default_location(monday, book, make):
    """Does a booking without end or location last one slot in the default room, audited?"""
    manager = make(User, role="manager")
    appointment = book(
        monday.doctor,
        monday.patient,
        "10:00",
        type=" Consultation ",
        notes="First visit",
        actor=manager,
    )
    assert (appointment.starts_at, appointment.ends_at) == (at("10:00"), at("10:30"))
    assert appointment.location == monday.room
    assert appointment.status is scheduling.Status.BOOKED
    assert appointment.type == "Consultation"
    assert appointment.created_by == manager
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "appointments"))
    assert (entry.action, entry.actor_id, entry.entity_id) == ("create", manager.id, appointment.id)
    assert entry.before is None and entry.after["starts_at"] == "2027-01-04T10:00:00"


def test_a_booking_may_be_longer_than_a_slot_and_off_the_grid(monday, book):
    """May the desk book 09:15-10:45 when the specialist works then?"""
    appointment = book(monday.doctor, monday.patient, "09:15", "10:45")
    assert (appointment.starts_at, appointment.ends_at) == (at("09:15"), at("10:45"))


def test_a_booking_may_end_exactly_when_the_shift_does(monday, book):
    """Is 11:30-12:00 accepted for a shift ending 12:00, and 11:45-12:15 refused?"""
    book(monday.doctor, monday.patient, "11:30")
    with pytest.raises(Invalid, match="does not work then"):
        book(monday.doctor, monday.patient, "11:45", "12:15")


@pytest.mark.parametrize(
    ("start", "end"), [("08:30", "09:00"), ("12:00", None), ("08:45", "09:15")]
)
def test_a_booking_outside_the_shift_is_refused(monday, book, start, end):
    """Is a time outside the specialist's working hours refused on start_time?"""
    with pytest.raises(Invalid) as refused:
        book(monday.doctor, monday.patient, start, end)
    assert "does not work then" in refused.value.errors["start_time"]
    assert written() == (0, 0)


def test_a_booking_in_the_past_is_refused(monday, book):
    """At 10:10, is 10:00 today refused, and 10:30 accepted?"""
    with pytest.raises(Invalid, match="has passed"):
        book(monday.doctor, monday.patient, "10:00", now=at("10:10"))
    book(monday.doctor, monday.patient, "10:30", now=at("10:10"))


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        ("specialist", "Iryna Bondarenko is away then (Training)"),
        ("location", "Room 1 is away then (Training)"),
        ("clinic", "The clinic is closed then (Training)"),
    ],
)
def test_a_booking_in_time_off_is_refused(monday, book, scope, message):
    """Is a booking during time off of the specialist, the location or the clinic refused?"""
    owner = {
        "specialist": {"specialist": monday.doctor},
        "location": {"location": monday.room},
        "clinic": {},
    }[scope]
    db.session.add(TimeOff(starts_at=at("10:00"), ends_at=at("11:00"), reason="Training", **owner))
    db.session.commit()
    with pytest.raises(Invalid, match=message.replace("(", r"\(").replace(")", r"\)")):
        book(monday.doctor, monday.patient, "10:30")


@pytest.mark.parametrize("scope", ["specialist", "clinic"])
def test_a_client_booking_in_time_off_never_reads_the_staffs_reason(monday, book, make, scope):
    """Is a client (booking online) told the specialist is away or the clinic closed, without
    the reason staff wrote?"""
    owner = {"specialist": monday.doctor} if scope == "specialist" else {}
    db.session.add(TimeOff(starts_at=at("10:00"), ends_at=at("11:00"), reason="Surgery", **owner))
    db.session.commit()
    user = make(User, role="client")
    patient = make(Client, user=user, email=user.email)
    with pytest.raises(Invalid) as refusal:
        book(monday.doctor, patient, "10:30", actor=user)
    assert refusal.value.message in (
        "Iryna Bondarenko is away then.",
        "The clinic is closed then.",
    )


def test_a_second_booking_of_the_specialist_is_a_conflict_naming_the_first(monday, book, make):
    """Does a double booking name the appointment it collides with and offer the nearest slots?"""
    first = book(monday.doctor, monday.patient, "10:00")
    with pytest.raises(Conflict) as conflict:
        book(monday.doctor, make(Client), "10:15", "10:45")
    assert conflict.value.appointment == first
    assert "10:00-10:30" in conflict.value.message
    assert conflict.value.suggestions == [at("09:30"), at("10:30"), at("11:00")]
    assert written() == (1, 1)


def test_a_client_cannot_be_in_two_places_at_once(monday, book, make):
    """Is a client's overlapping booking with another specialist in another room a conflict?"""
    first = book(monday.doctor, monday.patient, "10:00")
    dentist = make(
        Specialist,
        default_location=make(Location, shifts=[make(Shift, weekday=0)]),
        shifts=[make(Shift, weekday=0)],
    )
    with pytest.raises(Conflict, match="another appointment then") as conflict:
        book(dentist, monday.patient, "10:00")
    assert conflict.value.appointment == first


def test_a_busy_location_is_a_conflict(monday, book, make):
    """Is a booking into a room another specialist holds a conflict naming that appointment?"""
    nurse = make(Specialist, default_location=monday.room, shifts=[make(Shift, weekday=0)])
    held = book(nurse, make(Client), "10:00")
    with pytest.raises(Conflict, match="Room 1 has another appointment") as conflict:
        book(monday.doctor, monday.patient, "10:00")
    assert conflict.value.appointment == held


def test_a_given_location_must_be_open(monday, book, make):
    """Is a room that is not open then refused on the location field?"""
    evening = make(
        Location,
        name="Evening room",
        shifts=[make(Shift, weekday=0, start_time=time(17), end_time=time(20))],
    )
    with pytest.raises(Invalid) as refused:
        book(monday.doctor, monday.patient, "10:00", location_id=evening.id)
    assert refused.value.errors == {"location_id": "Evening room is not open then."}


def test_a_given_location_is_used(monday, book, make):
    """Does a booking take the room it names rather than the default?"""
    other = make(Location, shifts=[make(Shift, weekday=0)])
    assert book(monday.doctor, monday.patient, "10:00", location_id=other.id).location == other


def test_without_a_default_the_first_free_location_by_id_is_taken(monday, book, make):
    """Without a default room, is the first free room by id chosen, and none free a conflict?"""
    monday.doctor.default_location = None
    second = make(Location, shifts=[make(Shift, weekday=0)])
    db.session.commit()
    assert book(monday.doctor, monday.patient, "09:00").location == monday.room
    nurse = make(Specialist, shifts=[make(Shift, weekday=0)])
    book(nurse, make(Client), "10:00", location_id=monday.room.id)
    assert book(monday.doctor, monday.patient, "10:00").location == second
    book(nurse, make(Client), "11:00", location_id=monday.room.id)
    book(
        make(Specialist, shifts=[make(Shift, weekday=0)]),
        make(Client),
        "11:00",
        location_id=second.id,
    )
    with pytest.raises(Conflict, match="No room is free then"):
        book(monday.doctor, monday.patient, "11:00")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"day": "2027-02-30"}, "date"),
        ({"day": "04/01/2027"}, "date"),
        ({"day": ""}, "date"),
        ({"start": "25:99"}, "start_time"),
        ({"start": "9am"}, "start_time"),
        ({"start": "10:00:30"}, "start_time"),
        ({"end": "24:00"}, "end_time"),
        ({"end": "09:30"}, "end_time"),
        ({"end": "10:00"}, "end_time"),
        ({"type": "x" * 101}, "type"),
        ({"notes": "x" * 10_000}, "notes"),
        ({"notes": 42}, "notes"),
        ({"location_id": 404}, "location_id"),
        ({"location_id": "Room 1"}, "location_id"),
        ({"specialist_id": 404}, "specialist_id"),
        ({"specialist_id": True}, "specialist_id"),
        ({"client_id": 404}, "client_id"),
        ({"client_id": -1}, "client_id"),
    ],
)
def test_bad_input_is_invalid_and_writes_nothing(monday, fields, field):
    """Is each kind of nonsense refused on its field, with nothing written?"""
    request = {
        "specialist_id": monday.doctor.id,
        "client_id": monday.patient.id,
        "date": fields.pop("day", MONDAY),
        "start_time": fields.pop("start", "10:00"),
        "end_time": fields.pop("end", None),
        **fields,
    }
    with pytest.raises(Invalid) as refused:
        scheduling.book_appointment(db.session, now=NOW, **request)
    assert field in refused.value.errors
    assert written() == (0, 0)


@pytest.mark.parametrize("what", ["specialist", "location"])
def test_inactive_specialists_and_locations_cannot_be_booked(monday, book, what):
    """Is a booking with a specialist or room that is no longer active refused?"""
    getattr(monday, {"specialist": "doctor", "location": "room"}[what]).active = False
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        book(monday.doctor, monday.patient, "10:00", location_id=monday.room.id)
    assert "is not active" in refused.value.errors[f"{what}_id"]


def test_a_client_booking_follows_the_online_rules(monday, book, make):
    """Online: is it refused when switched off, at short notice, too far ahead, off the grid?"""
    online = make(User, role="client")
    monday.patient.user = online
    db.session.commit()
    settings = ClinicSettings.get()
    settings.min_notice_minutes, settings.max_days_ahead = 120, 10
    db.session.commit()
    cases = [
        ({"start": "09:10"}, "Choose one of the free times"),
        ({"start": "09:00", "end": "10:00"}, "Choose one of the free times"),
        ({"start": "10:00", "now": at("08:30")}, "at least 120 minutes ahead"),
        ({"start": "10:00", "day": MONDAY + timedelta(days=14)}, "at most 10 days ahead"),
    ]
    for fields, message in cases:
        with pytest.raises(Invalid, match=message):
            book(
                monday.doctor,
                monday.patient,
                fields.pop("start"),
                fields.pop("end", None),
                actor=online,
                **fields,
            )
    settings.self_booking = False
    db.session.commit()
    with pytest.raises(Invalid, match="switched off"):
        book(monday.doctor, monday.patient, "10:00", actor=online)
    settings.self_booking = True
    db.session.commit()
    assert book(monday.doctor, monday.patient, "10:00", actor=online).starts_at == at("10:00")


def test_the_database_refusal_ends_as_a_conflict(monday, book, make, monkeypatch):
    """If the check misses an overlap (another process), is the database's refusal a Conflict?"""
    first = book(monday.doctor, monday.patient, "10:00")
    monkeypatch.setattr(calendar.Calendar, "taken", lambda *args: None)
    with pytest.raises(Conflict, match="a moment ago") as conflict:
        book(monday.doctor, make(Client), "10:00")
    assert conflict.value.appointment == first
    assert written() == (1, 1)


# --- rescheduling ----------------------------------------------------------------------------


def test_a_move_keeps_the_length_and_counts_the_change(monday, book, make):
    """Does a move keep the length, grow the .ics sequence, reset the reminder and audit?"""
    appointment = book(monday.doctor, monday.patient, "09:00", "10:00")
    appointment.reminder_sent_at = datetime(2027, 1, 3, 9, 0).astimezone()
    db.session.commit()
    manager = make(User, role="manager")
    moved = scheduling.reschedule_appointment(
        db.session, appointment.id, date=MONDAY, start_time="11:00", actor=manager, now=NOW
    )
    assert (moved.starts_at, moved.ends_at) == (at("11:00"), at("12:00"))
    assert moved.ics_sequence == 1 and moved.reminder_sent_at is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reschedule"))
    assert entry.before["starts_at"] == "2027-01-04T09:00:00"
    assert entry.after["starts_at"] == "2027-01-04T11:00:00"
    assert entry.actor_id == manager.id


def test_a_move_may_overlap_its_own_old_time(monday, book):
    """May an appointment move by a quarter hour onto part of its own time?"""
    appointment = book(monday.doctor, monday.patient, "10:00", "11:00")
    moved = scheduling.reschedule_appointment(
        db.session, appointment.id, date=MONDAY, start_time="10:15", now=NOW
    )
    assert moved.starts_at == at("10:15")


def test_a_failed_move_leaves_the_appointment_as_it_was(monday, book, make):
    """Does a move into another appointment fail as a conflict, leaving everything unchanged?"""
    appointment = book(monday.doctor, monday.patient, "09:00")
    book(monday.doctor, make(Client), "10:00")
    before = written()
    with pytest.raises(Conflict):
        scheduling.reschedule_appointment(
            db.session, appointment.id, date=MONDAY, start_time="10:00", now=NOW
        )
    db.session.expire_all()
    assert (appointment.starts_at, appointment.ics_sequence) == (at("09:00"), 0)
    assert written() == before


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"start_time": "09:00", "now": at("09:30")}, Invalid),
        ({"start_time": "13:00"}, Invalid),
        ({"start_time": "10:00", "date": "2027-13-01"}, Invalid),
        ({"start_time": "10:00", "specialist_id": 404}, Invalid),
    ],
)
def test_bad_moves_are_refused(monday, book, fields, error):
    """Are moves into the past, outside the shift, to no date or no specialist refused?"""
    appointment = book(monday.doctor, monday.patient, "10:30")
    fields = {"date": MONDAY, "now": NOW, **fields}
    with pytest.raises(error):
        scheduling.reschedule_appointment(db.session, appointment.id, **fields)
    db.session.expire_all()
    assert appointment.starts_at == at("10:30")


def test_a_move_to_another_specialist_takes_their_default_room(monday, book, make):
    """Does moving to another specialist take that specialist's default location?"""
    dentist_room = make(Location, shifts=[make(Shift, weekday=0)])
    dentist = make(Specialist, default_location=dentist_room, shifts=[make(Shift, weekday=0)])
    appointment = book(monday.doctor, monday.patient, "10:00")
    moved = scheduling.reschedule_appointment(
        db.session,
        appointment.id,
        date=MONDAY,
        start_time="14:00",
        specialist_id=dentist.id,
        now=NOW,
    )
    assert (moved.specialist, moved.location) == (dentist, dentist_room)


def test_only_booked_appointments_move(monday, book):
    """Is moving a cancelled appointment refused?"""
    appointment = book(monday.doctor, monday.patient, "10:00")
    scheduling.cancel_appointment(db.session, appointment.id, now=NOW)
    with pytest.raises(Conflict, match="Only booked appointments can be moved"):
        scheduling.reschedule_appointment(
            db.session, appointment.id, date=MONDAY, start_time="11:00", now=NOW
        )


def test_moving_an_unknown_appointment_is_not_found(app):
    """Is moving an appointment that does not exist NotFound?"""
    with pytest.raises(NotFound):
        scheduling.reschedule_appointment(db.session, 404, date=MONDAY, start_time="10:00", now=NOW)


def test_online_moves_stop_at_the_cancellation_window(monday, book, make):
    """Online, is a move refused within the cancellation window before the appointment?"""
    appointment = book(monday.doctor, monday.patient, "10:00")
    with pytest.raises(Conflict, match="until 24 hours before"):
        scheduling.reschedule_appointment(
            db.session,
            appointment.id,
            date=MONDAY,
            start_time="11:00",
            actor=account_of(monday.patient, make),
            now=at("08:00"),
        )


def test_the_database_refusal_names_the_room_taken(monday, book, make, monkeypatch):
    """When the database refuses a room another process took, does the Conflict name it?"""
    monday.doctor.default_location = None
    db.session.commit()
    nurse = make(Specialist, shifts=[make(Shift, weekday=0)])
    held = book(nurse, make(Client), "10:00", location_id=monday.room.id)
    monkeypatch.setattr(calendar.Calendar, "taken", lambda *args: None)
    with pytest.raises(Conflict, match="a moment ago") as conflict:
        book(monday.doctor, monday.patient, "10:00")
    assert conflict.value.appointment == held
