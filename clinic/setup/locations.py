"""Locations (rooms): saving one with its shifts in one unit, and removing one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..kernel.clock import clinic_now
from ..kernel.database import writing
from ..kernel.errors import Invalid
from ..kernel.values import AnySession, get_row
from ..models import Appointment, Location, Specialist, TimeOff, User
from ..scheduling import hold_for_change, set_shifts
from .common import Removal, flag, name, referenced_by, refuse_live_upcoming, remove, saving, text

READERS = {"name": name(Location.name), "address": text(Location.address), "active": flag}


def save_location(
    session: AnySession,
    location: Location | None,
    fields: dict[str, Any],
    *,
    actor: User | None = None,
    now: datetime | None = None,
) -> Location:
    """Create (`location` None) or change a location and the shifts it is open (`shifts`), all
    or nothing; names are unique. Switching off one with upcoming appointments is refused."""
    now = now or clinic_now()
    with writing(session):
        if location is not None:
            hold_for_change(session, locations=[location])
        was_active = location is not None and location.active
        with saving(session, Location, location, fields, READERS, actor) as location:
            taken = select(Location.id).where(func.lower(Location.name) == location.name.lower())
            with session.no_autoflush:
                taken = session.scalar(taken.where(Location.id != (location.id or 0)))
            if taken:
                raise Invalid({"name": f"There is already a location called {location.name}."})
            if was_active and not location.active:
                refuse_live_upcoming(
                    session, Appointment.location_id, location.id, location.name, now
                )
        if "shifts" in fields:
            set_shifts(session, location, fields["shifts"], actor=actor, now=now)
    return location


def remove_location(
    session: AnySession, location_id: Any, *, actor: User | None = None, now: datetime | None = None
) -> Removal:
    """Delete a location nothing refers to; deactivate one with appointments, specialists or
    time off, refused while appointments there are still to come."""
    with writing(session):
        hold_for_change(session, locations=[location_id])
        location = get_row(session, Location, location_id, "location")
        refuse_live_upcoming(
            session, Appointment.location_id, location.id, location.name, now or clinic_now()
        )
        return remove(
            session,
            location,
            [
                referenced_by(Appointment.location_id, location.id),
                referenced_by(Specialist.default_location_id, location.id),
                referenced_by(TimeOff.location_id, location.id),
            ],
            actor,
        )
