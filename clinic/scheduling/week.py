"""A specialist's week as patients see it: the free slots of each day from Monday to Sunday,
and for a day without any, why — in the clinic's words, never the reason staff wrote."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..kernel.clock import clinic_now
from ..kernel.values import FIRST_DAY, LAST_DAY, AnySession, parse_date
from ..models import Specialist
from .calendar import Calendar
from .directory import public_specialist
from .policy import ANONYMOUS, Policy


class DayState(enum.StrEnum):
    """What a day of the week holds for someone looking for a time."""

    FREE = "free"
    """Free slots to choose from."""
    FULL = "full"
    """The specialist works, but nothing is free (booked up, or too soon to book)."""
    NOT_WORKING = "not_working"
    """No shift that weekday, or the specialist's time off covers it."""
    CLOSED = "closed"
    """The clinic's time off covers the specialist's hours."""
    PAST = "past"
    NOT_YET = "not_yet"
    """Further ahead than the clinic takes bookings."""


@dataclass(frozen=True)
class Day:
    """One day of a week: its date, what it holds, and its free slots."""

    date: date
    state: DayState
    slots: list[datetime]


@dataclass(frozen=True)
class Week:
    """A specialist's Monday-to-Sunday week, with today's date for marking it."""

    specialist: Specialist
    days: list[Day]
    today: date

    @property
    def monday(self) -> date:
        return self.days[0].date

    @property
    def previous(self) -> date | None:
        """The Monday before, if the clinic's calendar goes back that far."""
        return _within(self.monday - timedelta(days=7))

    @property
    def following(self) -> date | None:
        """The Monday after, if the clinic's calendar goes on that far."""
        return _within(self.monday + timedelta(days=7))


def _within(day: date) -> date | None:
    """`day` if the clinic reads it (FIRST_DAY to LAST_DAY), else None."""
    return day if FIRST_DAY <= day <= LAST_DAY else None


def monday_of(day: date) -> date:
    """The Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())


def specialist_week(
    session: AnySession,
    specialist_id: int,
    day: date | str,
    *,
    policy: Policy = ANONYMOUS,
    now: datetime | None = None,
    client_id: int | None = None,
    ignore_id: int | None = None,
) -> Week:
    """The week holding `day` of an active specialist (NotFound for an unknown or inactive
    one), with the free slots `policy` may book (and, given `client_id`, the client is free
    for); `ignore_id` is an appointment being moved, whose own time counts as free."""
    monday = monday_of(parse_date(day))
    specialist = public_specialist(session, specialist_id)
    now = now or clinic_now()
    earliest, latest = policy.bounds(session, now)
    sunday = monday + timedelta(days=6)
    calendar = Calendar(
        session, [specialist], monday, sunday, client_id=client_id, ignore_id=ignore_id
    )
    days = []
    for offset in range(7):
        current = monday + timedelta(days=offset)
        slots = calendar.slots(specialist, current, earliest, latest)
        state = DayState.FREE if slots else _why_none(calendar, specialist, current, now, latest)
        days.append(Day(current, state, slots))
    return Week(specialist, days, now.date())


def _why_none(
    calendar: Calendar, specialist: Specialist, day: date, now: datetime, latest: datetime | None
) -> DayState:
    """Why a day has no free slot, in the order a patient would want to hear it."""
    if day < now.date():
        return DayState.PAST
    if not calendar.working("specialist", specialist, day):
        return DayState.NOT_WORKING
    if calendar.closed("clinic", 0, specialist, day):
        return DayState.CLOSED
    if calendar.closed("specialist", specialist.id, specialist, day):
        return DayState.NOT_WORKING
    if latest is not None and day >= latest.date():
        return DayState.NOT_YET
    return DayState.FULL
