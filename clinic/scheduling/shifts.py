"""Shifts: the weekly blocks specialists and locations work. Creating, changing and removing
them, and choosing the ones a specialist or location works; a change that would leave booked
appointments outside the working hours is refused, listing them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from .. import audit
from ..kernel.clock import clinic_now
from ..kernel.database import writing
from ..kernel.errors import Conflict, Invalid
from ..kernel.values import AnySession, get_row, name_of, parse_id, parse_time, parse_weekday
from ..models import (
    UNDER_WAY,
    Appointment,
    Location,
    Shift,
    Specialist,
    User,
    location_shifts,
    specialist_shifts,
)
from .calendar import Span, working_spans
from .locks import hold_for_change
from .schedules import ShiftTimes


def read_shift(weekday: Any, start_time: Any, end_time: Any) -> ShiftTimes:
    """A shift's weekday and times, start before end; errors name the fields as people say
    them (`weekday`, `from_hour`, `to_hour`)."""
    times = ShiftTimes(
        parse_weekday(weekday), parse_time(start_time, "from_hour"), parse_time(end_time, "to_hour")
    )
    if times.end_time <= times.start_time:
        raise Invalid({"to_hour": "The shift must end after it starts."})
    return times


def stranded(
    session: AnySession,
    specialists: dict[int, list[Any]],
    locations: dict[int, list[Any]],
    now: datetime,
) -> list[Appointment]:
    """Future live appointments that would fall outside their specialist's or location's
    shifts if those were the given ones."""
    if not specialists and not locations:
        return []
    upcoming = session.scalars(
        select(Appointment)
        .where(Appointment.status.in_(UNDER_WAY))
        .where(Appointment.ends_at > now)
        .where(
            or_(
                Appointment.specialist_id.in_(list(specialists)),
                Appointment.location_id.in_(list(locations)),
            )
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    found = []
    for appointment in upcoming:
        span = Span(appointment.starts_at, appointment.ends_at)
        for owners, key in (
            (specialists, appointment.specialist_id),
            (locations, appointment.location_id),
        ):
            if key in owners and not any(
                span.within(interval) for interval in working_spans(owners[key], span.start.date())
            ):
                found.append(appointment)
                break
    return found


def refuse_stranding(
    appointments: list[Appointment], what: str = "fall outside the working hours"
) -> None:
    """Conflict listing the upcoming appointments a change would leave stranded."""
    if appointments:
        raise Conflict(
            f"{len(appointments)} upcoming appointment(s) would {what}; move or cancel them first.",
            appointments=appointments,
        )


def create_shift(
    session: AnySession, weekday: Any, start_time: Any, end_time: Any, *, actor: User | None = None
) -> tuple[Shift, bool]:
    """The shift with these times, made (and audited) when there is none; and whether it was
    made."""
    with writing(session):
        times = read_shift(weekday, start_time, end_time)
        shift = session.scalar(select(Shift).filter_by(**times._asdict()))
        if shift is not None:
            return shift, False
        shift = Shift(**times._asdict())
        session.add(shift)
        audit.record(session, actor, "create", shift)
    return shift, True


def update_shift(
    session: AnySession,
    shift_id: Any,
    *,
    weekday: Any,
    start_time: Any,
    end_time: Any,
    actor: User | None = None,
    now: datetime | None = None,
) -> Shift:
    """Change a shift's times; refused while an upcoming appointment would fall outside them."""
    now = now or clinic_now()
    with writing(session):
        hold_for_change(session, clinic=True)  # the hours of everyone working the shift
        shift = get_row(session, Shift, shift_id, "shift")
        times = read_shift(weekday, start_time, end_time)
        same = select(Shift.id).filter_by(**times._asdict()).where(Shift.id != shift.id)
        if session.scalar(same):
            raise Invalid({"weekday": "That shift exists already."})
        specialists, locations = (
            {
                owner.id: [times, *(s for s in owner.shifts if s.id != shift.id)]
                for owner in session.scalars(
                    select(model).join(table).where(table.c.shift_id == shift.id)
                )
            }
            for model, table in ((Specialist, specialist_shifts), (Location, location_shifts))
        )
        refuse_stranding(stranded(session, specialists, locations, now))
        before = audit.snapshot(shift)
        shift.weekday, shift.start_time, shift.end_time = times
        audit.record(session, actor, "update", shift, before)
    return shift


def remove_shift(session: AnySession, shift_id: Any, *, actor: User | None = None) -> None:
    """Delete a shift no specialist or location works; Conflict naming who does."""
    with writing(session):
        shift = get_row(session, Shift, shift_id, "shift")
        workers = [
            *session.scalars(
                select(Specialist)
                .join(specialist_shifts)
                .where(specialist_shifts.c.shift_id == shift.id)
            ),
            *session.scalars(
                select(Location).join(location_shifts).where(location_shifts.c.shift_id == shift.id)
            ),
        ]
        if workers:
            raise Conflict(
                "The shift is still worked by " + ", ".join(name_of(w) for w in workers) + "."
            )
        audit.record(session, actor, "delete", shift, audit.snapshot(shift))
        session.delete(shift)


def set_shifts(
    session: AnySession,
    owner: Specialist | Location,
    shifts: Sequence[Any],
    *,
    actor: User | None = None,
    now: datetime | None = None,
) -> None:
    """Replace the shifts a specialist or location works; refused while an upcoming
    appointment would fall outside the new ones. Each item is a shift id or a (weekday,
    start, end), made when new."""
    now = now or clinic_now()
    with writing(session):
        if isinstance(owner, Specialist):
            hold_for_change(session, specialists=[owner])
        else:
            hold_for_change(session, locations=[owner])
        known = _shifts_by_id(session, shifts)
        chosen = [
            _shift_item(session, index, item, known, actor) for index, item in enumerate(shifts)
        ]
        if owner.id is not None:
            planned = {owner.id: chosen}
            if isinstance(owner, Specialist):
                refuse_stranding(stranded(session, planned, {}, now))
            else:
                refuse_stranding(stranded(session, {}, planned, now))
        before = {"shifts": sorted(shift.id for shift in owner.shifts)}
        owner.shifts = list(dict.fromkeys(chosen))
        after = {"shifts": sorted(shift.id for shift in owner.shifts)}
        if after != before:
            entry = audit.record(session, actor, "shifts", owner, before)
            entry.after = after


def _is_times(item: Any) -> bool:
    """Whether a shift item is (weekday, start, end) rather than an id."""
    return isinstance(item, Sequence) and not isinstance(item, str)


def _shifts_by_id(session: AnySession, items: Sequence[Any]) -> dict[int, Shift]:
    """The shifts the items name by id, read at once (unknown or bad ids are left out)."""
    ids = set()
    for item in items:
        if not _is_times(item):
            try:
                ids.add(parse_id(item, "shifts"))
            except Invalid:
                continue
    if not ids:
        return {}
    return {shift.id: shift for shift in session.scalars(select(Shift).where(Shift.id.in_(ids)))}


def _shift_item(
    session: AnySession, index: int, item: Any, known: dict[int, Shift], actor: User | None
) -> Shift:
    """A shift given by id (among those `known`), or by (weekday, start, end) made when new."""
    if _is_times(item):
        return create_shift(session, *item, actor=actor)[0]
    shift = known.get(parse_id(item, f"shifts.{index}"))
    if shift is None:
        raise Invalid({f"shifts.{index}": f"There is no shift {item}."})
    return shift
