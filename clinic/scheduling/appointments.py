"""Booking, moving, cancelling and moving appointments through their statuses.

Each change is one unit of work (`database.writing`): it takes the write lock first, so that a
booking's check and its write see the same data, and is all or nothing — also as part of a
larger unit. The database's own guards (exclusion constraints, SQLite triggers) catch what
slips between processes; their refusal ends as `Conflict` too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError, OperationalError

from .. import audit
from ..clock import clinic_now
from ..clock import exists as wall_time_exists
from ..database import in_unit, writing
from ..models import Appointment, AppointmentStatus, Client, Location, Specialist, User
from .calendar import Busy, Calendar, Span
from .errors import Conflict, Invalid, SchedulingError
from .policy import Policy, acting, said
from .slots import nearest_free
from .values import (
    MAX_NOTES_LENGTH,
    WEEKDAYS,
    AnySession,
    active_row,
    get_row,
    hm,
    limit,
    parse_date,
    parse_id,
    parse_text,
    parse_time,
)

T = TypeVar("T")
Status = AppointmentStatus
TRIES = 3
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure
MOVES = ("date", "start_time", "end_time", "specialist_id", "location_id")
DETAILS = {"type": limit(Appointment.type), "notes": MAX_NOTES_LENGTH}


def retried(change: Callable[..., T]) -> Callable[..., T]:
    """Run a booking change again when the database broke a deadlock or a serialization
    failure by aborting it (PostgreSQL does so when several transactions check the same
    exclusion constraint at once); the next try sees the winner and ends as a Conflict.

    Only a unit of its own is tried again: inside a larger unit the transaction is lost, so
    the failure goes up to whoever opened it."""

    @functools.wraps(change)
    def run(session: AnySession, *args: Any, **kwargs: Any) -> T:
        if in_unit(session):
            return change(session, *args, **kwargs)
        attempt = 1
        while True:
            try:
                return change(session, *args, **kwargs)
            except OperationalError as error:
                if getattr(error.orig, "sqlstate", None) not in TRANSIENT_SQLSTATES:
                    raise
                if attempt == TRIES:
                    raise Conflict(
                        "Many people are booking this time right now; please try again."
                    ) from error
                attempt += 1

    return run


@dataclass
class _Request:
    """A booking's specialist, client, location (asked for, then the one taken) and time."""

    specialist: Specialist
    client: Client
    location: Location | None
    span: Span


def _read_span(day: Any, start_time: Any, end_time: Any, length: timedelta) -> Span:
    """The wanted time; without an end, `length` long."""
    day, start = parse_date(day), parse_time(start_time, "start_time")
    starts_at = datetime.combine(day, start)
    if end_time is None or end_time == "":
        return Span(starts_at, starts_at + length)
    end = parse_time(end_time, "end_time")
    ends_at = datetime.combine(day, end)
    if ends_at <= starts_at:
        raise Invalid({"end_time": "The end must come after the start."})
    return Span(starts_at, ends_at)


def _check_time(calendar: Calendar, span: Span, now: datetime) -> None:
    """A new start time must exist, last as written, and not be in the past."""
    if not wall_time_exists(span.start, calendar.zone):
        raise Invalid(
            {
                "start_time": f"{hm(span.start)} does not exist on {span.start.date()}: "
                "the clocks go forward then."
            }
        )
    if not calendar.exists_whole(span):
        raise Invalid({"end_time": "The clocks go forward during this time; choose another."})
    if span.start < now:
        raise Invalid({"start_time": "That time has passed."})


def _place(
    session: AnySession, request: _Request, ignore_id: int | None, policy: Policy, now: datetime
) -> Location:
    """Check every rule for `request`; return the location it takes."""
    specialist, span = request.specialist, request.span
    calendar = Calendar(
        session,
        [specialist],
        span.start.date(),
        span.end.date(),
        client_id=request.client.id,
        extra_location=request.location,
        ignore_id=ignore_id,
    )
    _check_time(calendar, span, now)
    if not calendar.works("specialist", specialist, span):
        raise Invalid(
            {
                "start_time": f"{specialist.full_name} does not work then "
                f"({WEEKDAYS[span.start.weekday()]} "
                f"{hm(span.start)}-{hm(span.end)})."
            }
        )
    policy.check_grid(specialist, span)
    closed = calendar.taken("clinic", 0, span)
    if closed:
        raise Invalid({"start_time": f"The clinic is closed then ({closed.reason or 'closed'})."})
    refuse = functools.partial(_refuse, session, request=request, policy=policy, now=now)
    refuse(calendar.taken("specialist", specialist.id, span), specialist.full_name)
    refuse(calendar.taken("client", request.client.id, span), request.client.full_name)
    if request.location is None and specialist.default_location_id is None:
        location = calendar.location_for(specialist, span)
        if location is None:
            raise _conflict(session, "No room is free then.", None, request, policy, now)
        return location
    location = request.location or calendar.locations[specialist.default_location_id]
    refusal = calendar.location_refusal(location, span)
    if isinstance(refusal, str):
        raise Invalid({"location_id": refusal})
    refuse(refusal, location.name)
    return location


def _refuse(
    session: AnySession,
    busy: Busy | None,
    who: str,
    *,
    request: _Request,
    policy: Policy,
    now: datetime,
) -> None:
    """Raise for time taken: Invalid for time off, Conflict naming an appointment."""
    if busy is None:
        return
    if busy.appointment_id is None:
        raise Invalid({"start_time": f"{who} is away then ({busy.reason or 'time off'})."})
    taken = session.get(Appointment, busy.appointment_id)
    message = (
        f"{who} has another appointment then: {taken.starts_at:%Y-%m-%d} "
        f"{hm(taken.starts_at)}-{hm(taken.ends_at)}."
    )
    raise _conflict(session, message, taken, request, policy, now)


