"""Is a unit of work all or nothing, also when units nest, and does the world hear of it only
once it has committed?"""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta

import pytest
from helpers import MONDAY, NOW, count
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from clinic import scheduling, setup
from clinic.extensions import db
from clinic.kernel import mail
from clinic.kernel.database import in_unit, writing
from clinic.kernel.errors import Conflict, Invalid
from clinic.kernel.signals import clinic_changed
from clinic.models import Appointment, Client, Location, Shift, Specialist, TimeOff
from clinic.scheduling import appointments, calendar


def test_a_refused_nested_unit_rolls_back_the_outer_units_work(monday, book):
    """Inside an outer unit, are a location and a specialist added before a refused booking
    both gone afterwards?"""
    book(monday.doctor, monday.patient, "10:00")
    before = (count(Location), count(Specialist))
    with pytest.raises(Conflict), writing(db.session):
        db.session.add(Location(name="Annex"))
        db.session.add(Specialist(first_name="New", last_name="Colleague"))
        db.session.flush()
        book(monday.doctor, monday.patient, "10:00")
    db.session.rollback()
    assert (count(Location), count(Specialist)) == before


def test_a_nested_refusal_dooms_the_unit_even_when_caught(monday, book):
    """If the outer code catches a nested refusal and goes on, is the unit still not saved?"""
    book(monday.doctor, monday.patient, "10:00")
    with pytest.raises(Conflict), writing(db.session):
        db.session.add(Location(name="Annex"))
        with contextlib.suppress(Conflict):
            book(monday.doctor, monday.patient, "10:00")
    assert db.session.scalar(select(Location).where(Location.name == "Annex")) is None
    assert not in_unit(db.session)


def test_a_specialist_with_new_shifts_and_a_time_off_is_all_or_nothing(monday):
    """Does one unit that saves a new specialist with new shifts and a time off save all of
    it, and save none of it when the time off is refused?"""

    def save(time_off_end: str) -> None:
        with writing(db.session):
            specialist = setup.save_specialist(
                db.session,
                None,
                {
                    "first_name": "Olena",
                    "last_name": "Shevchenko",
                    "shifts": [("Tuesday", "07:00", "08:00")],
                },
                now=NOW,
            )
            scheduling.save_time_off(
                db.session,
                specialist_id=specialist.id,
                starts_at="2027-01-05T07:00",
                ends_at=time_off_end,
                reason="Course",
                now=NOW,
            )

    shifts, specialists = count(Shift), count(Specialist)
    with pytest.raises(Invalid):
        save("2027-01-05T06:00")
    assert (count(Shift), count(Specialist), count(TimeOff)) == (shifts, specialists, 0)
    save("2027-01-05T08:00")
    assert (count(Shift), count(Specialist), count(TimeOff)) == (shifts + 1, specialists + 1, 1)


def test_a_nested_booking_is_emailed_only_when_the_unit_commits(app, monday, book):
    """Is a booking made inside a unit that is then refused never emailed, and one inside a
    unit that commits emailed once, after the commit?"""
    monday.patient.email = "patient@example.com"
    db.session.commit()
    with pytest.raises(Invalid), writing(db.session):
        book(monday.doctor, monday.patient, "10:00")
        book(monday.doctor, monday.patient, "25:00")
    assert mail.outbox() == []
    assert count(Appointment) == 0
    with writing(db.session):
        book(monday.doctor, monday.patient, "10:00")
        assert mail.outbox() == []
    assert [message["Subject"] for message in mail.outbox()] == ["Your appointment is booked"]


def test_clinic_changed_names_everything_the_unit_did(monday, book):
    """Does one signal after the commit carry each audited change of the unit, in order?"""
    heard = []

    def listen(_sender, changes):
        heard.append([(change.entity, change.action) for change in changes])

    clinic_changed.connect(listen)
    try:
        with writing(db.session):
            appointment = book(monday.doctor, monday.patient, "10:00")
            scheduling.cancel_appointment(db.session, appointment.id, now=NOW)
    finally:
        clinic_changed.disconnect(listen)
    assert heard == [[("appointments", "create"), ("appointments", "cancel")]]


