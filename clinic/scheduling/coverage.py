"""Where a specialist's working hours find no room: the parts of their shifts, weekday by
weekday, that no location is open for, so that they show no free times then.

A slot needs the specialist's default location open for it, or, without a default, some active
location (see DESIGN "Locations and slots"). These reads take the locations' merged hours
together; a slot that would straddle two rooms' hours is not looked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from ..kernel.values import AnySession
from ..models import Location, Specialist
from .calendar import Span, working_spans
from .directory import public_locations
from .schedules import ShiftTimes

A_MONDAY = date(2024, 1, 1)
"""Any Monday: weekly hours are laid on the week it begins to merge them as spans."""


def weekly_hours(shifts: Iterable[Any]) -> dict[int, list[Span]]:
    """The shifts' hours, overlapping and touching ones merged, per weekday (0 is Monday) of
    the week beginning A_MONDAY."""
    shifts = list(shifts)
    merged = {}
    for weekday in range(7):
        spans = working_spans(shifts, A_MONDAY + timedelta(days=weekday))
        if spans:
            merged[weekday] = spans
    return merged


def uncovered(hours: Sequence[Span], open_hours: Sequence[Span]) -> list[Span]:
    """The parts of `hours` outside every one of `open_hours` (both sorted and merged)."""
    left: list[Span] = []
    for span in hours:
        start = span.start
        for opening in open_hours:
            if opening.end <= start or opening.start >= span.end:
                continue
            if opening.start > start:
                left.append(Span(start, opening.start))
            start = max(start, opening.end)
        if start < span.end:
            left.append(Span(start, span.end))
    return left


def unplaced_hours(session: AnySession, specialist: Specialist) -> list[ShiftTimes]:
    """The parts of the specialist's weekly working hours no location can hold, by weekday
    and time: their default location's hours if they have one, else any active location's."""
    return unplaced_by_specialist(session, [specialist])[specialist.id]


def unplaced_by_specialist(
    session: AnySession, specialists: Sequence[Specialist]
) -> dict[int, list[ShiftTimes]]:
    """`unplaced_hours` of each specialist, by id, in a fixed number of queries (give them
    with their shifts and default location's shifts loaded, e.g. SPECIALIST_SCHEDULE)."""
    anywhere: list[Span] | None = None
    unplaced = {}
    for specialist in specialists:
        default = specialist.default_location
        if default is not None:
            rooms = [default] if default.active else []
        else:
            if anywhere is None:
                anywhere = public_locations(session, shifts=True)
            rooms = anywhere
        unplaced[specialist.id] = _outside(specialist.shifts, rooms)
    return unplaced


def _outside(shifts: Iterable[Any], rooms: Sequence[Location]) -> list[ShiftTimes]:
    """The weekly hours of `shifts` that none of `rooms` is open."""
    open_hours = weekly_hours(shift for room in rooms for shift in room.shifts)
    return [
        ShiftTimes(weekday, span.start.time(), span.end.time())
        for weekday, spans in weekly_hours(shifts).items()
        for span in uncovered(spans, open_hours.get(weekday, []))
    ]
