"""The front desk's day: for each specialist working it, their hours, appointments, free times
and time off, with the day's cancelled appointments, counts by status and the appointments a
kept time off flags — read in a fixed number of queries, whatever the clinic holds."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from ..kernel.clock import clinic_now
from ..kernel.values import AnySession, parse_date
from ..models import Appointment, AppointmentStatus, Specialist, User
from .agenda import day_appointments
from .calendar import Calendar, Span
from .directory import active_specialists
from .policy import policy_for
from .time_off import flagged

Status = AppointmentStatus


@dataclass
class Column:
    """One specialist's day: working hours, live appointments and free slots by time, and the
    time off (theirs or the clinic's) that falls in it."""

    specialist: Specialist
    hours: list[Span] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    free: list[datetime] = field(default_factory=list)
    away: list[Span] = field(default_factory=list)

    @property
    def entries(self) -> list[tuple[datetime, Appointment | None]]:
        """Appointments and free times in time order: (start, the appointment, or None for a
        free time)."""
        return sorted(
            [(a.starts_at, a) for a in self.appointments] + [(s, None) for s in self.free],
            key=lambda entry: entry[0],
        )


@dataclass
class DayPlan:
    """The desk's view of a day."""

    day: date
    columns: list[Column]
    cancelled: list[Appointment]
    counts: dict[Status, int]
    flagged: set[int]

    @property
    def appointments(self) -> list[Appointment]:
        """Every appointment of the day shown, live and cancelled, by time."""
        return sorted(
            [a for column in self.columns for a in column.appointments] + self.cancelled,
            key=lambda a: (a.starts_at, a.id),
        )


def day_plan(
    session: AnySession,
    viewer: User,
    day: date | str,
    *,
    location_id: int | None = None,
    specialty: str = "",
    now: datetime | None = None,
) -> DayPlan:
    """The day for staff: a column per specialist who works it or has appointments on it
    (of `specialty`, and by default or by appointment at `location_id`, when given), free
    times by the staff's rules (from now on), appointments at `location_id` only when given."""
    day, now = parse_date(day), now or clinic_now()
    filters = {} if location_id is None else {"location_id": location_id}
    appointments = day_appointments(session, viewer, day, **filters)
    columns = {
        s.id: Column(s) for s in _specialists(session, day, appointments, location_id, specialty)
    }
    _fill_hours(session, [c for c in columns.values() if c.specialist.active], day, viewer, now)
    cancelled = []
    for appointment in appointments:
        if appointment.specialist_id not in columns:
            continue
        if appointment.status is Status.CANCELLED:
            cancelled.append(appointment)
        else:
            columns[appointment.specialist_id].appointments.append(appointment)
    shown = [a for column in columns.values() for a in column.appointments] + cancelled
    counts = Counter(a.status for a in shown)
    return DayPlan(
        day=day,
        columns=list(columns.values()),
        cancelled=cancelled,
        counts={status: counts.get(status, 0) for status in Status},
        flagged=flagged(session, shown),
    )


def _specialists(
    session: AnySession,
    day: date,
    appointments: list[Appointment],
    location_id: int | None,
    specialty: str,
) -> list[Specialist]:
    """Who has a column: the active specialists with a shift that weekday and anyone with
    appointments that day, of `specialty` and at `location_id` when given; by name."""
    shown = {s.id: s for s in active_specialists(session) if _works(s, day)}
    for appointment in appointments:
        shown.setdefault(appointment.specialist_id, appointment.specialist)
    booked_there = {a.specialist_id for a in appointments}
    return sorted(
        (
            s
            for s in shown.values()
            if (not specialty or s.specialty.casefold() == specialty.casefold())
            and (
                location_id is None or s.default_location_id == location_id or s.id in booked_there
            )
        ),
        key=lambda s: (s.last_name, s.first_name, s.id),
    )


def _fill_hours(
    session: AnySession, columns: list[Column], day: date, viewer: User, now: datetime
) -> None:
    """Give the columns of active specialists their hours, free slots (by the viewer's rules)
    and time off that day, from one calendar read."""
    if not columns:
        return
    earliest, latest = policy_for(viewer).bounds(session, now)
    calendar = Calendar(session, [column.specialist for column in columns], day, day)
    for column in columns:
        specialist = column.specialist
        column.hours = calendar.working("specialist", specialist, day)
        column.free = calendar.slots(specialist, day, earliest, latest)
        column.away = sorted(
            busy.span
            for key in (("specialist", specialist.id), ("clinic", 0))
            for busy in calendar.busy.get((*key, day), ())
            if busy.appointment_id is None
        )


def _works(specialist: Specialist, day: date) -> bool:
    """Whether a shift of the specialist falls on `day`'s weekday."""
    return any(shift.weekday == day.weekday() for shift in specialist.shifts)
