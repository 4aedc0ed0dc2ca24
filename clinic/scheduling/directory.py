"""Who sees which specialists, locations and shifts, and in what order: the one reader both
doors and every page use, so that a switched-off specialist is hidden (or shown) alike as an
item, in a list and through their free slots.

Switched-off specialists and locations are seen by those who set the clinic up (admins and
the system: `Policy.sees_inactive`); everyone else — the public, clients, the front desk — sees
those in use only. Also what the public searches by (names, specialty, place).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ..kernel.errors import NotFound
from ..kernel.values import AnySession, key_of, parse_text
from ..models import (
    LOCATION_ORDER,
    SHIFT_ORDER,
    SPECIALIST_ORDER,
    Location,
    Shift,
    Specialist,
    location_shifts,
    specialist_shifts,
)
from .policy import ANONYMOUS, SYSTEM, Policy

MAX_SEARCH_LENGTH = 100
"""The longest search the clinic reads, of specialists or clients (a name, a phone number or an
address fits)."""
SPECIALIST_SCHEDULE = (
    selectinload(Specialist.shifts),
    selectinload(Specialist.default_location).selectinload(Location.shifts),
)
"""Loader options giving specialists what free-slot computations read."""


def seen_specialists(policy: Policy, ids: Sequence[int] | None = None) -> Select:
    """The specialists (all, or those of `ids`) whom `policy`'s actor sees, by name, loaded
    with what free-slot reads need."""
    statement = select(Specialist).options(*SPECIALIST_SCHEDULE).order_by(*SPECIALIST_ORDER)
    if not policy.sees_inactive:
        statement = statement.where(Specialist.active)
    if ids is not None:
        statement = statement.where(Specialist.id.in_(ids))
    return statement


def seen_specialist(session: AnySession, policy: Policy, specialist_id: object) -> Specialist:
    """The specialist `policy`'s actor may see, with their schedule; NotFound for an unknown
    one or one they do not see (switched off, to all but admins)."""
    key = key_of(specialist_id, "specialist")
    specialist = session.get(Specialist, key, options=SPECIALIST_SCHEDULE)
    if specialist is None or not (specialist.active or policy.sees_inactive):
        raise NotFound(f"There is no specialist {key}.")
    return specialist


def active_specialists(session: AnySession, ids: Sequence[int] | None = None) -> list[Specialist]:
    """The specialists in use (all, or those of `ids`), by name, with their schedules: those
    a booking may name."""
    return list(session.scalars(seen_specialists(ANONYMOUS, ids)))


def public_specialist(session: AnySession, specialist_id: int) -> Specialist:
    """An active specialist with what free-slot reads need; NotFound for an unknown or
    inactive one (the public never sees switched-off specialists)."""
    return seen_specialist(session, ANONYMOUS, specialist_id)


def find_specialists(
    session: AnySession,
    *,
    search: str = "",
    specialty: str = "",
    location_id: int | None = None,
) -> list[Specialist]:
    """The active specialists whose name or specialty holds every word of `search`, of the
    `specialty` given, seeing clients at `location_id` by default; by name, loaded with what
    free-slot reads need. Invalid for a search with control characters or over 100 long.

    Matching is done here rather than in SQL so that case is ignored in every script alike
    (SQLite's lower() knows only ASCII); a clinic's specialists are a few dozen rows."""
    words = parse_text(search, "q", MAX_SEARCH_LENGTH).casefold().split()
    return [
        specialist
        for specialist in active_specialists(session)
        if all(word in _searchable(specialist) for word in words)
        and (not specialty or specialist.specialty.casefold() == specialty.casefold())
        and (location_id is None or specialist.default_location_id == location_id)
    ]


def _searchable(specialist: Specialist) -> str:
    """The text a search looks in: the names and the specialty."""
    return f"{specialist.first_name} {specialist.last_name} {specialist.specialty}".casefold()


def specialties(session: AnySession) -> list[str]:
    """The specialties of the active specialists, each once, alphabetically."""
    return list(
        session.scalars(
            select(Specialist.specialty)
            .where(Specialist.active, Specialist.specialty != "")
            .distinct()
            .order_by(Specialist.specialty)
        )
    )


def seen_locations(policy: Policy, *order: object, shifts: bool = False) -> Select:
    """The locations `policy`'s actor sees (with their shifts loaded when asked); by name
    unless another `order` is given (the API lists them by id, as the original did)."""
    statement = select(Location)
    if shifts:
        statement = statement.options(selectinload(Location.shifts))
    if not policy.sees_inactive:
        statement = statement.where(Location.active)
    return statement.order_by(*(order or LOCATION_ORDER))


def seen_location(session: AnySession, policy: Policy, location_id: object) -> Location:
    """The location `policy`'s actor may see; NotFound otherwise."""
    key = key_of(location_id, "location")
    location = session.get(Location, key, options=[selectinload(Location.shifts)])
    if location is None or not (location.active or policy.sees_inactive):
        raise NotFound(f"There is no location {key}.")
    return location


def public_locations(session: AnySession, shifts: bool = False) -> list[Location]:
    """The locations in use, by name (with their shifts loaded when asked)."""
    return list(session.scalars(seen_locations(ANONYMOUS, shifts=shifts)))


def every_location(session: AnySession) -> list[Location]:
    """Every location, those switched off too, by name, with their shifts: for setting the
    clinic up."""
    return list(session.scalars(seen_locations(SYSTEM, shifts=True)))


def counted(statement: Select) -> Select:
    """How many rows one of these readers' statements gives, as a scalar subquery (to count
    several in one query)."""
    return select(func.count()).select_from(statement.order_by(None).subquery()).scalar_subquery()


def every_shift(session: AnySession) -> list[Shift]:
    """Every shift, by weekday and time (everyone sees them all: they hold no one's data)."""
    return list(session.scalars(select(Shift).order_by(*SHIFT_ORDER)))


def shift_workers(
    session: AnySession, shift_ids: Sequence[int] | None = None
) -> dict[int, dict[str, list]]:
    """Who works each shift (all, or those of `shift_ids`): its "specialists" and
    "locations", switched-off ones too, each by name; one query for each kind."""
    found: dict[int, dict[str, list]] = defaultdict(lambda: {"specialists": [], "locations": []})
    for kind, model, table, order in (
        ("specialists", Specialist, specialist_shifts, SPECIALIST_ORDER),
        ("locations", Location, location_shifts, LOCATION_ORDER),
    ):
        statement = select(table.c.shift_id, model).join(model).order_by(*order)
        if shift_ids is not None:
            statement = statement.where(table.c.shift_id.in_(shift_ids))
        for shift_id, owner in session.execute(statement):
            found[shift_id][kind].append(owner)
    return found