def _conflict(
    session: AnySession,
    message: str,
    taken: Appointment | None,
    request: _Request,
    policy: Policy,
    now: datetime,
) -> Conflict:
    """A Conflict offering the specialist's nearest free slots."""
    suggestions = nearest_free(session, request.specialist.id, request.span.start, policy, now)
    return Conflict(message, appointment=taken, suggestions=suggestions)


@contextmanager
def _guarded(
    session: AnySession, request: _Request, policy: Policy, now: datetime
) -> Iterator[None]:
    """Write what the block adds or changes at once, in a savepoint: when the database refuses
    it (another process won the time), the savepoint goes and the unit stays usable to say
    what collided."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError as error:
        raise _database_refusal(session, error, request, policy, now) from error


def _database_refusal(
    session: AnySession, error: IntegrityError, request: _Request, policy: Policy, now: datetime
) -> SchedulingError:
    """What the database's own refusal of a booking means, for people.

    An overlap another process committed first: Conflict naming it. Anything else (a row
    removed meanwhile): Invalid.
    """
    constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None) or ""
    if not (constraint.startswith("ex_appointments_") or "appointments overlap" in str(error.orig)):
        return Invalid({"start_time": "The booking could not be saved; please try again."})
    message = "Someone else booked that time a moment ago."
    span = request.span
    taken = session.scalars(
        select(Appointment)
        .where(Appointment.status != Status.CANCELLED)
        .where(Appointment.starts_at < span.end, Appointment.ends_at > span.start)
        .where(
            or_(
                Appointment.specialist_id == request.specialist.id,
                Appointment.client_id == request.client.id,
                Appointment.location_id == request.location.id,
            )
        )
        .order_by(Appointment.id)
        .limit(1)
    ).first()
    return _conflict(session, message, taken, request, policy, now)


def _optional_location(session: AnySession, location_id: Any) -> Location | None:
    """The location asked for, if one was."""
    if location_id in (None, ""):
        return None
    return active_row(session, Location, location_id, "location_id", "location")


@retried
def book_appointment(
    session: AnySession,
    *,
    specialist_id: Any,
    client_id: Any,
    date: Any,
    start_time: Any,
    end_time: Any = None,
    location_id: Any = None,
    type: Any = "",
    notes: Any = "",
    actor: User | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book a client with a specialist; without an end, for the specialist's slot length.

    Without a location it takes the specialist's default, else the first free one by id. The
    actor's policy decides which rules apply (a client: the online ones). Invalid or Conflict
    when refused.
    """
    now, policy = now or clinic_now(), acting(actor)
    with writing(session):
        kind = parse_text(type, "type", DETAILS["type"])
        notes = parse_text(notes, "notes", DETAILS["notes"])
        specialist = active_row(session, Specialist, specialist_id, "specialist_id", "specialist")
        request = _Request(
            specialist=specialist,
            client=policy.bookable(active_row(session, Client, client_id, "client_id", "client")),
            location=_optional_location(session, location_id),
            span=_read_span(date, start_time, end_time, timedelta(minutes=specialist.slot_minutes)),
        )
        policy.check_start(session, request.span, now)
        location = request.location = _place(session, request, None, policy, now)
        appointment = Appointment(
            type=kind,
            notes=notes,
            specialist=specialist,
            client=request.client,
            location=location,
            starts_at=request.span.start,
            ends_at=request.span.end,
            status=Status.BOOKED,
            created_by=actor,
        )
        with _guarded(session, request, policy, now):
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
    new `type` or `notes`.
    """
    now, policy = now or clinic_now(), acting(actor)
    with writing(session):
        appointment = get_row(session, Appointment, appointment_id, "appointment")
        before = audit.snapshot(appointment)
        actions = []
        if _moves(appointment, changes):
            _move(session, appointment, changes, policy, now)
            actions.append("reschedule")
        if changes.get("status") not in (None, ""):
            actions += _set_status(session, appointment, changes, policy, now)
        for field, maximum in DETAILS.items():
            value = parse_text(changes.get(field), field, maximum)
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
) -> Appointment:
    """Move an appointment to another status as the status table allows; the same status is
    no change."""
    if status in (None, ""):
        raise Invalid({"status": "A status is required."})
    return update_appointment(
        session, appointment_id, {"status": status, "reason": reason}, actor=actor
    )


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
    if appointment.status is not Status.BOOKED:
        raise Conflict(
            f"Only booked appointments can be moved; this one is {said(appointment.status)}."
        )
    policy.check_window(session, appointment, now, "moved")
    specialist_id = changes.get("specialist_id")
    specialist = (
        appointment.specialist
        if specialist_id in (None, "")
        else active_row(session, Specialist, specialist_id, "specialist_id", "specialist")
    )
    request = _Request(
        specialist=specialist,
        client=appointment.client,
        location=_optional_location(session, changes.get("location_id")),
        span=_read_span(
            changes.get("date") or appointment.starts_at.date(),
            changes.get("start_time") or appointment.starts_at.time(),
            changes.get("end_time"),
            appointment.ends_at - appointment.starts_at,
        ),
    )
    policy.check_start(session, request.span, now)
    location = request.location = _place(session, request, appointment.id, policy, now)
    with _guarded(session, request, policy, now):
        appointment.specialist, appointment.location = specialist, location
        appointment.starts_at, appointment.ends_at = request.span
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
    policy.check_status(appointment, wanted)
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
