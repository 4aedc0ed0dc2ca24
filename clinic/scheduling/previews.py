"""Whether a booking or a move would go through, asked before the person confirms it: the very
checks the change itself runs (placing.check_booking, placing.check_moving), nothing written
or locked. The answer is where it would be, or a Conflict saying why not — with the nearest
free times when the time itself is the trouble (not when online booking is off or the client
has booked all they may)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..kernel.clock import clinic_now
from ..kernel.errors import Conflict, Invalid, NotFound
from ..kernel.values import AnySession, active_row, get_row
from ..models import Appointment, Client, Location, Specialist, User
from .calendar import Span
from .placing import Booking, check_booking, check_moving
from .policy import BOOKING_OFF, Policy, acting
from .slots import nearest_free


def preview_booking(
    session: AnySession,
    *,
    specialist_id: Any,
    client_id: Any,
    start: datetime,
    actor: User | None,
    now: datetime | None = None,
) -> Location:
    """Where booking `client_id` with the specialist at `start` (one slot long) would be."""
    now, policy = now or clinic_now(), acting(actor)
    specialist = active_row(session, Specialist, specialist_id, "specialist_id", "specialist")
    client = policy.bookable(active_row(session, Client, client_id, "client_id", "client"))
    span = Span(start, start + timedelta(minutes=specialist.slot_minutes))
    booking = Booking(specialist, client, None, span)
    return _answer(
        session,
        booking,
        policy,
        now,
        lambda: check_booking(session, booking, policy, now, lock=False),
    )


def preview_move(
    session: AnySession,
    appointment_id: Any,
    start: datetime,
    *,
    actor: User | None,
    now: datetime | None = None,
) -> Location:
    """Where moving the appointment to `start` (keeping its length) would put it; NotFound
    for an appointment the actor may not see, Conflict for its own time."""
    now, policy = now or clinic_now(), acting(actor)
    appointment = get_row(session, Appointment, appointment_id, "appointment")
    if not policy.sees(appointment):
        raise NotFound(f"There is no appointment {appointment.id}.")
    if start == appointment.starts_at:
        raise Conflict("That is the appointment's time already; choose another.")
    span = Span(start, start + (appointment.ends_at - appointment.starts_at))
    booking = Booking(appointment.specialist, appointment.client, None, span)
    return _answer(
        session,
        booking,
        policy,
        now,
        lambda: check_moving(session, appointment, booking, policy, now),
    )


def _answer(
    session: AnySession,
    booking: Booking,
    policy: Policy,
    now: datetime,
    check: Callable[[], Location],
) -> Location:
    """The location `check` finds, or a Conflict with the reason (and other times when the
    time itself is the trouble)."""
    if policy.online and not policy.books_online(session):
        raise Conflict(BOOKING_OFF)
    try:
        return check()
    except Invalid as refusal:
        suggestions = nearest_free(session, booking.specialist.id, booking.span.start, policy, now)
        raise Conflict(refusal.message, suggestions=suggestions) from None
