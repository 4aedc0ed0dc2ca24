"""The clinic's time zone and its "now"."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app


def clinic_zone() -> ZoneInfo:
    """The clinic's IANA time zone (CLINIC_TIMEZONE)."""
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])


def clinic_now() -> datetime:
    """The clinic's wall-clock time now, naive, to the second (as appointments are stored)."""
    return datetime.now(clinic_zone()).replace(tzinfo=None, microsecond=0)
