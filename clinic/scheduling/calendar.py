"""Busy time of specialists, locations, a client and the clinic, read in a fixed number of
queries, and the spans of time the rules reason about.

Times are clinic-local wall-clock (naive) datetimes; every interval is half-open [start, end).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import selectinload

from ..kernel.clock import clinic_zone, lasts_as_written, to_aware
from ..kernel.values import AnySession
from ..models import Appointment, AppointmentStatus, Location, Specialist, TimeOff
from .schedules import Owner, PlaceHours, Schedule


class Span(NamedTuple):
    """A half-open stretch of clinic wall-clock time [start, end)."""

    start: datetime
    end: datetime

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def within(self, other: Span) -> bool:
        return other.start <= self.start and self.end <= other.end


class Busy(NamedTuple):
    """Time taken: by an appointment (its id) or by time off (its reason). (A named tuple:
    a day of 50 specialists makes a thousand of them.)"""

    span: Span
    appointment_id: int | None = None
    reason: str = ""


_TIME_OFF = (
    select(
        TimeOff.specialist_id,
        TimeOff.location_id,
        TimeOff.starts_at,
        TimeOff.ends_at,
        TimeOff.reason,
    )
    .where(TimeOff.starts_at < bindparam("end"), TimeOff.ends_at > bindparam("start"))
    .where(
        or_(
            TimeOff.specialist_id.in_(bindparam("specialist_ids", expanding=True)),
            TimeOff.location_id.in_(bindparam("location_ids", expanding=True)),
            and_(TimeOff.specialist_id.is_(None), TimeOff.location_id.is_(None)),
        )
    )
)
_LIVE_APPOINTMENTS = (
    select(
        Appointment.id,
        Appointment.specialist_id,
        Appointment.location_id,
        Appointment.client_id,
        Appointment.starts_at,
        Appointment.ends_at,
    )
    .where(Appointment.status != AppointmentStatus.CANCELLED)
    .where(Appointment.starts_at < bindparam("end"), Appointment.ends_at > bindparam("start"))
    .where(
        or_(
            Appointment.specialist_id.in_(bindparam("specialist_ids", expanding=True)),
            Appointment.location_id.in_(bindparam("location_ids", expanding=True)),
            Appointment.client_id == bindparam("client_id"),  # None: no client (NULL matches none)
        )
    )
    .where(Appointment.id != bindparam("ignore_id"))
)
"""The reads of the free-slot computations and of a booking's checks, built once: building a
statement and its cache key costs more than running it (they take their values as
parameters)."""


def working_spans(shifts: Iterable[Any], day: date) -> list[Span]:
    """The shifts of `day`'s weekday as spans on that day, overlapping and touching ones merged."""
    spans = sorted(
        Span(datetime.combine(day, shift.start_time), datetime.combine(day, shift.end_time))
        for shift in shifts
        if shift.weekday == day.weekday()
    )
    merged: list[Span] = []
    for span in spans:
        if merged and span.start <= merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


def days_of(span: Span) -> list[date]:
    """The dates a span touches."""
    day, last = span.start.date(), (span.end - timedelta(microseconds=1)).date()
    if day == last:
        return [day]
    return [day + timedelta(days=n) for n in range((last - day).days + 1)]


