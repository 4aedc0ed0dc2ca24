"""Emails to clients about their appointments: on booking, moving and cancelling (with an
.ics calendar file), sent once the unit of work that made the change has committed, and the
day-before reminders. Bodies come from templates/emails/."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, time, timedelta

from flask import Flask, current_app, render_template
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import select, update

from ..extensions import db
from ..kernel import mail
from ..kernel.clock import clinic_now, to_aware
from ..kernel.signals import Change, clinic_changed
from ..models import Appointment, AppointmentStatus, Client, ClinicSettings

log = logging.getLogger(__name__)
_quiet: ContextVar[bool] = ContextVar("quiet", default=False)

SUBJECTS = {
    "booked": "Your appointment is booked",
    "moved": "Your appointment has moved",
    "cancelled": "Your appointment is cancelled",
    "reminder": "Reminder: your appointment tomorrow",
}


def init_app(app: Flask) -> None:
    """Email clients whenever a unit of work booked, moved or cancelled appointments."""
    clinic_changed.connect(on_clinic_changed)


@contextmanager
def quiet() -> Iterator[None]:
    """Send no appointment emails meanwhile (loading the demo clinic, for one)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def appointment_news(changes: list[Change]) -> dict[int, tuple[Appointment, str]]:
    """What a client hears of a unit's changes: per appointment, "booked", "moved" or
    "cancelled" (the last of them when the unit changed it several times)."""
    news: dict[int, tuple[Appointment, str]] = {}
    for change in changes:
        if change.entity != Appointment.__tablename__:
            continue
        actions = change.action.split("+")
        said = (
            "booked"
            if "create" in actions
            else "cancelled"
            if "cancel" in actions
            else "moved"
            if "reschedule" in actions
            else None
        )
        if said is not None:
            news[change.entity_id] = (change.row, said)
    return news


def on_clinic_changed(_sender: object, changes: list[Change]) -> None:
    """Email the clients about committed bookings, moves and cancellations; whatever goes
    wrong is logged, and the change stands (a receiver never fails the unit that sent it)."""
    if _quiet.get():
        return
    for appointment, change in appointment_news(changes).values():
        try:
            if appointment.client.email:
                send_about(appointment, change)
        except Exception:
            log.exception("Could not email about appointment %s (%s)", appointment.id, change)


def send_about(appointment: Appointment, change: str) -> bool:
    """The email about an appointment, with its calendar file; whether it went."""
    settings = db.session.get_one(ClinicSettings, 1)
    cancelled = appointment.status is AppointmentStatus.CANCELLED
    body = render_template(
        "emails/appointment.txt", appointment=appointment, change=change, clinic=settings
    )
    method = "CANCEL" if cancelled else "REQUEST"
    return mail.send_or_log(
        appointment.client.email,
        SUBJECTS[change],
        body,
        attachments=[
            (
                "appointment.ics",
                f"text/calendar; method={method}",
                calendar_file(appointment, settings),
            )
        ],
    )


def calendar_file(
    appointment: Appointment, settings: ClinicSettings, method: str | None = None
) -> bytes:
    """The appointment as an iCalendar file: a stable UID, the change count as SEQUENCE,
    times in the clinic's zone; METHOD:REQUEST, or CANCEL once cancelled, unless `method` says
    otherwise (PUBLISH for a file the client downloads)."""
    cancelled = appointment.status is AppointmentStatus.CANCELLED
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.name}//Clinic booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method or ("CANCEL" if cancelled else "REQUEST"))
    event = Event()
    event.add("uid", f"appointment-{appointment.id}@{sender.rpartition('@')[2] or 'clinic'}")
    event.add("sequence", appointment.ics_sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", to_aware(appointment.starts_at))
    event.add("dtend", to_aware(appointment.ends_at))
    event.add(
        "summary", f"{appointment.type or 'Appointment'} with {appointment.specialist.full_name}"
    )
    event.add(
        "location",
        vText(
            f"{appointment.location.name}, {settings.name}"
            + (f", {settings.address}" if settings.address else "")
        ),
    )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", vCalAddress(f"mailto:{sender}"))
    if appointment.client.email:
        event.add("attendee", vCalAddress(f"mailto:{appointment.client.email}"))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def send_reminders(now: datetime | None = None) -> int:
    """Email every client with an address about their booked appointments of tomorrow, once
    per appointment (again after a move); return how many were sent.

    Each appointment is claimed by setting its reminder time before the email goes, so two
    runs at once never send one twice; the claim holds only while the appointment is still as
    it was read (booked, tomorrow, at the same start), so that one cancelled or moved meanwhile
    gets no reminder; a failed email gives the claim back.
    """
    now = now or clinic_now()
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time())
    due = db.session.execute(
        select(Appointment.id, Appointment.starts_at)
        .join(Appointment.client)
        .where(Client.email.is_not(None), Client.email != "")
        .where(*_reminder_due(tomorrow))
        .order_by(Appointment.starts_at)
    ).all()
    db.session.rollback()
    sent = 0
    for appointment_id, starts_at in due:
        if not _claim(appointment_id, starts_at, tomorrow):
            continue
        if send_about(db.session.get_one(Appointment, appointment_id), "reminder"):
            sent += 1
        else:
            _release(appointment_id)
    return sent


def _reminder_due(tomorrow: datetime) -> tuple:
    """What makes an appointment's reminder due: booked, starting on the day `tomorrow`
    begins, no reminder sent since it was booked or moved there."""
    return (
        Appointment.status == AppointmentStatus.BOOKED,
        Appointment.reminder_sent_at.is_(None),
        Appointment.starts_at >= tomorrow,
        Appointment.starts_at < tomorrow + timedelta(days=1),
    )


def _claim(appointment_id: int, starts_at: datetime, tomorrow: datetime) -> bool:
    """Mark the reminder as sent, if it is still due and nobody did yet, the appointment
    starting when it was read; whether this run got it."""
    claimed = db.session.execute(
        update(Appointment)
        .where(Appointment.id == appointment_id, Appointment.starts_at == starts_at)
        .where(*_reminder_due(tomorrow))
        .values(reminder_sent_at=datetime.now(UTC))
    ).rowcount
    db.session.commit()
    return claimed == 1


def _release(appointment_id: int) -> None:
    """Give a claim back after the email failed, for the next run."""
    db.session.execute(
        update(Appointment).where(Appointment.id == appointment_id).values(reminder_sent_at=None)
    )
    db.session.commit()