def test_a_deadlock_inside_a_larger_unit_is_not_retried_there(monday, book, monkeypatch):
    """Is a booking aborted by a deadlock inside an outer unit left to the outer unit (no
    retry inside an aborted transaction), while a booking of its own is retried?"""

    class Deadlock(Exception):
        sqlstate = "40P01"

    calls = []

    def place(*args, **kwargs):
        calls.append(1)
        raise OperationalError("INSERT ...", {}, Deadlock("deadlock detected"))

    monkeypatch.setattr(appointments, "check_booking", place)
    with pytest.raises(OperationalError), writing(db.session):
        book(monday.doctor, monday.patient, "10:00")
    assert len(calls) == 1
    with pytest.raises(Conflict, match="try again"):
        book(monday.doctor, monday.patient, "10:00")
    assert len(calls) == 1 + 3


def test_the_outer_unit_ends_a_read_and_takes_the_write_lock(app, monday):
    """After a view has read (a read transaction is open), does a unit still begin with the
    write lock rather than inside the read?"""
    db.session.scalar(select(Client).limit(1))
    assert db.session().in_transaction()
    with writing(db.session):
        connection = db.session.connection()
        assert connection.get_execution_options().get("clinic_write_lock") is True


def test_a_move_and_a_booking_in_one_unit_both_stand(monday, book):
    """Can a unit move one appointment and book into the time it freed, all at once?"""
    first = book(monday.doctor, monday.patient, "10:00")
    with writing(db.session):
        scheduling.reschedule_appointment(
            db.session, first.id, date=MONDAY, start_time="11:00", now=NOW
        )
        second = book(monday.doctor, monday.patient, "10:00")
    assert (first.starts_at, second.starts_at) == (
        datetime.combine(MONDAY, time(11)),
        datetime.combine(MONDAY, time(10)),
    )
    assert second.ends_at - second.starts_at == timedelta(minutes=30)


def test_a_caught_database_refusal_inside_a_unit_ends_it_as_a_conflict(
    monday, book, make, monkeypatch
):
    """When the database refuses a nested booking (another process won) and the outer code
    catches it, does the unit end with that Conflict, not the database's raw error?"""
    book(monday.doctor, monday.patient, "10:00")
    monkeypatch.setattr(calendar.Calendar, "taken", lambda *args: None)
    newcomer = make(Client)
    with (
        pytest.raises(Conflict, match="a moment ago"),
        writing(db.session),
        contextlib.suppress(Conflict),
    ):
        book(monday.doctor, newcomer, "10:00")
    assert count(Appointment) == 1


def test_changes_made_outside_any_unit_are_refused_not_saved(monday):
    """Is an unsaved edit lying in the session refused by the next unit, rather than saved
    with it unaudited?"""
    doctor_id, patient_id = monday.doctor.id, monday.patient.id
    monday.doctor.first_name = "Stray"
    with pytest.raises(RuntimeError, match="outside a unit of work"):
        scheduling.book_appointment(
            db.session,
            specialist_id=doctor_id,
            client_id=patient_id,
            date=MONDAY,
            start_time="10:00",
            now=NOW,
        )
    db.session.expire_all()
    assert monday.doctor.first_name == "Iryna"
    assert count(Appointment) == 0


def test_a_commit_inside_a_unit_is_refused(monday):
    """Would code inside a unit that commits (saving half of it) be stopped?"""
    with pytest.raises(RuntimeError, match="only the outermost unit commits"), writing(db.session):
        db.session.add(Location(name="Annex"))
        db.session.commit()
    assert db.session.scalar(select(Location).where(Location.name == "Annex")) is None


def test_a_failing_receiver_neither_fails_the_change_nor_silences_the_others(monday, book, caplog):
    """If one receiver of clinic_changed fails, does the committed booking still come back,
    the failure logged, and the other receivers still told?"""
    heard = []

    def broken(_sender, changes):
        raise OSError("mail server down")

    def listening(_sender, changes):
        heard.append(len(changes))

    clinic_changed.connect(broken)
    clinic_changed.connect(listening)
    try:
        appointment = book(monday.doctor, monday.patient, "10:00")
    finally:
        clinic_changed.disconnect(broken)
        clinic_changed.disconnect(listening)
    assert appointment.id is not None and heard == [1]
    assert "receiver of clinic_changed failed" in caplog.text
