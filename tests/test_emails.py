"""Do clients get an email with a correct .ics when an appointment is booked, moved or
cancelled, and a reminder the day before (once, and again after a move)?"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

import pytest
from helpers import MONDAY, NOW, during
from icalendar import Calendar

from clinic import notifications, scheduling
from clinic.extensions import db
from clinic.kernel import mail
from clinic.models import Appointment, Shift


def calendar_of(message) -> Calendar:
    [attachment] = message.iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    return Calendar.from_ical(attachment.get_payload(decode=True)), attachment


@pytest.fixture
def kyiv(app):
    app.config["CLINIC_TIMEZONE"] = "Europe/Kyiv"


def test_booking_moving_and_cancelling_each_send_an_ics(kyiv, monday, book):
    """Do book, move and cancel each email the client an .ics with a stable UID, a growing
    SEQUENCE, the clinic's zone, and METHOD:CANCEL at the end?"""
    monday.patient.email = "olena@example.com"
    db.session.commit()
    appointment = book(monday.doctor, monday.patient, "10:00")
    scheduling.reschedule_appointment(
        db.session, appointment.id, date=MONDAY, start_time="11:00", now=NOW
    )
    scheduling.cancel_appointment(db.session, appointment.id, reason="Flu", now=NOW)
    booked, moved, cancelled = mail.outbox()
    assert [m["Subject"] for m in (booked, moved, cancelled)] == [
        "Your appointment is booked",
        "Your appointment has moved",
        "Your appointment is cancelled",
    ]
    events = []
    for message, method in ((booked, "REQUEST"), (moved, "REQUEST"), (cancelled, "CANCEL")):
        assert message["To"] == "olena@example.com"
        calendar, attachment = calendar_of(message)
        assert calendar["METHOD"] == method and attachment.get_param("method") == method
        [event] = calendar.walk("VEVENT")
        events.append(event)
    assert len({str(event["UID"]) for event in events}) == 1
    assert [int(event["SEQUENCE"]) for event in events] == [0, 1, 2]
    start = events[0]["DTSTART"].dt
    assert start.replace(tzinfo=None) == datetime(2027, 1, 4, 10)
    assert start.utcoffset() == timedelta(hours=2)
    assert str(events[0]["DTSTART"].params["TZID"]) == "Europe/Kyiv"
    assert events[1]["DTSTART"].dt.hour == 11
    assert str(events[2]["STATUS"]) == "CANCELLED"
    assert calendar_of(booked)[0].walk("VTIMEZONE"), "the zone travels with the file"
    text = booked.get_body(("plain",)).get_content()
    assert "Iryna Bondarenko" in text and "Room 1" in text


def test_status_changes_and_edits_send_nothing(monday, book):
    """Do a check-in or a notes edit leave the client's inbox alone?"""
    monday.patient.email = "olena@example.com"
    db.session.commit()
    appointment = book(monday.doctor, monday.patient, "10:00")
    scheduling.change_status(db.session, appointment.id, "arrived", now=during(appointment))
    scheduling.update_appointment(db.session, appointment.id, {"notes": "Bring X-rays"}, now=NOW)
    assert len(mail.outbox()) == 1


def test_a_client_without_an_address_gets_nothing(monday, book):
    """Is nothing sent (and nothing fails) for a client with no email?"""
    book(monday.doctor, monday.patient, "10:00")
    assert mail.outbox() == []


