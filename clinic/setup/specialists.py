"""Specialists: saving one with their shifts in one unit, and removing one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from ..kernel.clock import clinic_now
from ..kernel.database import writing
from ..kernel.errors import Invalid
from ..kernel.values import AnySession, get_row, limit, parse_note, parse_text
from ..models import (
    LOCATION_ORDER,
    LONGEST_SLOT,
    SHORTEST_SLOT,
    Appointment,
    Location,
    Specialist,
    TimeOff,
    User,
)
from ..scheduling import hold_for_change, set_shifts
from .common import (
    Removal,
    flag,
    name,
    referenced_by,
    refuse_live_upcoming,
    remove,
    saving,
    text,
    whole,
)

MAX_VISIT_TYPES = 20
ABOUT_LENGTH = 1000


def visit_types(value: Any, field: str) -> list[str]:
    """The visit types patients choose from: a list of short texts (or one a line), each once,
    in the order given."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise Invalid({field: "Give a list of visit types."})
    kinds: list[str] = []
    for item in value:
        kind = parse_text(item, field, limit(Appointment.type))
        if kind and kind.casefold() not in {known.casefold() for known in kinds}:
            kinds.append(kind)
    if len(kinds) > MAX_VISIT_TYPES:
        raise Invalid({field: f"Give at most {MAX_VISIT_TYPES} visit types."})
    return kinds


READERS = {
    "first_name": name(Specialist.first_name),
    "last_name": name(Specialist.last_name),
    "phone": text(Specialist.phone),
    "specialty": text(Specialist.specialty),
    "slot_minutes": whole(SHORTEST_SLOT, LONGEST_SLOT),
    "active": flag,
    "about": lambda value, field: parse_note(value, field, ABOUT_LENGTH),
    "visit_types": visit_types,
}


def save_specialist(
    session: AnySession,
    specialist: Specialist | None,
    fields: dict[str, Any],
    *,
    actor: User | None = None,
    now: datetime | None = None,
) -> Specialist:
    """Create (`specialist` None) or change a specialist: the fields given, their default
    location (`default_location_id`) and the shifts they work (`shifts`), all or nothing.
    Switching off one with upcoming appointments is refused, listing them."""
    now = now or clinic_now()
    with writing(session):
        if specialist is not None:
            hold_for_change(session, specialists=[specialist])
        was_active = specialist is not None and specialist.active
        with saving(session, Specialist, specialist, fields, READERS, actor) as specialist:
            if was_active and not specialist.active:
                refuse_live_upcoming(
                    session, Appointment.specialist_id, specialist.id, specialist.full_name, now
                )
            if "default_location_id" in fields:
                specialist.default_location = _default_location(
                    session, fields["default_location_id"], specialist.default_location
                )
        if "shifts" in fields:
            set_shifts(session, specialist, fields["shifts"], actor=actor, now=now)
    return specialist


def default_location_choices(session: AnySession, specialist: Specialist | None) -> list[Location]:
    """The locations a specialist may have as default (see `_default_location`): those in
    use, and the one they have; by name."""
    current = specialist.default_location_id if specialist else None
    return list(
        session.scalars(
            select(Location)
            .where(or_(Location.active, Location.id == (current or 0)))
            .order_by(*LOCATION_ORDER)
        )
    )


def _default_location(
    session: AnySession, location_id: int | None, current: Location | None
) -> Location | None:
    """The active location a specialist may have as default (or None); the one they have
    stays theirs even once switched off, so that the rest of them can still be saved."""
    if location_id is None:
        return None
    if current is not None and str(location_id) == str(current.id):
        return current
    location = session.get(Location, location_id)
    if location is None:
        raise Invalid({"default_location_id": f"There is no location {location_id}."})
    if not location.active:
        raise Invalid({"default_location_id": f"{location.name} is not in use."})
    return location


def remove_specialist(
    session: AnySession,
    specialist_id: Any,
    *,
    actor: User | None = None,
    now: datetime | None = None,
) -> Removal:
    """Delete a specialist nothing refers to; deactivate one with appointments or time off
    (which stay, with their history), refused while appointments are still to come."""
    with writing(session):
        hold_for_change(session, specialists=[specialist_id])
        specialist = get_row(session, Specialist, specialist_id, "specialist")
        refuse_live_upcoming(
            session,
            Appointment.specialist_id,
            specialist.id,
            specialist.full_name,
            now or clinic_now(),
        )
        return remove(
            session,
            specialist,
            [
                referenced_by(Appointment.specialist_id, specialist.id),
                referenced_by(TimeOff.specialist_id, specialist.id),
            ],
            actor,
        )
