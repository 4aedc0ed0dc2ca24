"""Whether a booking or a move would go through, asked before the person confirms it: every
rule the change itself checks, nothing written. The answer is where it would be, or a Conflict
saying why not (as the change would say it) with the nearest free times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..clock import clinic_now
from ..models import Appointment, Client, Location, Specialist, User
from .calendar import Span
from .errors import Conflict, Invalid, NotFound
from .placing import Request, place
from .policy import Policy, acting
from .slots import nearest_free
from .values import AnySession, active_row, get_row


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
    return _placed(session, Request(specialist, client, None, span), None, policy, now)


def preview_move(
    session: AnySession,
    appointment_id: Any,
    start: datetime,
    *,
    actor: User | None,
    now: datetime | None = None,
) -> Location:
    """Where moving the appointment to `start` (keeping its length) would put it; NotFound
    for an appointment the actor may not see."""
    now, policy = now or clinic_now(), acting(actor)
    appointment = get_row(session, Appointment, appointment_id, "appointment")
    if not policy.sees(appointment):
        raise NotFound(f"There is no appointment {appointment.id}.")
    policy.check_move(session, appointment, now)
    if start == appointment.starts_at:
        raise Conflict("That is the appointment's time already; choose another.")
    span = Span(start, start + (appointment.ends_at - appointment.starts_at))
    request = Request(appointment.specialist, appointment.client, None, span)
    return _placed(session, request, appointment.id, policy, now)


def _placed(
    session: AnySession, request: Request, ignore_id: int | None, policy: Policy, now: datetime
) -> Location:
    """The location `request` would take, or a Conflict with the reason and other times."""
    try:
        policy.check_start(session, request.span, now)
        return place(session, request, ignore_id, policy, now)
    except Invalid as refusal:
        suggestions = nearest_free(session, request.specialist.id, request.span.start, policy, now)
        raise Conflict(refusal.message, suggestions=suggestions) from None