class Calendar:
    """What the rules need about some specialists over some days, in a fixed number of queries.

    Loads the locations that matter (their defaults; every active one when a specialist has
    none), the time off of the specialists, those locations and the clinic, and the live
    appointments of the specialists, those locations and (for a booking) the client.
    Specialists are ORM objects with their shifts and default locations, or the `Schedule`s
    `read_schedules` read, given with the active locations it read (`any_room`).
    """

    def __init__(
        self,
        session: AnySession,
        specialists: Sequence[Specialist | Schedule],
        first: date,
        last: date,
        *,
        client_id: int | None = None,
        extra_location: Location | None = None,
        ignore_id: int | None = None,
        any_room: dict[int, PlaceHours] | None = None,
    ) -> None:
        self.zone = clinic_zone()
        self.client_id = client_id
        self.locations: dict[int, Location | PlaceHours] = dict(any_room or {})
        if any_room is None and any(
            specialist.default_location_id is None for specialist in specialists
        ):
            self.locations = {
                location.id: location
                for location in session.scalars(
                    select(Location)
                    .where(Location.active)
                    .options(selectinload(Location.shifts))
                    .order_by(Location.id)
                )
            }
        for location in [s.default_location for s in specialists] + [extra_location]:
            if location is not None:
                self.locations.setdefault(location.id, location)
        self.busy: dict[tuple[str, int, date], list[Busy]] = defaultdict(list)
        self._spans: dict[tuple[str, int, date], list[Span]] = {}
        self._clocks_change: dict[date, bool] = {}
        window = Span(
            datetime.combine(first, time()), datetime.combine(last + timedelta(days=1), time())
        )
        self._load(session, [s.id for s in specialists], client_id, window, ignore_id)

    def _load(
        self,
        session: AnySession,
        specialist_ids: list[int],
        client_id: int | None,
        window: Span,
        ignore_id: int | None,
    ) -> None:
        """Read the window's time off and live appointments: as plain rows on the session's
        connection (after flushing what is pending, as the ORM would), skipping the ORM's
        loading of a thousand rows that are no objects."""
        session.flush()
        connection = session.connection()
        window_ids = {
            "start": window.start,
            "end": window.end,
            "specialist_ids": specialist_ids,
            "location_ids": list(self.locations),
        }
        for specialist_id, location_id, starts_at, ends_at, reason in connection.execute(
            _TIME_OFF, window_ids
        ).all():
            key = (
                ("specialist", specialist_id)
                if specialist_id
                else ("location", location_id)
                if location_id
                else ("clinic", 0)
            )
            self._add(key, Busy(Span(starts_at, ends_at), reason=reason))
        appointments = connection.execute(
            _LIVE_APPOINTMENTS,
            {**window_ids, "client_id": client_id, "ignore_id": ignore_id or 0},
        ).all()
        busy_on = self.busy
        for appointment_id, specialist_id, location_id, client, starts_at, ends_at in appointments:
            busy = Busy(Span(starts_at, ends_at), appointment_id)
            day = starts_at.date()
            if ends_at.date() != day:  # past midnight: on every day it touches
                self._add(("specialist", specialist_id), busy)
                self._add(("location", location_id), busy)
                if client == client_id:
                    self._add(("client", client), busy)
                continue
            busy_on["specialist", specialist_id, day].append(busy)
            busy_on["location", location_id, day].append(busy)
            if client == client_id:
                busy_on["client", client, day].append(busy)

    def _add(self, key: tuple[str, int], busy: Busy) -> None:
        for day in days_of(busy.span):
            self.busy[(*key, day)].append(busy)

    def taken(self, kind: str, key: int, span: Span) -> Busy | None:
        """What takes part of `span` for a specialist, location, client or the clinic (key 0)."""
        for day in days_of(span):
            for busy in self.busy.get((kind, key, day), ()):
                if busy.span.overlaps(span):
                    return busy
        return None

    def exists_whole(self, span: Span) -> bool:
        """Whether all of `span` happens (see `lasts_as_written`); on the days the clocks do
        not change, without asking the time zone for every slot."""
        day = span.start.date()
        if not self.clocks_change(day) and span.end.date() == day:
            return True
        return lasts_as_written(span.start, span.end, self.zone)

    def clocks_change(self, day: date) -> bool:
        """Whether the clocks go forward or back on `day`."""
        if day not in self._clocks_change:
            midnight = datetime.combine(day, time())
            self._clocks_change[day] = (
                to_aware(midnight, self.zone).utcoffset()
                != to_aware(midnight + timedelta(days=1), self.zone).utcoffset()
            )
        return self._clocks_change[day]

    def works(self, kind: str, owner: Owner, span: Span) -> bool:
        """Whether `span` lies wholly inside one merged shift interval of the owner."""
        return any(
            span.within(interval) for interval in self.working(kind, owner, span.start.date())
        )

    def working(self, kind: str, owner: Owner, day: date) -> list[Span]:
        """The owner's merged shift intervals on `day` (kind "specialist" or "location")."""
        key = (kind, owner.id, day)
        if key not in self._spans:
            self._spans[key] = working_spans(owner.shifts, day)
        return self._spans[key]

    def closed(self, kind: str, key: int, specialist: Specialist | Schedule, day: date) -> bool:
        """Whether time off of the clinic (key 0) or the specialist covers all the hours the
        specialist works on `day` (appointments do not close anything)."""
        time_off = sorted(
            busy.span for busy in self.busy.get((kind, key, day), ()) if busy.appointment_id is None
        )
        for interval in self.working("specialist", specialist, day):
            reached = interval.start
            for off in time_off:
                if off.start <= reached < off.end:
                    reached = off.end
            if reached < interval.end:
                return False
        return bool(time_off)

    def location_refusal(self, location: Location | PlaceHours, span: Span) -> str | Busy | None:
        """Why `location` cannot hold `span` (a message, or what takes it), or None if it can."""
        if not location.active:
            return f"{location.name} is not in use."
        if not self.works("location", location, span):
            return f"{location.name} is not open then."
        return self.taken("location", location.id, span)

    def location_for(
        self, specialist: Specialist | Schedule, span: Span
    ) -> Location | PlaceHours | None:
        """The location a booking without one would take: the default, else the first free."""
        if specialist.default_location_id is not None:
            candidates = [self.locations[specialist.default_location_id]]
        else:
            candidates = [loc for loc in self.locations.values() if loc.active]
        for location in candidates:
            if self.location_refusal(location, span) is None:
                return location
        return None

    def is_free(self, specialist: Specialist | Schedule, span: Span) -> bool:
        """Whether `span` is a free slot of the specialist (and of the client, when the
        calendar is read for one); bounds of time are checked by the caller."""
        return (
            self.exists_whole(span)
            and self.taken("specialist", specialist.id, span) is None
            and self.taken("clinic", 0, span) is None
            and (self.client_id is None or self.taken("client", self.client_id, span) is None)
            and self.location_for(specialist, span) is not None
        )

    def slots(
        self,
        specialist: Specialist | Schedule,
        day: date,
        earliest: datetime,
        latest: datetime | None,
        most: int | None = None,
    ) -> list[datetime]:
        """The free slots of a specialist on a day, between `earliest` and `latest` (only the
        first `most` of them, when given)."""
        if specialist.default_location_id is not None:
            return self._slots_in_own_room(specialist, day, earliest, latest, most)
        return self._slots_one_by_one(specialist, day, earliest, latest, most)

    def _slots_one_by_one(
        self,
        specialist: Specialist | Schedule,
        day: date,
        earliest: datetime,
        latest: datetime | None,
        most: int | None,
    ) -> list[datetime]:
        """`slots` asking `is_free` of each slot in turn: for a specialist without a default
        location, whose slot may take any room free then. (With one, `_slots_in_own_room`
        answers the same, held equal by tests/scheduling/test_slots_agree.py.)"""
        length = timedelta(minutes=specialist.slot_minutes)
        free = []
        for interval in self.working("specialist", specialist, day):
            start = interval.start
            while start + length <= interval.end:
                if (
                    start >= earliest
                    and (latest is None or start < latest)
                    and self.is_free(specialist, Span(start, start + length))
                ):
                    free.append(start)
                    if len(free) == most:
                        return free
                start += length
        return free

    def _slots_in_own_room(
        self,
        specialist: Specialist | Schedule,
        day: date,
        earliest: datetime,
        latest: datetime | None,
        most: int | None,
    ) -> list[datetime]:
        """`slots` of a specialist with a default location, in one pass over the day: what
        `is_free` asks of each slot (the time exists, neither the specialist, the clinic, the
        client nor the room is taken, the room is in use and open), asked of the day's busy
        time merged and walked alongside the slots."""
        room = self.locations[specialist.default_location_id]
        if not room.active:
            return []
        keys = [("specialist", specialist.id), ("clinic", 0), ("location", room.id)]
        if self.client_id is not None:
            keys.append(("client", self.client_id))
        taken = sorted(busy.span for key in keys for busy in self.busy.get((*key, day), ()))
        blocked: list[list[datetime]] = []  # the taken spans merged: disjoint, in order
        for start, end in taken:
            if blocked and start <= blocked[-1][1]:
                if end > blocked[-1][1]:
                    blocked[-1][1] = end
            else:
                blocked.append([start, end])
        blocked.append([datetime.max, datetime.max])
        open_hours = [*self.working("location", room, day), Span(datetime.max, datetime.max)]
        same_clocks = not self.clocks_change(day)
        length = timedelta(minutes=specialist.slot_minutes)
        free: list[datetime] = []
        passed = closed = 0  # taken spans and the room's hours over before the slot's start
        for interval in self.working("specialist", specialist, day):
            start = interval.start
            while start + length <= interval.end:
                end = start + length
                while blocked[passed][1] <= start:
                    passed += 1
                while open_hours[closed].end < end:
                    closed += 1
                if (
                    start >= earliest
                    and (latest is None or start < latest)
                    and blocked[passed][0] >= end
                    and open_hours[closed].start <= start
                    and (
                        (same_clocks and end.date() == day)
                        or lasts_as_written(start, end, self.zone)
                    )
                ):
                    free.append(start)
                    if len(free) == most:
                        return free
                start = end
        return free
