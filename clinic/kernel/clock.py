"""The clinic's time zone, its "now", and wall-clock times on days the clocks change."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def clinic_zone() -> ZoneInfo:
    """The clinic's IANA time zone (CLINIC_TIMEZONE)."""
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])


def clinic_now() -> datetime:
    """The clinic's wall-clock time now, naive, to the second (as appointments are stored).
    In the hour the clocks repeat it keeps `fold` (1 the second time round), which `instant`
    reads."""
    return datetime.now(clinic_zone()).replace(tzinfo=None, microsecond=0)


def to_aware(wall: datetime, zone: ZoneInfo | None = None) -> datetime:
    """A clinic wall-clock time as an aware datetime: an ambiguous one is its first
    occurrence, unless it says otherwise (`fold` 1, as only `clinic_now` gives; stored times
    have none)."""
    return wall.replace(tzinfo=zone or clinic_zone())


def instant(wall: datetime, zone: ZoneInfo | None = None) -> datetime:
    """The moment a clinic wall-clock time names, in UTC (see `to_aware`)."""
    return to_aware(wall, zone).astimezone(UTC)


def real_time_between(earlier: datetime, later: datetime) -> timedelta:
    """How much time really passes from one clinic wall-clock time to another: an hour less
    than the clocks show over the night they go forward, an hour more over the night they go
    back."""
    zone = clinic_zone()
    return instant(later, zone) - instant(earlier, zone)


def wall_clock_after(wall: datetime, duration: timedelta) -> datetime:
    """The earliest clinic wall-clock time not before `duration` of real time after `wall`.

    Compared with it, wall-clock times order as the moments they name: when the moment falls
    in the hour the clocks repeat (whose wall-clock times mean their first occurrence), that
    is the first wall-clock time after the repeated hour."""
    zone = clinic_zone()
    moment = instant(wall, zone) + duration
    later = moment.astimezone(zone).replace(tzinfo=None, fold=0)
    while instant(later, zone) < moment:  # at most the repeated hour, minute by minute
        later = later.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return later


def aware_to_wall(moment: datetime) -> datetime:
    """A datetime as clinic wall-clock time: an aware one converted to the clinic's zone
    first, a naive one taken as clinic time already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(clinic_zone()).replace(tzinfo=None)


def exists(wall: datetime, zone: ZoneInfo) -> bool:
    """Whether a wall-clock time happens at all (not skipped when the clocks go forward)."""
    aware = wall.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def lasts_as_written(start: datetime, end: datetime, zone: ZoneInfo) -> bool:
    """Whether every moment of [start, end) exists: no part falls in the hour skipped when the
    clocks go forward. (On the day they go back, an ambiguous time is its first occurrence.)"""
    last = end - timedelta(seconds=1)
    if not (exists(start, zone) and exists(last, zone)):
        return False
    return instant(last, zone) - instant(start, zone) >= last - start
