"""Free slots: of a specialist on a day or a range of days, of every specialist on a day, the
next free one, and the nearest free ones to a wanted time.

Each read takes the `policy` of whoever looks: by default an anonymous visitor's, which adds
the minimum notice and the horizon to "from now on"; staff (and the system) see every free time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from ..kernel.clock import clinic_now
from ..kernel.errors import Invalid
from ..kernel.values import LAST_DAY, AnySession, get_row, key_of, parse_date
from ..models import Specialist
from .calendar import Calendar
from .policy import ANONYMOUS, Policy
from .schedules import read_schedules

MAX_RANGE_DAYS = 62
SUGGESTIONS = 3
FIRST_LOOK_DAYS = 7
"""The next free times of many specialists are looked for in this first week, then in the rest
of the range at once: two reads at most, whatever the number of specialists or bookings."""


def free_slots_range(
    session: AnySession,
    specialist_id: int,
    first: date | str,
    last: date | str,
    *,
    policy: Policy = ANONYMOUS,
    now: datetime | None = None,
) -> dict[date, list[datetime]]:
    """The free slots of a specialist on each day from `first` to `last` (at most 62 days).

    An unknown specialist is NotFound; an inactive one has no free slots.
    """
    first, last = parse_date(first, "from"), parse_date(last, "to")
    if last < first:
        raise Invalid({"to": "The last day comes before the first."})
    if (last - first).days >= MAX_RANGE_DAYS:
        raise Invalid({"to": f"Ask for at most {MAX_RANGE_DAYS} days at a time."})
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    specialists, any_room = read_schedules(session, [key_of(specialist_id, "specialist")])
    if not specialists:
        get_row(session, Specialist, specialist_id, "specialist")
        return {day: [] for day in days}
    earliest, latest = policy.bounds(session, now or clinic_now())
    calendar = Calendar(session, specialists, first, last, any_room=any_room)
    return {day: calendar.slots(specialists[0], day, earliest, latest) for day in days}


def free_slots(
    session: AnySession,
    specialist_id: int,
    day: date | str,
    *,
    policy: Policy = ANONYMOUS,
    now: datetime | None = None,
) -> list[datetime]:
    """The free slots of a specialist on one day."""
    day = parse_date(day)
    return free_slots_range(session, specialist_id, day, day, policy=policy, now=now)[day]


def free_slots_by_specialist(
    session: AnySession,
    day: date | str,
    specialists: Sequence[Specialist] | None = None,
    *,
    policy: Policy = ANONYMOUS,
    now: datetime | None = None,
) -> dict[int, list[datetime]]:
    """The free slots on one day of every active specialist, or of the active ones among
    `specialists` (already loaded, ideally with `SPECIALIST_SCHEDULE`, saving a query)."""
    day = parse_date(day)
    any_room = None
    if specialists is None:
        specialists, any_room = read_schedules(session)
    else:
        specialists = [specialist for specialist in specialists if specialist.active]
    if not specialists:
        return {}
    earliest, latest = policy.bounds(session, now or clinic_now())
    calendar = Calendar(session, specialists, day, day, any_room=any_room)
    return {s.id: calendar.slots(s, day, earliest, latest) for s in specialists}


def next_free_slot(
    session: AnySession,
    specialist_id: int,
    *,
    after: datetime | None = None,
    policy: Policy = ANONYMOUS,
    now: datetime | None = None,
    within_days: int = MAX_RANGE_DAYS,
) -> datetime | None:
    """The first free slot of a specialist at or after `after` (default now), or None."""
    now = now or clinic_now()
    after = max(after or now, now)
    first = after.date()
    end = min(first + timedelta(days=within_days), LAST_DAY + timedelta(days=1))
    while first < end:
        last = min(first + timedelta(days=13), end - timedelta(days=1))
        for slots in free_slots_range(
            session, specialist_id, first, last, policy=policy, now=now
        ).values():
            for slot in slots:
                if slot >= after:
                    return slot
        first = last + timedelta(days=1)
    return None


def next_free_slots(
    session: AnySession,
    specialists: Sequence[Specialist],
    *,
    policy: Policy = ANONYMOUS,
    now: datetime | None = None,
) -> dict[int, datetime | None]:
    """The first free slot within MAX_RANGE_DAYS of each active one of `specialists` (loaded
    with `SPECIALIST_SCHEDULE`), None where there is none; in a bounded number of queries."""
    now = now or clinic_now()
    earliest, latest = policy.bounds(session, now)
    first = earliest.date()
    end = first + timedelta(days=MAX_RANGE_DAYS)
    if latest is not None:
        end = min(end, latest.date() + timedelta(days=1))
    found: dict[int, datetime | None] = {s.id: None for s in specialists if s.active}
    waiting = [s for s in specialists if s.active]
    second = first + timedelta(days=FIRST_LOOK_DAYS)
    for start, stop in ((first, min(second, end)), (second, end)):
        if not waiting or start >= stop:
            break
        calendar = Calendar(session, waiting, start, stop - timedelta(days=1))
        for specialist in waiting:
            day = start
            while found[specialist.id] is None and day < stop:
                slots = calendar.slots(specialist, day, earliest, latest, most=1)
                found[specialist.id] = slots[0] if slots else None
                day += timedelta(days=1)
        waiting = [s for s in waiting if found[s.id] is None]
    return found


def nearest_free(
    session: AnySession, specialist_id: int, wanted: datetime, policy: Policy, now: datetime
) -> list[datetime]:
    """Up to three free slots nearest to `wanted` on its day, else the next free one."""
    slots = free_slots(session, specialist_id, wanted.date(), policy=policy, now=now)
    if slots:
        return sorted(sorted(slots, key=lambda slot: abs(slot - wanted))[:SUGGESTIONS])
    following = next_free_slot(
        session,
        specialist_id,
        after=datetime.combine(wanted.date() + timedelta(1), time()),
        policy=policy,
        now=now,
    )
    return [following] if following else []
