"""How pages and messages say times: in words, the same everywhere."""

from __future__ import annotations

from datetime import date, datetime


def day_in_words(day: date) -> str:
    """ "Monday 4 January 2027"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def when(moment: datetime) -> str:
    """ "Monday 4 January 2027 at 10:00"."""
    return f"{day_in_words(moment)} at {moment:%H:%M}"
