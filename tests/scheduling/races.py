"""What the race tests share (test_write_locks, test_lock_keys): how long a first unit is held
open, and what an inconsistent clinic looks like once both units have ended."""

from __future__ import annotations

from helpers import MONDAY
from sqlalchemy import select

from clinic import scheduling
from clinic.extensions import db
from clinic.models import (
    UNDER_WAY,
    Appointment,
    TimeOff,
)
from clinic.scheduling import working_spans

HOLD_SECONDS = 0.5
"""How long the first unit stays open unless the second ends sooner (which, without the locks,
it does: both then commit)."""


def inconsistencies() -> list[str]:
    """Every live appointment that lies outside its specialist's or room's hours, inside a time
    off, or with a switched-off specialist or room, in words."""
    db.session.rollback()
    time_off = db.session.scalars(select(TimeOff)).all()
    found = []
    for appointment in db.session.scalars(
        select(Appointment).where(Appointment.status.in_(UNDER_WAY))
    ):
        span = scheduling.Span(appointment.starts_at, appointment.ends_at)
        for owner in (appointment.specialist, appointment.location):
            if not owner.active:
                found.append(f"{owner!r} is switched off")
            if not any(span.within(hours) for hours in working_spans(owner.shifts, MONDAY)):
                found.append(f"{owner!r} does not work then")
        for off in time_off:
            if (
                off.starts_at < span.end
                and span.start < off.ends_at
                and off.specialist_id in (None, appointment.specialist_id)
                and off.location_id in (None, appointment.location_id)
            ):
                found.append(f"time off {off.id} covers it")
    return found
