"""Booking, moving, cancelling and moving appointments through their statuses.

Each change is one unit of work (`database.writing`): it takes the write lock first, so that a
booking's check and its write see the same data, and is all or nothing — also as part of a
larger unit. The database's own guards (exclusion constraints, SQLite triggers) catch what
slips between processes; their refusal ends as `Conflict` too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .. import audit
from ..kernel.clock import clinic_now
from ..kernel.database import writing
from ..kernel.errors import Invalid, NotFound
from ..kernel.values import (
    AnySession,
    active_row,
    get_row,
    limit,
    parse_date,
    parse_id,
    parse_note,
    parse_text,
    parse_time,
)
from ..models import Appointment, AppointmentStatus, Client, Specialist, User
from .agenda import own_client
from .locks import check_held, hold_for_booking, hold_for_move
from .placing import (
    Booking,
    check_booking,
    check_moving,
    guarded,
    optional_location,
    read_span,
    retried,
)
from .policy import Actor, Policy, acting

Status = AppointmentStatus
MOVES = ("date", "start_time", "end_time", "specialist_id", "location_id")
DETAIL_LENGTHS = {
    "type": limit(Appointment.type),
    "notes": limit(Appointment.notes),
    "patient_note": limit(Appointment.patient_note),
}
"""The details besides time and status, and their lengths: the visit type, the clinic's notes
(staff only) and the patient's own note."""


