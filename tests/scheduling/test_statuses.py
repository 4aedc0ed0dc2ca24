"""Which status may follow which, and how cancelling works."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from helpers import MONDAY, NOW, during
from sqlalchemy import select

from clinic import audit, scheduling
from clinic.extensions import db
from clinic.kernel.errors import Conflict, Invalid, NotAllowed
from clinic.models import AppointmentStatus as Status
from clinic.models import AuditEntry, User

ALLOWED = {
    (Status.BOOKED, Status.ARRIVED),
    (Status.BOOKED, Status.NO_SHOW),
    (Status.BOOKED, Status.CANCELLED),
    (Status.ARRIVED, Status.COMPLETED),
    (Status.ARRIVED, Status.CANCELLED),
    (Status.ARRIVED, Status.BOOKED),
    (Status.COMPLETED, Status.BOOKED),
    (Status.NO_SHOW, Status.BOOKED),
}
UNDO = {(old, new) for old, new in ALLOWED if new is Status.BOOKED}
PAIRS = [(old, new) for old in Status for new in Status if old is not new]


@pytest.fixture
def appointment_in(monday, book):
    """An appointment put straight into a status (as if earlier changes had happened)."""

    def make(status: Status):
        appointment = book(monday.doctor, monday.patient, "10:00")
        appointment.status = status
        db.session.commit()
        return appointment

    return make


def test_the_table_is_the_one_in_the_design():
    """Does the status table allow exactly booked→arrived→completed, booked→no_show,
    booked|arrived→cancelled, and arrived|completed|no_show→booked (an undo)?"""
    table = {(old, new) for old, targets in scheduling.TRANSITIONS.items() for new in targets}
    assert table == ALLOWED


@pytest.mark.parametrize(("old", "new"), sorted(ALLOWED))
def test_every_allowed_transition_happens_and_is_audited(appointment_in, old, new):
    """Is each allowed status change made and written to the audit log?"""
    appointment = appointment_in(old)
    changed = scheduling.change_status(
        db.session, appointment.id, new.value, now=during(appointment)
    )
    assert changed.status is new
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.before["status"], entry.after["status"]) == (old.value, new.value)


@pytest.mark.parametrize(("old", "new"), sorted(set(PAIRS) - ALLOWED))
def test_every_other_transition_is_refused(appointment_in, old, new):
    """Is each change the table does not allow refused with a clear message, unchanged?"""
    appointment = appointment_in(old)
    with pytest.raises(Conflict, match="cannot become"):
        scheduling.change_status(db.session, appointment.id, new, now=during(appointment))
    db.session.expire_all()
    assert appointment.status is old


@pytest.mark.parametrize("status", list(Status))
def test_the_same_status_is_no_change(appointment_in, status):
    """Is setting the status an appointment already has accepted and left alone?"""
    appointment = appointment_in(status)
    assert scheduling.change_status(db.session, appointment.id, status).status is status


def test_an_unknown_status_is_invalid(appointment_in):
    """Is a status that does not exist refused on the status field?"""
    appointment = appointment_in(Status.BOOKED)
    with pytest.raises(Invalid) as refused:
        scheduling.change_status(db.session, appointment.id, "teleported")
    assert "status" in refused.value.errors


def test_an_appointment_is_completed_the_next_morning(appointment_in):
    """May an appointment checked in on its day be completed the next morning (clinics close
    their records then)?"""
    appointment = appointment_in(Status.BOOKED)
    scheduling.change_status(db.session, appointment.id, "arrived", now=during(appointment))
    next_morning = datetime.combine(MONDAY + timedelta(days=1), time(8))
    completed = scheduling.change_status(db.session, appointment.id, "completed", now=next_morning)
    assert completed.status is Status.COMPLETED


@pytest.mark.parametrize("moment", [NOW, datetime.combine(MONDAY + timedelta(days=1), time(8))])
def test_a_patient_is_checked_in_on_the_day_only(appointment_in, moment):
    """Is marking Monday's appointment arrived refused on the Friday before and the Tuesday
    after, and allowed on Monday, also before its time (an early patient)?"""
    appointment = appointment_in(Status.BOOKED)
    with pytest.raises(Conflict, match="on the day of the appointment only"):
        scheduling.change_status(db.session, appointment.id, "arrived", now=moment)
    db.session.expire_all()
    assert appointment.status is Status.BOOKED
    early = datetime.combine(MONDAY, time(8, 30))
    assert scheduling.change_status(db.session, appointment.id, "arrived", now=early).status is (
        Status.ARRIVED
    )


@pytest.mark.parametrize("status", [Status.NO_SHOW, Status.COMPLETED])
def test_a_no_show_or_completion_waits_until_the_appointment_has_started(appointment_in, status):
    """Is marking a 10:00 appointment a no-show (or completed, once arrived) refused at 09:59
    on its day and allowed at 10:00?"""
    appointment = appointment_in(Status.BOOKED if status is Status.NO_SHOW else Status.ARRIVED)
    with pytest.raises(Conflict, match="once it has started"):
        scheduling.change_status(
            db.session, appointment.id, status, now=datetime.combine(MONDAY, time(9, 59))
        )
    at_ten = datetime.combine(MONDAY, time(10))
    assert scheduling.change_status(db.session, appointment.id, status, now=at_ten).status is (
        status
    )


@pytest.mark.parametrize(("old", "new"), sorted(UNDO))
def test_a_mistaken_status_is_undone_on_the_day_and_audited(appointment_in, make, old, new):
    """May the desk put a mistaken check-in, completion or no-show back to booked on the day,
    audited as a status change by whoever did it?"""
    manager = make(User, role="manager")
    appointment = appointment_in(old)
    undone = scheduling.change_status(
        db.session, appointment.id, "booked", actor=manager, now=during(appointment)
    )
    assert undone.status is Status.BOOKED
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.actor_id) == ("status", manager.id)
    assert (entry.before["status"], entry.after["status"]) == (old.value, "booked")


@pytest.mark.parametrize(("old", "new"), sorted(UNDO))
def test_a_status_is_not_undone_on_another_day(appointment_in, old, new):
    """Is putting Monday's appointment back to booked refused on the Tuesday after?"""
    appointment = appointment_in(old)
    tuesday = datetime.combine(MONDAY + timedelta(days=1), time(9))
    with pytest.raises(Conflict, match="back to booked on the day"):
        scheduling.change_status(db.session, appointment.id, "booked", now=tuesday)
    db.session.expire_all()
    assert appointment.status is old


