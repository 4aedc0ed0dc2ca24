"""What the public finds: the active specialists by name or specialty and by place, and what
there is to filter by."""

from __future__ import annotations

from sqlalchemy import select

from ..models import Location, Specialist
from .errors import NotFound
from .slots import SPECIALIST_SCHEDULE, active_specialists
from .values import AnySession, key_of, parse_text

MAX_SEARCH_LENGTH = 100


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


def public_specialist(session: AnySession, specialist_id: int) -> Specialist:
    """An active specialist with what free-slot reads need; NotFound for an unknown or
    inactive one (the public never sees switched-off specialists)."""
    key = key_of(specialist_id, "specialist")
    specialist = session.get(Specialist, key, options=SPECIALIST_SCHEDULE)
    if specialist is None or not specialist.active:
        raise NotFound(f"There is no specialist {key}.")
    return specialist


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


def public_locations(session: AnySession) -> list[Location]:
    """The locations in use, by name."""
    return list(session.scalars(select(Location).where(Location.active).order_by(Location.name)))