@retried
def book_appointment(
    session: AnySession,
    *,
    specialist_id: Any,
    client_id: Any = None,
    date: Any,
    start_time: Any,
    end_time: Any = None,
    location_id: Any = None,
    type: Any = "",
    notes: Any = "",
    patient_note: Any = "",
    actor: User | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book a client with a specialist; without an end, for the specialist's slot length.

    Without a location it takes the specialist's default, else the first free one by id;
    without a client, a client actor books for themself (NotAllowed when their account has no
    patient record). The actor's policy decides which rules apply (a client: the online ones;
    only the clinic writes its `notes`, anyone the patient's note). Invalid, NotAllowed or
    Conflict when refused.
    """
    now, policy = now or clinic_now(), acting(actor)
    with writing(session):
        hold_for_booking(session, specialist_id, location_id)
        kind = _detail("type", type)
        notes = _detail("notes", notes)
        if notes:
            policy.check_edit("notes")
        patient_note = _detail("patient_note", patient_note)
        specialist = active_row(session, Specialist, specialist_id, "specialist_id", "specialist")
        policy.check_type(specialist, kind)
        booking = Booking(
            specialist=specialist,
            client=policy.bookable(_client(session, client_id, actor, policy)),
            location=optional_location(session, location_id),
            span=read_span(date, start_time, end_time, timedelta(minutes=specialist.slot_minutes)),
        )
        location = booking.location = check_booking(session, booking, policy, now)
        check_held(session, specialist.id, location.id)
        appointment = Appointment(
            type=kind,
            notes=notes,
            patient_note=patient_note,
            specialist=specialist,
            client=booking.client,
            location=location,
            starts_at=booking.span.start,
            ends_at=booking.span.end,
            status=Status.BOOKED,
            **_made_by(actor, policy),
        )
        with guarded(session, booking, policy, now):
            session.add(appointment)
        audit.record(session, actor, "create", appointment)
    return appointment


@retried
def update_appointment(
    session: AnySession,
    appointment_id: Any,
    changes: dict[str, Any],
    *,
    actor: User | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Change an appointment in one go; any refusal leaves it as it was.

    `changes` may hold a new time, specialist or location (`date`, `start_time`, `end_time`,
    `specialist_id`, `location_id`: a move, for booked appointments only, keeping the length
    unless an end is given and taking the default location unless one is given), a `status`
    (as the actor's policy and the status table allow, with a `reason` when cancelling), and a
    new `type`, `notes` or `patient_note` (as the actor's policy allows).
    """
    now, policy = now or clinic_now(), acting(actor)
    with writing(session):
        if any(changes.get(key) not in (None, "") for key in MOVES):
            hold_for_move(session, appointment_id, changes)
        appointment = get_row(session, Appointment, appointment_id, "appointment")
        if not policy.sees(appointment):  # another patient's is no appointment to a client
            raise NotFound(f"There is no appointment {appointment.id}.")
        _refuse_new_client(appointment, changes.get("client_id"))
        before = audit.snapshot(appointment)
        actions = []
        if _moves(appointment, changes):
            _move(session, appointment, changes, policy, now)
            actions.append("reschedule")
        if changes.get("status") not in (None, ""):
            actions += _set_status(session, appointment, changes, policy, now)
        for field in DETAIL_LENGTHS:
            value = _detail(field, changes.get(field))
            if field in changes and value != getattr(appointment, field):
                policy.check_edit(field)
                setattr(appointment, field, value)
        if audit.snapshot(appointment) != before:
            audit.record(session, actor, "+".join(actions) or "update", appointment, before)
    return appointment


def reschedule_appointment(
    session: AnySession,
    appointment_id: Any,
    *,
    date: Any,
    start_time: Any,
    end_time: Any = None,
    specialist_id: Any = None,
    location_id: Any = None,
    actor: User | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Move a booked appointment (keeping its length unless an end is given); see
    `update_appointment`."""
    changes = {
        "date": date,
        "start_time": start_time,
        "end_time": end_time,
        "specialist_id": specialist_id,
        "location_id": location_id,
    }
    return update_appointment(session, appointment_id, changes, actor=actor, now=now)


def cancel_appointment(
    session: AnySession,
    appointment_id: Any,
    *,
    reason: Any = "",
    actor: User | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Cancel a booked or arrived appointment, keeping the reason; cancelling again changes
    nothing. A client goes by the online cancellation window."""
    return update_appointment(
        session,
        appointment_id,
        {"status": Status.CANCELLED, "reason": reason},
        actor=actor,
        now=now,
    )


def change_status(
    session: AnySession,
    appointment_id: Any,
    status: Any,
    *,
    reason: Any = "",
    actor: User | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Move an appointment to another status as the status table and its time allow (see
    `policy.status_refusal`); the same status is no change."""
    if status in (None, ""):
        raise Invalid({"status": "A status is required."})
    return update_appointment(
        session, appointment_id, {"status": status, "reason": reason}, actor=actor, now=now
    )


def _client(session: AnySession, client_id: Any, actor: User | None, policy: Policy) -> Client:
    """The active client a booking is for: the one named, else a client actor's own."""
    if client_id in (None, "") and policy.actor is Actor.CLIENT:
        return own_client(session, actor)
    if client_id in (None, ""):
        raise Invalid({"client_id": "Choose the client to book."})
    return active_row(session, Client, client_id, "client_id", "client")


def _refuse_new_client(appointment: Appointment, client_id: Any) -> None:
    """An appointment stays its client's: another is booked anew (the history, the emails
    and the patient's note belong to the one it was booked for)."""
    if client_id in (None, ""):
        return
    if parse_id(client_id, "client_id") != appointment.client_id:
        raise Invalid({"client_id": "An appointment's client cannot change; book anew."})


def _made_by(actor: User | None, policy: Policy) -> dict[str, Any]:
    """Who books, as the new appointment records it: by id when the actor has one (their
    policy read it before the unit began; the unit's start expired the actor's row, which
    `created_by=actor` would read again only to learn the same id)."""
    if actor is not None and policy.user_id is not None:
        return {"created_by_id": policy.user_id}
    return {"created_by": actor}


def _detail(field: str, value: Any) -> str:
    """A detail read from a booking: the type on one line, notes over several."""
    read = parse_text if field == "type" else parse_note
    return read(value, field, DETAIL_LENGTHS[field])


def _moves(appointment: Appointment, changes: dict[str, Any]) -> bool:
    """Whether `changes` asks for another time, specialist or location than the current."""
    given = {key: changes[key] for key in MOVES if changes.get(key) not in (None, "")}
    if not given:
        return False
    try:
        return (
            parse_date(given.get("date", appointment.starts_at)) != appointment.starts_at.date()
            or parse_time(given.get("start_time", appointment.starts_at.time()))
            != appointment.starts_at.time()
            or parse_time(given.get("end_time", appointment.ends_at.time()), "end_time")
            != appointment.ends_at.time()
            or parse_id(given.get("specialist_id", appointment.specialist_id), "specialist_id")
            != appointment.specialist_id
            or parse_id(given.get("location_id", appointment.location_id), "location_id")
            != appointment.location_id
        )
    except Invalid:
        return True


def _move(
    session: AnySession,
    appointment: Appointment,
    changes: dict[str, Any],
    policy: Policy,
    now: datetime,
) -> None:
    """Check and make the move `changes` asks for."""
    specialist_id = changes.get("specialist_id")
    specialist = (
        appointment.specialist
        if specialist_id in (None, "")
        else active_row(session, Specialist, specialist_id, "specialist_id", "specialist")
    )
    booking = Booking(
        specialist=specialist,
        client=appointment.client,
        location=optional_location(session, changes.get("location_id")),
        span=read_span(
            changes.get("date") or appointment.starts_at.date(),
            changes.get("start_time") or appointment.starts_at.time(),
            changes.get("end_time"),
            appointment.ends_at - appointment.starts_at,
        ),
    )
    location = booking.location = check_moving(session, appointment, booking, policy, now)
    check_held(session, specialist.id, location.id)
    with guarded(session, booking, policy, now):
        appointment.specialist, appointment.location = specialist, location
        appointment.starts_at, appointment.ends_at = booking.span
        appointment.ics_sequence += 1
        appointment.reminder_sent_at = None


def _set_status(
    session: AnySession,
    appointment: Appointment,
    changes: dict[str, Any],
    policy: Policy,
    now: datetime,
) -> list[str]:
    """Move the appointment to `changes["status"]`; return the audit action, if any."""
    try:
        wanted = Status(changes["status"])
    except ValueError:
        raise Invalid(
            {
                "status": f"{str(changes['status'])[:40]!r} is not a status; use one of "
                f"{', '.join(s.value for s in Status)}."
            }
        ) from None
    policy.check_status(appointment, wanted, now)
    if appointment.status is wanted:
        return []
    if wanted is not Status.CANCELLED:
        appointment.status = wanted
        return ["status"]
    reason = parse_text(changes.get("reason"), "reason", limit(Appointment.cancel_reason))
    policy.check_window(session, appointment, now, "cancelled")
    appointment.status = Status.CANCELLED
    appointment.cancel_reason = reason
    appointment.ics_sequence += 1
    return ["cancel"]
