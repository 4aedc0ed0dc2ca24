"""Busy time of specialists, locations, a client and the clinic, read in a fixed number of
queries, and the spans of time the rules reason about.

Times are clinic-local wall-clock (naive) datetimes; every interval is half-open [start, end).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from ..clock import clinic_zone, lasts_as_written, to_aware
from ..models import Appointment, AppointmentStatus, Location, Specialist, TimeOff
from .values import AnySession


class Span(NamedTuple):
    """A half-open stretch of clinic wall-clock time [start, end)."""

    start: datetime
    end: datetime

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def within(self, other: Span) -> bool:
        return other.start <= self.start and self.end <= other.end


@dataclass(frozen=True, slots=True)
class Busy:
    """Time taken: by an appointment (its id) or by time off (its reason)."""

    span: Span
    appointment_id: int | None = None
    reason: str = ""


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
    """

    def __init__(
        self,
        session: AnySession,
        specialists: Sequence[Specialist],
        first: date,
        last: date,
        *,
        client_id: int | None = None,
        extra_location: Location | None = None,
        ignore_id: int | None = None,
    ) -> None:
        self.zone = clinic_zone()
        self.client_id = client_id
        self.locations: dict[int, Location] = {}
        if any(specialist.default_location_id is None for specialist in specialists):
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
        """Read the window's time off and live appointments."""
        location_ids = list(self.locations)
        time_off = session.execute(
            select(
                TimeOff.specialist_id,
                TimeOff.location_id,
                TimeOff.starts_at,
                TimeOff.ends_at,
                TimeOff.reason,
            )
            .where(TimeOff.starts_at < window.end, TimeOff.ends_at > window.start)
            .where(
                or_(
                    TimeOff.specialist_id.in_(specialist_ids),
                    TimeOff.location_id.in_(location_ids),
                    and_(TimeOff.specialist_id.is_(None), TimeOff.location_id.is_(None)),
                )
            )
        )
        for specialist_id, location_id, starts_at, ends_at, reason in time_off:
            key = (
                ("specialist", specialist_id)
                if specialist_id
                else ("location", location_id)
                if location_id
                else ("clinic", 0)
            )
            self._add(key, Busy(Span(starts_at, ends_at), reason=reason))
        whose = [
            Appointment.specialist_id.in_(specialist_ids),
            Appointment.location_id.in_(location_ids),
        ]
        if client_id is not None:
            whose.append(Appointment.client_id == client_id)
        appointments = session.execute(
            select(
                Appointment.id,
                Appointment.specialist_id,
                Appointment.location_id,
                Appointment.client_id,
                Appointment.starts_at,
                Appointment.ends_at,
            )
            .where(Appointment.status != AppointmentStatus.CANCELLED)
            .where(Appointment.starts_at < window.end, Appointment.ends_at > window.start)
            .where(or_(*whose))
            .where(Appointment.id != (ignore_id or 0))
        )
        for row in appointments:
            busy = Busy(Span(row.starts_at, row.ends_at), appointment_id=row.id)
            self._add(("specialist", row.specialist_id), busy)
            self._add(("location", row.location_id), busy)
            if row.client_id == client_id:
                self._add(("client", row.client_id), busy)

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
        if day not in self._clocks_change:
            midnight = datetime.combine(day, time())
            self._clocks_change[day] = (
                to_aware(midnight, self.zone).utcoffset()
                != to_aware(midnight + timedelta(days=1), self.zone).utcoffset()
            )
        if not self._clocks_change[day] and span.end.date() == day:
            return True
        return lasts_as_written(span.start, span.end, self.zone)

    def works(self, kind: str, owner: Specialist | Location, span: Span) -> bool:
        """Whether `span` lies wholly inside one merged shift interval of the owner."""
        return any(
            span.within(interval) for interval in self.working(kind, owner, span.start.date())
        )

    def working(self, kind: str, owner: Specialist | Location, day: date) -> list[Span]:
        """The owner's merged shift intervals on `day` (kind "specialist" or "location")."""
        key = (kind, owner.id, day)
        if key not in self._spans:
            self._spans[key] = working_spans(owner.shifts, day)
        return self._spans[key]

    def closed(self, kind: str, key: int, specialist: Specialist, day: date) -> bool:
        """Whether time off of the clinic (key 0) or the specialist covers all the hours the
        specialist works on `day` (appointments do not close anything)."""
        closures = sorted(
            busy.span for busy in self.busy.get((kind, key, day), ()) if busy.appointment_id is None
        )
        for interval in self.working("specialist", specialist, day):
            reached = interval.start
            for closure in closures:
                if closure.start <= reached < closure.end:
                    reached = closure.end
            if reached < interval.end:
                return False
        return bool(closures)

    def location_refusal(self, location: Location, span: Span) -> str | Busy | None:
        """Why `location` cannot hold `span` (a message, or what takes it), or None if it can."""
        if not location.active:
            return f"{location.name} is not in use."
        if not self.works("location", location, span):
            return f"{location.name} is not open then."
        return self.taken("location", location.id, span)

    def location_for(self, specialist: Specialist, span: Span) -> Location | None:
        """The location a booking without one would take: the default, else the first free."""
        if specialist.default_location_id is not None:
            candidates = [self.locations[specialist.default_location_id]]
        else:
            candidates = [loc for loc in self.locations.values() if loc.active]
        for location in candidates:
            if self.location_refusal(location, span) is None:
                return location
        return None

    def is_free(self, specialist: Specialist, span: Span) -> bool:
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
        specialist: Specialist,
        day: date,
        earliest: datetime,
        latest: datetime | None,
        most: int | None = None,
    ) -> list[datetime]:
        """The free slots of a specialist on a day, between `earliest` and `latest` (only the
        first `most` of them, when given)."""
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
