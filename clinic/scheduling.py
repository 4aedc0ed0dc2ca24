"""The booking rules, and the only place they live.

What is free (slots), what may be booked, moved, cancelled or moved to another status, how
specialists, locations, staff, shifts and clients are removed, and when a shift may change.
Plain functions over the session and plain values: views and API resources parse input, call
these, and render the result or the error (`Invalid` → 400/form errors, `Conflict` → 409,
`NotFound` → 404).

Times are clinic-local wall-clock (naive) datetimes; every interval is half-open [start, end).
Functions that change data are whole units of work: they take the write lock first
(`database.writing`), commit on success and roll back on any refusal, so a booking's check and its
write see the same data. The database's own guards (exclusion constraints, SQLite triggers)
catch what slips between processes; their refusal ends as `Conflict` too.
"""

from __future__ import annotations

import enum
import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, scoped_session, selectinload

from . import audit
from .clock import clinic_now, clinic_zone, lasts_as_written, to_aware
from .clock import exists as wall_time_exists
from .database import writing
from .models import (
    Appointment,
    AppointmentStatus,
    AuditEntry,
    Client,
    ClinicSettings,
    Location,
    Role,
    Shift,
    Specialist,
    TimeOff,
    User,
    location_shifts,
    specialist_shifts,
)
from .signals import appointment_changed

AnySession = Session | scoped_session
T = TypeVar("T")
Status = AppointmentStatus

MAX_RANGE_DAYS = 62
MAX_TYPE_LENGTH = 100
MAX_NOTES_LENGTH = 2000
MAX_REASON_LENGTH = 255
SUGGESTIONS = 3
TRIES = 3
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.BOOKED: frozenset({Status.ARRIVED, Status.NO_SHOW, Status.CANCELLED}),
    Status.ARRIVED: frozenset({Status.COMPLETED, Status.CANCELLED}),
    Status.COMPLETED: frozenset(),
    Status.NO_SHOW: frozenset(),
    Status.CANCELLED: frozenset(),
}
"""Which status may follow which; staying in the same status is no change, never an error."""


# --- errors -----------------------------------------------------------------------------------


