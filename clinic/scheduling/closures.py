"""Reads of time off for the admin's lists: the upcoming and current closures, or the past
ones, with whose they are (a specialist, a location, or the whole clinic)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ..models import TimeOff


def time_off_query(now: datetime, *, past: bool = False) -> Select:
    """Time off not yet over at `now` (clinic time), soonest first; or (`past`) those over,
    the latest first; each with its specialist and location in the same query."""
    statement = select(TimeOff).options(
        joinedload(TimeOff.specialist), joinedload(TimeOff.location)
    )
    if past:
        return statement.where(TimeOff.ends_at <= now).order_by(
            TimeOff.starts_at.desc(), TimeOff.id.desc()
        )
    return statement.where(TimeOff.ends_at > now).order_by(TimeOff.starts_at, TimeOff.id)
