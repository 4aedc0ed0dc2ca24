"""How pages say shifts and time off in words (days and times: kernel.dates)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from ..kernel.dates import day_in_words, when
from ..kernel.values import WEEKDAYS, hm
from ..models import TimeOff


def span_in_words(starts_at: datetime, ends_at: datetime) -> str:
    """From when to when: whole days as days, else the times."""
    if starts_at.time() == ends_at.time() == time():
        last = (ends_at - timedelta(days=1)).date()
        if last == starts_at.date():
            return f"{day_in_words(last)} (all day)"
        return f"{day_in_words(starts_at.date())} to {day_in_words(last)} (whole days)"
    if ends_at.date() == starts_at.date():
        return f"{when(starts_at)} to {ends_at:%H:%M}"
    return f"{when(starts_at)} to {when(ends_at)}"


def whose(time_off: TimeOff) -> str:
    """Whose time off it is, in words."""
    if time_off.specialist is not None:
        return time_off.specialist.full_name
    return "Whole clinic" if time_off.location is None else time_off.location.name


def shift_words(shift: Any, short: bool = False) -> str:
    """A shift (or anything with a weekday and times) in words: "Monday 09:00-13:00"."""
    day = WEEKDAYS[shift.weekday]
    return f"{day[:3] if short else day} {hm(shift.start_time)}\N{EN DASH}{hm(shift.end_time)}"