def test_a_mail_failure_is_logged_and_the_booking_stands(monday, book, monkeypatch, caplog):
    """When sending fails, is the failure logged and the appointment still booked?"""
    monday.patient.email = "olena@example.com"
    db.session.commit()

    def fail(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(mail, "send", fail)
    with caplog.at_level(logging.ERROR, logger="clinic"):
        appointment = book(monday.doctor, monday.patient, "10:00")
    assert "Could not send 'Your appointment is booked' to olena@example.com" in caplog.text
    assert db.session.get(Appointment, appointment.id).status.value == "booked"


def test_api_bookings_email_too(call, clinic_for_api):
    """Does a booking made through the API email the client as well?"""
    ids = clinic_for_api.ids
    mail.outbox().clear()
    call(
        "POST",
        "/api/v1/appointments/",
        as_="manager",
        json={
            "worker": ids.doctor,
            "client": ids.other_client,
            "date": ids.week_ahead,
            "start_time": "12:00",
        },
    )
    [message] = mail.outbox()
    assert message["To"] == "other@example.com"


# --- reminders -------------------------------------------------------------------------------


@pytest.fixture
def tomorrow_booked(monday, book):
    """An appointment on MONDAY at 10:00 for a client with an email; "now" the Sunday before."""
    monday.patient.email = "olena@example.com"
    db.session.commit()
    appointment = book(monday.doctor, monday.patient, "10:00")
    mail.outbox().clear()
    return appointment, datetime.combine(MONDAY - timedelta(days=1), time(18))


def test_a_reminder_goes_once(tomorrow_booked):
    """Is the day-before reminder sent once, however often the command runs?"""
    _, sunday = tomorrow_booked
    assert notifications.send_reminders(now=sunday) == 1
    assert notifications.send_reminders(now=sunday) == 0
    [message] = mail.outbox()
    assert message["Subject"] == "Reminder: your appointment tomorrow"
    assert calendar_of(message)[0]["METHOD"] == "REQUEST"


def test_a_reminder_goes_again_after_a_move(tomorrow_booked):
    """After an appointment moves (still tomorrow), is it reminded of again?"""
    appointment, sunday = tomorrow_booked
    notifications.send_reminders(now=sunday)
    scheduling.reschedule_appointment(
        db.session, appointment.id, date=MONDAY, start_time="11:00", now=NOW
    )
    assert notifications.send_reminders(now=sunday) == 1


def test_only_tomorrows_booked_appointments_are_reminded(tomorrow_booked):
    """Are appointments of other days, and cancelled ones, left out?"""
    appointment, sunday = tomorrow_booked
    assert notifications.send_reminders(now=sunday - timedelta(days=1)) == 0
    scheduling.cancel_appointment(db.session, appointment.id, now=NOW)
    assert notifications.send_reminders(now=sunday) == 0


@pytest.mark.parametrize(
    ("change", "then"),
    [
        ("cancelled", {"status": "cancelled"}),
        ("moved to the day after", {"date": MONDAY + timedelta(days=1), "start_time": "10:00"}),
        ("moved within the day", {"date": MONDAY, "start_time": "11:00"}),
    ],
)
def test_an_appointment_changed_between_the_read_and_the_claim_gets_no_reminder(
    tomorrow_booked, monkeypatch, make, change, then
):
    """When the appointment is cancelled or moved after the run read it as due but before it
    claimed it, is no reminder sent for what it no longer is (a move within the day is
    reminded of at its new time by the next run)?"""
    appointment, sunday = tomorrow_booked
    tuesday = make(Shift, weekday=1, start_time=time(9), end_time=time(12))
    appointment.specialist.shifts.append(tuesday)
    db.session.commit()
    real_claim = notifications.appointments._claim

    def changed_first(*args):
        scheduling.update_appointment(db.session, appointment.id, dict(then), now=NOW)
        mail.outbox().clear()
        return real_claim(*args)

    monkeypatch.setattr(notifications.appointments, "_claim", changed_first)
    assert notifications.send_reminders(now=sunday) == 0
    assert mail.outbox() == []
    monkeypatch.undo()
    reminded_anew = 1 if change == "moved within the day" else 0
    assert notifications.send_reminders(now=sunday) == reminded_anew


def test_a_failed_reminder_is_tried_again_next_run(tomorrow_booked, monkeypatch):
    """When a reminder cannot be sent, does the next run try it again?"""
    _, sunday = tomorrow_booked

    def fail(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(mail, "send", fail)
    assert notifications.send_reminders(now=sunday) == 0
    monkeypatch.undo()
    assert notifications.send_reminders(now=sunday) == 1


def test_the_send_reminders_command_says_how_many(runner, monday, book):
    """Does `flask send-reminders` print how many it sent?"""
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0
    assert result.output.strip() == "Sent 0 reminders."
