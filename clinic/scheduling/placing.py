"""Whether and where a new time fits: every rule a booking or a move checks (the time, the
specialist's hours, the actor's policy, time off, collisions, a free room), what a refusal
says (the collision and the nearest free times), and the database's own refusal when another
process won the time.
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

from ..kernel.clock import exists as wall_time_exists
from ..kernel.clock import wall_clock_after
from ..kernel.database import in_unit
from ..kernel.errors import Conflict, Invalid, Refusal
from ..kernel.values import WEEKDAYS, AnySession, active_row, hm, parse_date, parse_time
from ..models import Appointment, AppointmentStatus, Client, Location, Specialist
from .calendar import Busy, Calendar, Span
from .locks import KeysOutdated
from .policy import Policy
from .slots import nearest_free

T = TypeVar("T")
TRIES = 3
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure
Status = AppointmentStatus
TAKEN = "That time is taken; please choose another."
"""What anyone but the clinic's staff learns of a collision (never whose or which appointment)."""


def retried(change: Callable[..., T]) -> Callable[..., T]:
    """Run a booking change again when the database broke a deadlock or a serialization
    failure by aborting it (PostgreSQL does so when several transactions check the same
    exclusion constraint at once), or when the keys it locked no longer cover the specialist
    and room it ended up with (`locks.KeysOutdated`); the next try sees the winner and ends as a
    Conflict, or reads the keys afresh.

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
            except KeysOutdated:
                if attempt == TRIES:
                    raise
                attempt += 1
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
class Booking:
    """What a booking or a move asks for: the specialist, client, location (asked for, then
    the one taken) and time."""

    specialist: Specialist
    client: Client
    location: Location | None
    span: Span


def read_span(day: Any, start_time: Any, end_time: Any, length: timedelta) -> Span:
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


def check_booking(
    session: AnySession, booking: Booking, policy: Policy, now: datetime, lock: bool = True
) -> Location:
    """Every check a new booking passes — the online rules, the client's cap, the time and
    the place — and the location it takes (`lock` False: only looking, nothing locked)."""
    policy.check_start(session, booking.span, now)
    policy.check_cap(session, booking.client, now, lock=lock)
    return fitting_location(session, booking, None, policy, now)


def check_moving(
    session: AnySession, appointment: Appointment, booking: Booking, policy: Policy, now: datetime
) -> Location:
    """Every check moving `appointment` to `booking` passes — it is booked, the window, the
    online rules, the time and the place — and the location it takes."""
    policy.check_move(session, appointment, now)
    policy.check_start(session, booking.span, now)
    return fitting_location(session, booking, appointment.id, policy, now)


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
    if span.start < wall_clock_after(now, timedelta(0)):
        raise Invalid({"start_time": "That time has passed."})


def fitting_location(
    session: AnySession, booking: Booking, ignore_id: int | None, policy: Policy, now: datetime
) -> Location:
    """Check every rule for `booking`; return the location it takes."""
    specialist, span = booking.specialist, booking.span
    calendar = Calendar(
        session,
        [specialist],
        span.start.date(),
        span.end.date(),
        client_id=booking.client.id,
        extra_location=booking.location,
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
        raise Invalid({"start_time": f"The clinic is closed then{_why(closed, policy)}."})
    refuse = functools.partial(_refuse, session, booking=booking, policy=policy, now=now)
    refuse(calendar.taken("specialist", specialist.id, span), specialist.full_name)
    refuse(calendar.taken("client", booking.client.id, span), booking.client.full_name)
    if booking.location is None and specialist.default_location_id is None:
        location = calendar.location_for(specialist, span)
        if location is None:
            raise _conflict(session, "No room is free then.", None, booking, policy, now)
        return location
    location = booking.location or calendar.locations[specialist.default_location_id]
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
    booking: Booking,
    policy: Policy,
    now: datetime,
) -> None:
    """Raise for time taken: Invalid for time off, Conflict naming an appointment to staff
    (anyone else learns only that the time is taken)."""
    if busy is None:
        return
    if busy.appointment_id is None:
        raise Invalid({"start_time": f"{who} is away then{_why(busy, policy)}."})
    if not policy.staff:
        raise _conflict(session, TAKEN, None, booking, policy, now)
    taken = session.get(Appointment, busy.appointment_id)
    message = (
        f"{who} has another appointment then: {taken.starts_at:%Y-%m-%d} "
        f"{hm(taken.starts_at)}-{hm(taken.ends_at)}."
    )
    raise _conflict(session, message, taken, booking, policy, now)


def _why(time_off: Busy, policy: Policy) -> str:
    """The reason for time off, for staff only (the public never reads what staff wrote)."""
    return f" ({time_off.reason})" if policy.staff and time_off.reason else ""


def _conflict(
    session: AnySession,
    message: str,
    taken: Appointment | None,
    booking: Booking,
    policy: Policy,
    now: datetime,
) -> Conflict:
    """A Conflict offering the specialist's nearest free slots; naming the appointment taken
    to staff only."""
    suggestions = nearest_free(session, booking.specialist.id, booking.span.start, policy, now)
    return Conflict(message, appointment=taken if policy.staff else None, suggestions=suggestions)


@contextmanager
def guarded(session: AnySession, booking: Booking, policy: Policy, now: datetime) -> Iterator[None]:
    """Write what the block adds or changes at once, in a savepoint: when the database refuses
    it (another process won the time), the savepoint goes and the unit stays usable to say
    what collided."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError as error:
        raise _database_refusal(session, error, booking, policy, now) from error


def _database_refusal(
    session: AnySession, error: IntegrityError, booking: Booking, policy: Policy, now: datetime
) -> Refusal:
    """What the database's own refusal of a booking means, for people.

    An overlap another process committed first: Conflict naming it. Anything else (a row
    removed meanwhile): Invalid.
    """
    constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None) or ""
    if not (constraint.startswith("ex_appointments_") or "appointments overlap" in str(error.orig)):
        return Invalid({"start_time": "The booking could not be saved; please try again."})
    message = "Someone else booked that time a moment ago."
    if not policy.staff:
        return _conflict(session, message, None, booking, policy, now)
    span = booking.span
    taken = session.scalars(
        select(Appointment)
        .where(Appointment.status != Status.CANCELLED)
        .where(Appointment.starts_at < span.end, Appointment.ends_at > span.start)
        .where(
            or_(
                Appointment.specialist_id == booking.specialist.id,
                Appointment.client_id == booking.client.id,
                Appointment.location_id == booking.location.id,
            )
        )
        .order_by(Appointment.id)
        .limit(1)
    ).first()
    return _conflict(session, message, taken, booking, policy, now)


def optional_location(session: AnySession, location_id: Any) -> Location | None:
    """The location asked for, if one was."""
    if location_id in (None, ""):
        return None
    return active_row(session, Location, location_id, "location_id", "location")
