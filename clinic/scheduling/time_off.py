"""Time off: dated blocks when a specialist, a location or the whole clinic is closed.

Saving one answers the live appointments it covers. The caller decides what becomes of them:
keep them (they stay booked, flagged wherever appointments are shown, until moved) or cancel
those not yet begun, each client told by email once the unit commits. Without a decision, a
time off that newly covers appointments is refused, listing them, so that nobody closes over
bookings unawares (changing one asks only about the appointments it did not cover before).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import joinedload

from .. import audit
from ..kernel.clock import clinic_now
from ..kernel.database import writing
from ..kernel.errors import Conflict, Invalid
from ..kernel.values import AnySession, active_row, get_row, limit, parse_moment, parse_text
from ..models import (
    UNDER_WAY,
    Appointment,
    AppointmentStatus,
    Location,
    Specialist,
    TimeOff,
    User,
)
from .appointments import update_appointment
from .locks import hold_for_change


class Covered(enum.StrEnum):
    """What to do with the live appointments a time off covers."""

    KEEP = "keep"
    CANCEL = "cancel"


@dataclass
class TimeOffSaved:
    """A saved time off and the appointments it covers: kept (flagged) or cancelled."""

    time_off: TimeOff
    kept: list[Appointment] = field(default_factory=list)
    cancelled: list[Appointment] = field(default_factory=list)


def save_time_off(
    session: AnySession,
    time_off_id: Any = None,
    *,
    starts_at: Any,
    ends_at: Any,
    specialist_id: Any = None,
    location_id: Any = None,
    reason: Any = "",
    covered: Covered | str | None = None,
    actor: User | None = None,
    now: datetime | None = None,
) -> TimeOffSaved:
    """Add (no id) or change a time off of a specialist, a location or (neither) the clinic.

    When it covers live upcoming appointments, `covered` says whether to keep them or cancel
    those not yet begun; without it, appointments it did not cover before make it a Conflict
    listing them. One unit of work.
    """
    now = now or clinic_now()
    with writing(session):
        _hold_scope(session, specialist_id, location_id)
        time_off = (
            TimeOff() if time_off_id is None else get_row(session, TimeOff, time_off_id, "time off")
        )
        before = None if time_off_id is None else audit.snapshot(time_off)
        known = (
            set()
            if before is None
            else {appointment.id for appointment in covered_appointments(session, time_off, now)}
        )
        _apply(session, time_off, starts_at, ends_at, specialist_id, location_id, reason)
        _refuse_repeat(session, time_off)
        session.add(time_off)
        session.flush()
        appointments = covered_appointments(session, time_off, now)
        decision = _decision(covered, [a for a in appointments if a.id not in known])
        audit.record(session, actor, "update" if before else "create", time_off, before)
        saved = TimeOffSaved(time_off)
        for appointment in appointments:
            if (
                decision is Covered.CANCEL
                and appointment.status is AppointmentStatus.BOOKED
                and appointment.starts_at >= now
            ):
                update_appointment(
                    session,
                    appointment.id,
                    {"status": AppointmentStatus.CANCELLED, "reason": _cancel_reason(time_off)},
                    actor=actor,
                    now=now,
                )
                saved.cancelled.append(appointment)
            else:
                saved.kept.append(appointment)
    return saved


def remove_time_off(session: AnySession, time_off_id: Any, *, actor: User | None = None) -> None:
    """Delete a time off (the appointments it flagged are no longer flagged)."""
    with writing(session):
        time_off = get_row(session, TimeOff, time_off_id, "time off")
        audit.record(session, actor, "delete", time_off, audit.snapshot(time_off))
        session.delete(time_off)


def covered_appointments(
    session: AnySession, time_off: TimeOff, now: datetime
) -> list[Appointment]:
    """The live appointments, not yet ended, that fall (partly) in a time off's scope and
    span."""
    statement = (
        select(Appointment)
        .where(Appointment.status.in_(UNDER_WAY))
        .where(
            Appointment.ends_at > max(now, time_off.starts_at),
            Appointment.starts_at < time_off.ends_at,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    if time_off.specialist_id is not None:
        statement = statement.where(Appointment.specialist_id == time_off.specialist_id)
    elif time_off.location_id is not None:
        statement = statement.where(Appointment.location_id == time_off.location_id)
    return list(session.scalars(statement))


def flagged(session: AnySession, appointments: Sequence[Appointment]) -> set[int]:
    """The ids of those live appointments that lie (partly) in a time off of their specialist,
    their location or the clinic: kept when the time off was saved, still to be moved. One
    query."""
    live = [a for a in appointments if a.status in UNDER_WAY]
    if not live:
        return set()
    first, last = min(a.starts_at for a in live), max(a.ends_at for a in live)
    overlapping = session.execute(
        select(TimeOff.specialist_id, TimeOff.location_id, TimeOff.starts_at, TimeOff.ends_at)
        .where(TimeOff.starts_at < last, TimeOff.ends_at > first)
        .where(
            or_(
                TimeOff.specialist_id.in_({a.specialist_id for a in live}),
                TimeOff.location_id.in_({a.location_id for a in live}),
                and_(TimeOff.specialist_id.is_(None), TimeOff.location_id.is_(None)),
            )
        )
    ).all()
    return {
        a.id
        for a in live
        for specialist_id, location_id, starts_at, ends_at in overlapping
        if starts_at < a.ends_at
        and a.starts_at < ends_at
        and (
            specialist_id in (None, a.specialist_id)
            if location_id is None
            else location_id == a.location_id
        )
    }


def _apply(
    session: AnySession,
    time_off: TimeOff,
    starts_at: Any,
    ends_at: Any,
    specialist_id: Any,
    location_id: Any,
    reason: Any,
) -> None:
    """Read the fields onto the time off."""
    time_off.starts_at = parse_moment(starts_at, "starts_at")
    time_off.ends_at = parse_moment(ends_at, "ends_at")
    if time_off.ends_at <= time_off.starts_at:
        raise Invalid({"ends_at": "The time off must end after it starts."})
    if specialist_id not in (None, "") and location_id not in (None, ""):
        raise Invalid({"location_id": "A time off is of a specialist or of a location, not both."})
    time_off.specialist = _scope(
        session, Specialist, specialist_id, "specialist", time_off.specialist
    )
    time_off.location = _scope(session, Location, location_id, "location", time_off.location)
    time_off.reason = parse_text(reason, "reason", limit(TimeOff.reason))


def _hold_scope(session: AnySession, specialist_id: Any, location_id: Any) -> None:
    """The write lock of whom a time off closes: the specialist, the location, or (neither)
    the whole clinic."""
    if specialist_id not in (None, ""):
        hold_for_change(session, specialists=[specialist_id])
    elif location_id not in (None, ""):
        hold_for_change(session, locations=[location_id])
    else:
        hold_for_change(session, clinic=True)


def _refuse_repeat(session: AnySession, time_off: TimeOff) -> None:
    """Refuse a time off that is recorded already: the same scope, start and end."""
    statement = select(TimeOff.id).where(
        TimeOff.specialist_id.is_(None)
        if time_off.specialist is None
        else TimeOff.specialist_id == time_off.specialist.id,
        TimeOff.location_id.is_(None)
        if time_off.location is None
        else TimeOff.location_id == time_off.location.id,
        TimeOff.starts_at == time_off.starts_at,
        TimeOff.ends_at == time_off.ends_at,
    )
    if time_off.id is not None:
        statement = statement.where(TimeOff.id != time_off.id)
    if session.scalar(statement.limit(1)) is not None:
        raise Conflict("This time off is recorded already.")


def _scope(session: AnySession, model: type, value: Any, what: str, current: Any) -> Any:
    """The specialist or location a time off is of: an active one, or the one it already had
    (so that a time off of someone since switched off can still be changed)."""
    if value in (None, ""):
        return None
    if current is not None and str(value) == str(current.id):
        return current
    return active_row(session, model, value, f"{what}_id", what)


def _decision(covered: Covered | str | None, appointments: list[Appointment]) -> Covered:
    """What to do with the covered appointments; Conflict listing them when undecided."""
    if covered in (None, ""):
        if appointments:
            raise Conflict(
                f"{len(appointments)} upcoming appointment(s) fall in this time "
                "off; keep them (to move later) or cancel them.",
                appointments=appointments,
            )
        return Covered.KEEP
    try:
        return Covered(covered)
    except ValueError:
        raise Invalid({"covered": "Choose to keep or to cancel the appointments."}) from None


def _cancel_reason(time_off: TimeOff) -> str:
    """The cancel reason a client reads: never the staff's free-text reason."""
    if time_off.specialist is not None:
        return f"{time_off.specialist.full_name} is not working then."
    return (
        "The clinic is closed then."
        if time_off.location is None
        else (f"{time_off.location.name} is closed then.")
    )


def time_off_query(now: datetime, *, past: bool = False) -> Select:
    """Time off not yet over at `now` (clinic time), soonest first; or (`past`) those over,
    the latest first; each with its specialist and location in the same query."""
    statement = select(TimeOff).options(
        joinedload(TimeOff.specialist), joinedload(TimeOff.location)
    )
    if past:
        return statement.where(TimeOff.ends_at <= now).order_by(
            TimeOff.starts_at.desc(), TimeOff.id.desc()
        )
    return statement.where(TimeOff.ends_at > now).order_by(TimeOff.starts_at, TimeOff.id)
