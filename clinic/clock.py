"""The clinic's time zone, its "now", and wall-clock times on days the clocks change."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def clinic_zone() -> ZoneInfo:
    """The clinic's IANA time zone (CLINIC_TIMEZONE)."""
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])


def clinic_now() -> datetime:
    """The clinic's wall-clock time now, naive, to the second (as appointments are stored)."""
    return datetime.now(clinic_zone()).replace(tzinfo=None, microsecond=0)


def to_aware(wall: datetime, zone: ZoneInfo | None = None) -> datetime:
    """A clinic wall-clock time as an aware datetime; an ambiguous one is its first occurrence."""
    return wall.replace(tzinfo=zone or clinic_zone(), fold=0)


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
    real = to_aware(last, zone).astimezone(UTC) - to_aware(start, zone).astimezone(UTC)
    return real >= last - start