def test_a_cancellation_is_never_undone(appointment_in, make):
    """Is a cancelled appointment refused its way back to booked, even by an admin on its
    day (its time may be taken and its patient was told)?"""
    appointment = appointment_in(Status.CANCELLED)
    with pytest.raises(Conflict, match="cancelled cannot become booked"):
        scheduling.change_status(
            db.session,
            appointment.id,
            "booked",
            actor=make(User, role="admin"),
            now=during(appointment),
        )


def test_a_client_undoes_nothing(appointment_in, make):
    """Is the patient refused putting their own no-show back to booked (only the clinic sets
    that status)?"""
    appointment = appointment_in(Status.NO_SHOW)
    patient = make(User, role="client")
    appointment.client.user = patient
    db.session.commit()
    with pytest.raises(NotAllowed, match="Only the clinic sets that status"):
        scheduling.change_status(
            db.session, appointment.id, "booked", actor=patient, now=during(appointment)
        )


def test_cancelling_keeps_the_reason_and_counts_the_change(appointment_in, make):
    """Does a cancellation keep its reason, grow the .ics sequence and record who did it?"""
    manager = make(User, role="manager")
    appointment = appointment_in(Status.BOOKED)
    cancelled = scheduling.cancel_appointment(
        db.session, appointment.id, reason="Flu", actor=manager, now=NOW
    )
    assert (cancelled.status, cancelled.cancel_reason) == (Status.CANCELLED, "Flu")
    assert cancelled.ics_sequence == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cancel"))
    assert entry.actor_id == manager.id


def test_cancelling_twice_changes_nothing(appointment_in):
    """Is a second cancellation accepted without another change?"""
    appointment = appointment_in(Status.BOOKED)
    scheduling.cancel_appointment(db.session, appointment.id, reason="Flu", now=NOW)
    again = scheduling.cancel_appointment(db.session, appointment.id, reason="Other", now=NOW)
    assert (again.cancel_reason, again.ics_sequence) == ("Flu", 1)


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.NO_SHOW])
def test_a_finished_appointment_cannot_be_cancelled(appointment_in, status):
    """Is cancelling a completed or missed appointment refused?"""
    appointment = appointment_in(status)
    with pytest.raises(Conflict, match="cannot become cancelled"):
        scheduling.cancel_appointment(db.session, appointment.id, now=NOW)


def test_a_too_long_reason_is_invalid(appointment_in):
    """Is a 10,000-character reason refused, the appointment left booked?"""
    appointment = appointment_in(Status.BOOKED)
    with pytest.raises(Invalid):
        scheduling.cancel_appointment(db.session, appointment.id, reason="x" * 10_000, now=NOW)
    db.session.expire_all()
    assert appointment.status is Status.BOOKED


def test_online_cancelling_stops_at_the_window(appointment_in, make):
    """Online, is cancelling refused within 24 hours before, and allowed earlier?"""
    appointment = appointment_in(Status.BOOKED)
    online = make(User, role="client")
    appointment.client.user = online
    db.session.commit()
    with pytest.raises(Conflict, match="until 24 hours before"):
        scheduling.cancel_appointment(
            db.session,
            appointment.id,
            actor=online,
            now=appointment.starts_at - timedelta(hours=23),
        )
    cancelled = scheduling.cancel_appointment(
        db.session, appointment.id, actor=online, now=appointment.starts_at - timedelta(hours=24)
    )
    assert cancelled.status is Status.CANCELLED


def test_the_audit_history_says_what_each_change_changed(monday, book, make):
    """Does an appointment's history list its changes oldest first, each with who made it and
    only the columns it changed (housekeeping left out)?"""
    manager = make(User, role="manager")
    booked = book(monday.doctor, monday.patient, "10:00", actor=manager)
    scheduling.change_status(db.session, booked.id, "arrived", actor=manager, now=during(booked))
    created, arrived = audit.history(db.session, "appointments", booked.id)
    assert (created.action, created.actor.id) == ("create", manager.id)
    assert ("status", None, "booked") in audit.changes(created)
    assert audit.changes(arrived) == [("status", "booked", "arrived")]