class SchedulingError(Exception):
    """A request the rules refuse; `message` says why, in words for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(SchedulingError):
    """Bad input: `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


class NotFound(SchedulingError):
    """The thing the request is about does not exist."""


class Conflict(SchedulingError):
    """The request collides with the clinic's state.

    `appointment` is the appointment it collides with (when one does), `suggestions` the
    nearest free start times, `appointments` the appointments a shift change would strand.
    """

    def __init__(
        self,
        message: str,
        appointment: Appointment | None = None,
        suggestions: Sequence[datetime] = (),
        appointments: Sequence[Appointment] = (),
    ) -> None:
        super().__init__(message)
        self.appointment = appointment
        self.suggestions = list(suggestions)
        self.appointments = list(appointments)


class Removal(enum.StrEnum):
    """What removing a specialist, location or staff user did."""

    DELETED = "deleted"
    DEACTIVATED = "deactivated"


def _retried(change: Callable[..., T]) -> Callable[..., T]:
    """Run a booking change again when the database broke a deadlock or a serialization
    failure by aborting it (PostgreSQL does so when several transactions check the same
    exclusion constraint at once); the next try sees the winner and ends as a Conflict."""

    @functools.wraps(change)
    def run(*args: Any, **kwargs: Any) -> T:
        attempt = 1
        while True:
            try:
                return change(*args, **kwargs)
            except OperationalError as error:
                if getattr(error.orig, "sqlstate", None) not in TRANSIENT_SQLSTATES:
                    raise
                if attempt == TRIES:
                    raise Conflict("Many people are booking this time right now; "
                                   "please try again.") from error
                attempt += 1

    return run


# --- reading plain values ---------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2}))?$")


def parse_date(value: Any, field: str = "date") -> date:
    """A date from a `date` or "YYYY-MM-DD"; Invalid otherwise (also for 2026-02-30)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None or value == "":
        raise Invalid({field: "A date is required."})
    if isinstance(value, str) and _DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid({field: f"{str(value)[:40]!r} is not a date (YYYY-MM-DD)."})


def parse_time(value: Any, field: str = "start_time") -> time:
    """A time from a `time`, "HH:MM" or "HH:MM:SS", in whole minutes; Invalid otherwise."""
    if isinstance(value, time):
        parsed = value
    elif value is None or value == "":
        raise Invalid({field: "A time is required."})
    else:
        match = _TIME.match(value) if isinstance(value, str) else None
        try:
            parsed = time(*(int(part or 0) for part in match.groups()))  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            raise Invalid({field: f"{str(value)[:40]!r} is not a time (HH:MM)."}) from None
    if parsed.second or parsed.microsecond:
        raise Invalid({field: "Use whole minutes."})
    return parsed.replace(tzinfo=None)


def parse_weekday(value: Any, field: str = "weekday") -> int:
    """A weekday, 0 (Monday) to 6, from that number or its English name."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str):
        names = [name.lower() for name in WEEKDAYS]
        if value.strip().lower() in names:
            return names.index(value.strip().lower())
        if value.strip().isdigit() and 0 <= int(value) <= 6:
            return int(value)
    raise Invalid({field: f"{str(value)[:40]!r} is not a weekday (Monday to Sunday)."})


def _text(value: Any, field: str, limit: int) -> str:
    """Free text of at most `limit` characters, trimmed."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid({field: "Must be text."})
    value = value.strip()
    if len(value) > limit:
        raise Invalid({field: f"Use at most {limit} characters (this has {len(value)})."})
    return value


def _id(value: Any, field: str) -> int:
    """An integer id."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 12 and int(value) > 0:
        return int(value)
    raise Invalid({field: f"{str(value)[:40]!r} is not an id."})


def _active(session: AnySession, model: type, value: Any, field: str, what: str) -> Any:
    """The active row `value` of `model`, for a field of a request; Invalid otherwise."""
    row = session.get(model, _id(value, field))
    if row is None:
        raise Invalid({field: f"There is no {what} {value}."})
    if not getattr(row, "active", True):
        raise Invalid({field: f"{what.capitalize()} {_name(row)} is not active."})
    return row


def _key(value: Any, what: str) -> int:
    """The id of the thing a request is about; NotFound when it cannot be one."""
    try:
        return _id(value, "id")
    except Invalid:
        raise NotFound(f"There is no {what} {str(value)[:40]!r}.") from None


def _get(session: AnySession, model: type, value: Any, what: str) -> Any:
    """The row the request is about; NotFound otherwise."""
    key = _key(value, what)
    row = session.get(model, key)
    if row is None:
        raise NotFound(f"There is no {what} {key}.")
    return row


def _name(row: Any) -> str:
    """How a row is called in a message."""
    return getattr(row, "full_name", None) or getattr(row, "name", None) or f"#{row.id}"


def _hm(moment: datetime | time) -> str:
    """"HH:MM"."""
    return moment.strftime("%H:%M")


# --- spans and the calendar -------------------------------------------------------------------


class Span(NamedTuple):
    """A half-open stretch of clinic wall-clock time [start, end)."""

    start: datetime
    end: datetime

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def within(self, other: Span) -> bool:
        return other.start <= self.start and self.end <= other.end


@dataclass(frozen=True, slots=True)
class _Busy:
    """Time taken: by an appointment (its id) or by time off (its reason)."""

    span: Span
    appointment_id: int | None = None
    reason: str = ""


class _ShiftTimes(NamedTuple):
    """A shift's times, for shifts that are not (yet) rows."""

    weekday: int
    start_time: time
    end_time: time


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


def _days(span: Span) -> list[date]:
    """The dates a span touches."""
    day, last = span.start.date(), (span.end - timedelta(microseconds=1)).date()
    if day == last:
        return [day]
    return [day + timedelta(days=n) for n in range((last - day).days + 1)]


class _Calendar:
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
        self.busy: dict[tuple[str, int, date], list[_Busy]] = defaultdict(list)
        self._spans: dict[tuple[str, int, date], list[Span]] = {}
        self._clocks_change: dict[date, bool] = {}
        window = Span(datetime.combine(first, time()),
                      datetime.combine(last + timedelta(days=1), time()))
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
            select(TimeOff.specialist_id, TimeOff.location_id, TimeOff.starts_at,
                   TimeOff.ends_at, TimeOff.reason)
            .where(TimeOff.starts_at < window.end, TimeOff.ends_at > window.start)
            .where(or_(
                TimeOff.specialist_id.in_(specialist_ids),
                TimeOff.location_id.in_(location_ids),
                and_(TimeOff.specialist_id.is_(None), TimeOff.location_id.is_(None)),
            ))
        )
        for specialist_id, location_id, starts_at, ends_at, reason in time_off:
            key = (("specialist", specialist_id) if specialist_id else
                   ("location", location_id) if location_id else ("clinic", 0))
            self._add(key, _Busy(Span(starts_at, ends_at), reason=reason))
        whose = [Appointment.specialist_id.in_(specialist_ids),
                 Appointment.location_id.in_(location_ids)]
        if client_id is not None:
            whose.append(Appointment.client_id == client_id)
        appointments = session.execute(
            select(Appointment.id, Appointment.specialist_id, Appointment.location_id,
                   Appointment.client_id, Appointment.starts_at, Appointment.ends_at)
            .where(Appointment.status != Status.CANCELLED)
            .where(Appointment.starts_at < window.end, Appointment.ends_at > window.start)
            .where(or_(*whose))
            .where(Appointment.id != (ignore_id or 0))
        )
        for row in appointments:
            busy = _Busy(Span(row.starts_at, row.ends_at), appointment_id=row.id)
            self._add(("specialist", row.specialist_id), busy)
            self._add(("location", row.location_id), busy)
            if row.client_id == client_id:
                self._add(("client", row.client_id), busy)

    def _add(self, key: tuple[str, int], busy: _Busy) -> None:
        for day in _days(busy.span):
            self.busy[(*key, day)].append(busy)

    def taken(self, kind: str, key: int, span: Span) -> _Busy | None:
        """What takes part of `span` for a specialist, location, client or the clinic (key 0)."""
        for day in _days(span):
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
        day = span.start.date()
        cache_key = (kind, owner.id, day)
        if cache_key not in self._spans:
            self._spans[cache_key] = working_spans(owner.shifts, day)
        return any(span.within(interval) for interval in self._spans[cache_key])

    def location_refusal(self, location: Location, span: Span) -> str | _Busy | None:
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
        """Whether `span` is a free slot of the specialist (bounds of time checked by caller)."""
        return (
            self.exists_whole(span)
            and self.taken("specialist", specialist.id, span) is None
            and self.taken("clinic", 0, span) is None
            and self.location_for(specialist, span) is not None
        )

    def slots(self, specialist: Specialist, day: date, earliest: datetime,
              latest: datetime | None) -> list[datetime]:
        """The free slots of a specialist on a day, between `earliest` and `latest`."""
        length = timedelta(minutes=specialist.slot_minutes)
        free = []
        for interval in working_spans(specialist.shifts, day):
            start = interval.start
            while start + length <= interval.end:
                if (start >= earliest and (latest is None or start < latest)
                        and self.is_free(specialist, Span(start, start + length))):
                    free.append(start)
                start += length
        return free


# --- free slots -------------------------------------------------------------------------------


def _bounds(session: AnySession, now: datetime, public: bool) -> tuple[datetime, datetime | None]:
    """The earliest and (public only) latest start a slot may have."""
    if not public:
        return now, None
    settings = session.get_one(ClinicSettings, 1)
    earliest = now + timedelta(minutes=settings.min_notice_minutes)
    latest = datetime.combine(now.date() + timedelta(days=settings.max_days_ahead + 1), time())
    return earliest, latest


SPECIALIST_SCHEDULE = (
    selectinload(Specialist.shifts),
    selectinload(Specialist.default_location).selectinload(Location.shifts),
)
"""Loader options giving specialists what free-slot computations read."""


def _specialists(session: AnySession, ids: Sequence[int] | None = None) -> list[Specialist]:
    """Active specialists (all, or those of `ids`) with their shifts and default locations."""
    query = (
        select(Specialist)
        .where(Specialist.active)
        .options(*SPECIALIST_SCHEDULE)
        .order_by(Specialist.last_name, Specialist.first_name, Specialist.id)
    )
    if ids is not None:
        query = query.where(Specialist.id.in_(ids))
    return list(session.scalars(query))


def free_slots_range(
    session: AnySession,
    specialist_id: int,
    first: date | str,
    last: date | str,
    *,
    public: bool = False,
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
    specialists = _specialists(session, [_key(specialist_id, "specialist")])
    if not specialists:
        _get(session, Specialist, specialist_id, "specialist")
        return {day: [] for day in days}
    earliest, latest = _bounds(session, now or clinic_now(), public)
    calendar = _Calendar(session, specialists, first, last)
    return {day: calendar.slots(specialists[0], day, earliest, latest) for day in days}


def free_slots(
    session: AnySession,
    specialist_id: int,
    day: date | str,
    *,
    public: bool = False,
    now: datetime | None = None,
) -> list[datetime]:
    """The free slots of a specialist on one day."""
    day = parse_date(day)
    return free_slots_range(session, specialist_id, day, day, public=public, now=now)[day]


def free_slots_by_specialist(
    session: AnySession,
    day: date | str,
    specialists: Sequence[Specialist] | None = None,
    *,
    public: bool = False,
    now: datetime | None = None,
) -> dict[int, list[datetime]]:
    """The free slots on one day of every active specialist, or of the active ones among
    `specialists` (already loaded, ideally with `SPECIALIST_SCHEDULE`, saving a query)."""
    day = parse_date(day)
    specialists = (_specialists(session) if specialists is None
                   else [specialist for specialist in specialists if specialist.active])
    if not specialists:
        return {}
    earliest, latest = _bounds(session, now or clinic_now(), public)
    calendar = _Calendar(session, specialists, day, day)
    return {s.id: calendar.slots(s, day, earliest, latest) for s in specialists}


def next_free_slot(
    session: AnySession,
    specialist_id: int,
    *,
    after: datetime | None = None,
    public: bool = False,
    now: datetime | None = None,
    within_days: int = MAX_RANGE_DAYS,
) -> datetime | None:
    """The first free slot of a specialist at or after `after` (default now), or None."""
    now = now or clinic_now()
    after = max(after or now, now)
    first = after.date()
    end = first + timedelta(days=within_days)
    while first < end:
        last = min(first + timedelta(days=13), end - timedelta(days=1))
        for slots in free_slots_range(
            session, specialist_id, first, last, public=public, now=now
        ).values():
            for slot in slots:
                if slot >= after:
                    return slot
        first = last + timedelta(days=1)
    return None


def _nearest_free(
    session: AnySession, specialist_id: int, wanted: datetime, public: bool, now: datetime
) -> list[datetime]:
    """Up to three free slots nearest to `wanted` on its day, else the next free one."""
    slots = free_slots(session, specialist_id, wanted.date(), public=public, now=now)
    if slots:
        return sorted(sorted(slots, key=lambda slot: abs(slot - wanted))[:SUGGESTIONS])
    following = next_free_slot(
        session, specialist_id, after=datetime.combine(wanted.date() + timedelta(1), time()),
        public=public, now=now,
    )
    return [following] if following else []


# --- booking and rescheduling -----------------------------------------------------------------


@dataclass
class _Request:
    """A booking's specialist, client, location (asked for, then the one taken) and time."""

    specialist: Specialist
    client: Client
    location: Location | None
    span: Span


def _read_span(day: Any, start_time: Any, end_time: Any, length: timedelta) -> Span:
    """The wanted time; without an end, `length` long."""
    day, start = parse_date(day), parse_time(start_time, "start_time")
    starts_at = datetime.combine(day, start)
    if end_time is None or end_time == "":
        return Span(starts_at, starts_at + length)
    end = parse_time(end_time, "end_time")
    ends_at = datetime.combine(day, end)
    if ends_at <= starts_at:
        raise Invalid({"end_time": "The end must come after the start."})
    return Span(starts_at, ends_at)


def _check_time(span: Span, now: datetime, zone) -> None:
    """A new start time must exist, last as written, and not be in the past."""
    if not wall_time_exists(span.start, zone):
        raise Invalid({"start_time": f"{_hm(span.start)} does not exist on {span.start.date()}: "
                                     "the clocks go forward then."})
    if not lasts_as_written(span.start, span.end, zone):
        raise Invalid({"end_time": "The clocks go forward during this time; choose another."})
    if span.start < now:
        raise Invalid({"start_time": "That time has passed."})


def _check_public(session: AnySession, request: _Request, now: datetime) -> None:
    """Online self-booking: switched on, with notice, not too far ahead, one of the free slots."""
    settings = session.get_one(ClinicSettings, 1)
    if not settings.self_booking:
        raise Invalid({"start_time": "Online booking is switched off; please call the clinic."})
    earliest, latest = _bounds(session, now, public=True)
    if request.span.start < earliest:
        raise Invalid({"start_time": f"Book at least {settings.min_notice_minutes} minutes "
                                     "ahead."})
    if latest is not None and request.span.start >= latest:
        raise Invalid({"date": f"Book at most {settings.max_days_ahead} days ahead."})


def _on_the_grid(specialist: Specialist, span: Span) -> bool:
    """Whether `span` is one slot long and starts a slot: a step of the slot length from the
    start of its working interval."""
    length = timedelta(minutes=specialist.slot_minutes)
    return span.end - span.start == length and any(
        span.within(interval) and (span.start - interval.start) % length == timedelta(0)
        for interval in working_spans(specialist.shifts, span.start.date())
    )


def _place(
    session: AnySession, request: _Request, ignore_id: int | None, public: bool, now: datetime
) -> Location:
    """Check every rule for `request`; return the location it takes."""
    specialist, span = request.specialist, request.span
    calendar = _Calendar(
        session, [specialist], span.start.date(), span.end.date(),
        client_id=request.client.id, extra_location=request.location, ignore_id=ignore_id,
    )
    _check_time(span, now, calendar.zone)
    if not calendar.works("specialist", specialist, span):
        raise Invalid({"start_time": f"{specialist.full_name} does not work then "
                                     f"({WEEKDAYS[span.start.weekday()]} "
                                     f"{_hm(span.start)}-{_hm(span.end)})."})
    if public and not _on_the_grid(specialist, span):
        raise Invalid({"start_time": "Choose one of the free times."})
    closed = calendar.taken("clinic", 0, span)
    if closed:
        raise Invalid({"start_time": f"The clinic is closed then ({closed.reason or 'closed'})."})
    _refuse(session, calendar.taken("specialist", specialist.id, span), specialist.full_name,
            request, public, now)
    _refuse(session, calendar.taken("client", request.client.id, span), request.client.full_name,
            request, public, now)
    if request.location is None and specialist.default_location_id is None:
        location = calendar.location_for(specialist, span)
        if location is None:
            raise _conflict(session, "No room is free then.", None, request, public, now)
        return location
    location = request.location or calendar.locations[specialist.default_location_id]
    refusal = calendar.location_refusal(location, span)
    if isinstance(refusal, str):
        raise Invalid({"location": refusal})
    _refuse(session, refusal, location.name, request, public, now)
    return location


def _refuse(
    session: AnySession, busy: _Busy | None, who: str, request: _Request, public: bool,
    now: datetime,
) -> None:
    """Raise for time taken: Invalid for time off, Conflict naming an appointment."""
    if busy is None:
        return
    if busy.appointment_id is None:
        raise Invalid({"start_time": f"{who} is away then ({busy.reason or 'time off'})."})
    taken = session.get(Appointment, busy.appointment_id)
    message = (f"{who} has another appointment then: {taken.starts_at:%Y-%m-%d} "
               f"{_hm(taken.starts_at)}-{_hm(taken.ends_at)}.")
    raise _conflict(session, message, taken, request, public, now)


def _conflict(
    session: AnySession, message: str, taken: Appointment | None, request: _Request,
    public: bool, now: datetime,
) -> Conflict:
    """A Conflict offering the specialist's nearest free slots."""
    suggestions = _nearest_free(session, request.specialist.id, request.span.start, public, now)
    return Conflict(message, appointment=taken, suggestions=suggestions)


@_retried
def book_appointment(
    session: AnySession,
    *,
    specialist_id: Any,
    client_id: Any,
    date: Any,
    start_time: Any,
    end_time: Any = None,
    location_id: Any = None,
    type: Any = "",
    notes: Any = "",
    actor: User | None = None,
    public: bool = False,
    now: datetime | None = None,
) -> Appointment:
    """Book a client with a specialist; without an end, for the specialist's slot length.

    Without a location it takes the specialist's default, else the first free one by id.
    `public` adds the rules of online self-booking. Commits; Invalid or Conflict otherwise.
    """
    now = now or clinic_now()
    try:
        with writing(session):
            kind = _text(type, "type", MAX_TYPE_LENGTH)
            notes = _text(notes, "notes", MAX_NOTES_LENGTH)
            specialist = _active(session, Specialist, specialist_id, "specialist", "specialist")
            length = timedelta(minutes=specialist.slot_minutes)
            request = _Request(
                specialist=specialist,
                client=_active(session, Client, client_id, "client", "client"),
                location=_optional_location(session, location_id),
                span=_read_span(date, start_time, end_time, length),
            )
            if public:
                _check_public(session, request, now)
            location = request.location = _place(session, request, None, public, now)
            appointment = Appointment(
                type=kind, notes=notes, specialist=specialist, client=request.client,
                location=location, starts_at=request.span.start, ends_at=request.span.end,
                status=Status.BOOKED, created_by=actor,
            )
            session.add(appointment)
            audit.record(session, actor, "create", appointment)
    except IntegrityError as error:
        raise _database_refusal(session, error, request, public, now) from error
    appointment_changed.send(appointment, change="booked")
    return appointment


def reschedule_appointment(
    session: AnySession,
    appointment_id: Any,
    *,
    date: Any,
    start_time: Any,
    end_time: Any = None,
    specialist_id: Any = None,
    location_id: Any = None,
    actor: User | None = None,
    public: bool = False,
    now: datetime | None = None,
) -> Appointment:
    """Move a booked appointment (keeping its length unless an end is given); see
    `update_appointment`."""
    changes = {"date": date, "start_time": start_time, "end_time": end_time,
               "specialist_id": specialist_id, "location_id": location_id}
    return update_appointment(session, appointment_id, changes, actor=actor, public=public,
                              now=now)


MOVES = ("date", "start_time", "end_time", "specialist_id", "location_id")
DETAILS = {"type": MAX_TYPE_LENGTH, "notes": MAX_NOTES_LENGTH}


@_retried
def update_appointment(
    session: AnySession,
    appointment_id: Any,
    changes: dict[str, Any],
    *,
    actor: User | None = None,
    public: bool = False,
    now: datetime | None = None,
) -> Appointment:
    """Change an appointment in one go. Commits; any refusal leaves it as it was.

    `changes` may hold a new time, specialist or location (`date`, `start_time`, `end_time`,
    `specialist_id`, `location_id`: a move, for booked appointments only, keeping the length
    unless an end is given and taking the default location unless one is given), a `status`
    (as TRANSITIONS allows, with a `reason` when cancelling), and a new `type` or `notes`.
    `public` adds the rules of online self-service.
    """
    now = now or clinic_now()
    request = None
    try:
        with writing(session):
            appointment = _get(session, Appointment, appointment_id, "appointment")
            before = audit.snapshot(appointment)
            actions = []
            if _moves(appointment, changes):
                request = _move(session, appointment, changes, public, now)
                actions.append("reschedule")
            if changes.get("status") not in (None, ""):
                actions += _set_status(session, appointment, changes, public, now)
            for field, limit in DETAILS.items():
                if field in changes:
                    setattr(appointment, field, _text(changes[field], field, limit))
            if session.is_modified(appointment):
                audit.record(session, actor, "+".join(actions) or "update", appointment, before)
    except IntegrityError as error:
        if request is None:
            raise
        raise _database_refusal(session, error, request, public, now) from error
    if "cancel" in actions:
        appointment_changed.send(appointment, change="cancelled")
    elif "reschedule" in actions:
        appointment_changed.send(appointment, change="moved")
    return appointment


def _moves(appointment: Appointment, changes: dict[str, Any]) -> bool:
    """Whether `changes` asks for another time, specialist or location than the current."""
    given = {key: changes[key] for key in MOVES if changes.get(key) not in (None, "")}
    if not given:
        return False
    try:
        return (
            parse_date(given.get("date", appointment.starts_at)) != appointment.starts_at.date()
            or parse_time(given.get("start_time", appointment.starts_at.time()))
            != appointment.starts_at.time()
            or parse_time(given.get("end_time", appointment.ends_at.time()), "end_time")
            != appointment.ends_at.time()
            or _id(given.get("specialist_id", appointment.specialist_id), "specialist")
            != appointment.specialist_id
            or _id(given.get("location_id", appointment.location_id), "location")
            != appointment.location_id
        )
    except Invalid:
        return True


def _move(session: AnySession, appointment: Appointment, changes: dict[str, Any], public: bool,
          now: datetime) -> _Request:
    """Check and make the move `changes` asks for."""
    if appointment.status is not Status.BOOKED:
        raise Conflict(f"Only booked appointments can be moved; this one is "
                       f"{_said(appointment.status)}.")
    if public:
        _check_window(session, appointment, now, "moved")
    specialist_id = changes.get("specialist_id")
    specialist = (appointment.specialist if specialist_id in (None, "") else
                  _active(session, Specialist, specialist_id, "specialist", "specialist"))
    request = _Request(
        specialist=specialist,
        client=appointment.client,
        location=_optional_location(session, changes.get("location_id")),
        span=_read_span(
            changes.get("date") or appointment.starts_at.date(),
            changes.get("start_time") or appointment.starts_at.time(),
            changes.get("end_time"),
            appointment.ends_at - appointment.starts_at,
        ),
    )
    if public:
        _check_public(session, request, now)
    location = request.location = _place(session, request, appointment.id, public, now)
    appointment.specialist, appointment.location = specialist, location
    appointment.starts_at, appointment.ends_at = request.span
    appointment.ics_sequence += 1
    appointment.reminder_sent_at = None
    return request


def _set_status(session: AnySession, appointment: Appointment, changes: dict[str, Any],
                public: bool, now: datetime) -> list[str]:
    """Move the appointment to `changes["status"]`; return the audit action, if any."""
    try:
        wanted = Status(changes["status"])
    except ValueError:
        raise Invalid({"status": f"{str(changes['status'])[:40]!r} is not a status; use one of "
                                 f"{', '.join(s.value for s in Status)}."}) from None
    if appointment.status is wanted:
        return []
    _check_transition(appointment, wanted)
    if wanted is not Status.CANCELLED:
        appointment.status = wanted
        return ["status"]
    reason = _text(changes.get("reason"), "reason", MAX_REASON_LENGTH)
    if public:
        _check_window(session, appointment, now, "cancelled")
    appointment.status = Status.CANCELLED
    appointment.cancel_reason = reason
    appointment.ics_sequence += 1
    return ["cancel"]


def _optional_location(session: AnySession, location_id: Any) -> Location | None:
    """The location asked for, if one was."""
    if location_id in (None, ""):
        return None
    return _active(session, Location, location_id, "location", "location")


def _said(status: Status) -> str:
    """A status in words."""
    return status.value.replace("_", " ")


def _database_refusal(
    session: AnySession, error: IntegrityError, request: _Request, public: bool, now: datetime
) -> SchedulingError:
    """What the database's own refusal of a booking means, for people.

    An overlap another process committed first: Conflict naming it. Anything else (a row
    removed meanwhile): Invalid.
    """
    constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None) or ""
    if not (constraint.startswith("ex_appointments_") or "appointments overlap" in str(error.orig)):
        return Invalid({"start_time": "The booking could not be saved; please try again."})
    span = request.span
    taken = session.scalars(
        select(Appointment)
        .where(Appointment.status != Status.CANCELLED)
        .where(Appointment.starts_at < span.end, Appointment.ends_at > span.start)
        .where(or_(Appointment.specialist_id == request.specialist.id,
                   Appointment.client_id == request.client.id,
                   Appointment.location_id == request.location.id))
        .order_by(Appointment.id)
        .limit(1)
    ).first()
    message = "Someone else booked that time a moment ago."
    return _conflict(session, message, taken, request, public, now)


# --- cancelling and statuses ------------------------------------------------------------------


def _check_window(session: AnySession, appointment: Appointment, now: datetime, done: str) -> None:
    """Online, an appointment may be moved or cancelled only until the window before it."""
    hours = session.get_one(ClinicSettings, 1).cancellation_window_hours
    if appointment.starts_at - now < timedelta(hours=hours):
        raise Conflict(f"Appointments can be {done} online until {hours} hours before they "
                       "start; please call the clinic.")


def _check_transition(appointment: Appointment, status: Status) -> None:
    """Refuse a status change the table does not allow."""
    if status not in TRANSITIONS[appointment.status]:
        raise Conflict(f"An appointment that is {_said(appointment.status)} "
                       f"cannot become {_said(status)}.")


def cancel_appointment(
    session: AnySession,
    appointment_id: Any,
    *,
    reason: Any = "",
    actor: User | None = None,
    public: bool = False,
    now: datetime | None = None,
) -> Appointment:
    """Cancel a booked or arrived appointment, keeping the reason; cancelling again changes
    nothing. `public` adds the online cancellation window. Commits."""
    return update_appointment(session, appointment_id, {"status": Status.CANCELLED,
                                                        "reason": reason},
                              actor=actor, public=public, now=now)


def change_status(
    session: AnySession,
    appointment_id: Any,
    status: Any,
    *,
    reason: Any = "",
    actor: User | None = None,
) -> Appointment:
    """Move an appointment to another status as TRANSITIONS allows; the same status is no
    change. Commits."""
    if status in (None, ""):
        raise Invalid({"status": "A status is required."})
    return update_appointment(session, appointment_id, {"status": status, "reason": reason},
                              actor=actor)


# --- removing things --------------------------------------------------------------------------


def _remove(session: AnySession, row: Any, referenced: bool, actor: User | None) -> Removal:
    """Deactivate a row something refers to, else delete it; audit it."""
    before = audit.snapshot(row)
    if referenced:
        row.active = False
        audit.record(session, actor, "deactivate", row, before)
        return Removal.DEACTIVATED
    audit.record(session, actor, "delete", row, before)
    session.delete(row)
    return Removal.DELETED


def _refers(session: AnySession, *conditions: Any) -> bool:
    """Whether any of the EXISTS conditions holds."""
    return bool(session.scalar(select(or_(*conditions))))


def remove_specialist(session: AnySession, specialist_id: Any, *, actor: User | None = None
                      ) -> Removal:
    """Delete a specialist no appointment refers to; deactivate one that has appointments."""
    with writing(session):
        specialist = _get(session, Specialist, specialist_id, "specialist")
        referenced = _refers(session, exists().where(Appointment.specialist_id == specialist.id))
        return _remove(session, specialist, referenced, actor)


def remove_location(session: AnySession, location_id: Any, *, actor: User | None = None
                    ) -> Removal:
    """Delete a location nothing refers to; deactivate one with appointments or specialists."""
    with writing(session):
        location = _get(session, Location, location_id, "location")
        referenced = _refers(
            session,
            exists().where(Appointment.location_id == location.id),
            exists().where(Specialist.default_location_id == location.id),
        )
        return _remove(session, location, referenced, actor)


def remove_staff_user(session: AnySession, user_id: Any, *, actor: User | None = None) -> Removal:
    """Delete a staff account nothing refers to, else deactivate it.

    Nobody removes their own account, and the last active admin stays.
    """
    with writing(session):
        user = _get(session, User, user_id, "staff user")
        if user.role is Role.CLIENT:
            raise NotFound(f"There is no staff user {user.id}.")
        if actor is not None and actor.id == user.id:
            raise Conflict("You cannot remove your own account.")
        other_admins = select(func.count()).select_from(User).where(
            User.role == Role.ADMIN, User.active, User.id != user.id
        )
        if user.role is Role.ADMIN and user.active and session.scalar(other_admins) == 0:
            raise Conflict("This is the last active admin; make another admin first.")
        referenced = _refers(
            session,
            exists().where(Appointment.created_by_id == user.id),
            exists().where(AuditEntry.actor_id == user.id),
        )
        return _remove(session, user, referenced, actor)


def remove_shift(session: AnySession, shift_id: Any, *, actor: User | None = None) -> None:
    """Delete a shift no specialist or location works; Conflict naming who does."""
    with writing(session):
        shift = _get(session, Shift, shift_id, "shift")
        workers = [
            *session.scalars(select(Specialist).join(specialist_shifts)
                             .where(specialist_shifts.c.shift_id == shift.id)),
            *session.scalars(select(Location).join(location_shifts)
                             .where(location_shifts.c.shift_id == shift.id)),
        ]
        if workers:
            raise Conflict(
                "The shift is still worked by " + ", ".join(_name(w) for w in workers) + "."
            )
        audit.record(session, actor, "delete", shift, audit.snapshot(shift))
        session.delete(shift)


def remove_client(session: AnySession, client_id: Any, *, actor: User | None = None) -> None:
    """Delete a client record with no appointments; Conflict for one with appointments."""
    with writing(session):
        client = _get(session, Client, client_id, "client")
        if _refers(session, exists().where(Appointment.client_id == client.id)):
            raise Conflict(
                f"{client.full_name} has appointments, which are kept; so is the client."
            )
        audit.record(session, actor, "delete", client, audit.snapshot(client))
        session.delete(client)


# --- shifts -----------------------------------------------------------------------------------


def _read_shift(weekday: Any, start_time: Any, end_time: Any) -> _ShiftTimes:
    """A shift's weekday and times, start before end."""
    times = _ShiftTimes(parse_weekday(weekday), parse_time(start_time, "from_hour"),
                        parse_time(end_time, "to_hour"))
    if times.end_time <= times.start_time:
        raise Invalid({"to_hour": "The shift must end after it starts."})
    return times


def _stranded(
    session: AnySession,
    specialists: dict[int, list[Any]],
    locations: dict[int, list[Any]],
    now: datetime,
) -> list[Appointment]:
    """Future live appointments that would fall outside their specialist's or location's
    shifts if those were the given ones."""
    if not specialists and not locations:
        return []
    upcoming = session.scalars(
        select(Appointment)
        .where(Appointment.status.in_([Status.BOOKED, Status.ARRIVED]))
        .where(Appointment.ends_at > now)
        .where(or_(Appointment.specialist_id.in_(list(specialists)),
                   Appointment.location_id.in_(list(locations))))
        .order_by(Appointment.starts_at, Appointment.id)
    )
    stranded = []
    for appointment in upcoming:
        span = Span(appointment.starts_at, appointment.ends_at)
        for owners, key in ((specialists, appointment.specialist_id),
                            (locations, appointment.location_id)):
            if key in owners and not any(
                span.within(interval)
                for interval in working_spans(owners[key], span.start.date())
            ):
                stranded.append(appointment)
                break
    return stranded


def _refuse_stranding(stranded: list[Appointment]) -> None:
    """Conflict listing the appointments a shift change would leave outside working hours."""
    if stranded:
        raise Conflict(
            f"{len(stranded)} upcoming appointment(s) would fall outside the working hours; "
            "move or cancel them first.",
            appointments=stranded,
        )


def get_or_create_shift(session: AnySession, weekday: Any, start_time: Any, end_time: Any
                        ) -> tuple[Shift, bool]:
    """The shift with these times, made (flushed, not committed) when there is none; and
    whether it was made."""
    times = _read_shift(weekday, start_time, end_time)
    shift = session.scalar(select(Shift).filter_by(**times._asdict()))
    if shift is not None:
        return shift, False
    shift = Shift(**times._asdict())
    session.add(shift)
    session.flush()
    return shift, True


def update_shift(
    session: AnySession,
    shift_id: Any,
    *,
    weekday: Any,
    start_time: Any,
    end_time: Any,
    actor: User | None = None,
    now: datetime | None = None,
) -> Shift:
    """Change a shift's times; refused while an upcoming appointment would fall outside them."""
    now = now or clinic_now()
    with writing(session):
        shift = _get(session, Shift, shift_id, "shift")
        times = _read_shift(weekday, start_time, end_time)
        same = select(Shift.id).filter_by(**times._asdict()).where(Shift.id != shift.id)
        if session.scalar(same):
            raise Invalid({"weekday": "That shift exists already."})
        specialists, locations = (
            {owner.id: [times, *(s for s in owner.shifts if s.id != shift.id)]
             for owner in session.scalars(select(model).join(table)
                                          .where(table.c.shift_id == shift.id))}
            for model, table in ((Specialist, specialist_shifts), (Location, location_shifts))
        )
        _refuse_stranding(_stranded(session, specialists, locations, now))
        before = audit.snapshot(shift)
        shift.weekday, shift.start_time, shift.end_time = times
        audit.record(session, actor, "update", shift, before)
    return shift


def assign_shifts(
    session: AnySession,
    owner: Specialist | Location,
    shifts: Sequence[Any],
    *,
    actor: User | None = None,
    now: datetime | None = None,
) -> None:
    """Replace the shifts a specialist or location works (see `set_shifts`). Commits."""
    with writing(session):
        set_shifts(session, owner, shifts, actor=actor, now=now)


def set_shifts(
    session: AnySession,
    owner: Specialist | Location,
    shifts: Sequence[Any],
    *,
    actor: User | None = None,
    now: datetime | None = None,
) -> None:
    """Replace the shifts a specialist or location works, within the caller's transaction;
    refused while an upcoming appointment would fall outside the new ones. Each item is a
    shift id or a (weekday, from, to)."""
    now = now or clinic_now()
    chosen = [_shift_item(session, index, item) for index, item in enumerate(shifts)]
    if owner.id is not None:
        planned = {owner.id: chosen}
        if isinstance(owner, Specialist):
            _refuse_stranding(_stranded(session, planned, {}, now))
        else:
            _refuse_stranding(_stranded(session, {}, planned, now))
    before = {"shifts": sorted(shift.id for shift in owner.shifts)}
    owner.shifts = list(dict.fromkeys(chosen))
    entry = audit.record(session, actor, "shifts", owner, before)
    entry.after = {"shifts": sorted(shift.id for shift in owner.shifts)}


def _shift_item(session: AnySession, index: int, item: Any) -> Shift:
    """A shift given by id, or by (weekday, from, to) made when new."""
    if isinstance(item, Sequence) and not isinstance(item, str):
        return get_or_create_shift(session, *item)[0]
    shift = session.get(Shift, _id(item, f"work_schedule.{index}"))
    if shift is None:
        raise Invalid({f"work_schedule.{index}": f"There is no shift {item}."})
    return shift
