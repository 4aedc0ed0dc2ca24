"""How the clinic says days and times in words, through Babel in the current locale (English
until the languages issue chooses one per person), the same on pages and in emails. Times are
the clinic's wall clock, never shifted to another zone."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date


def day_in_words(day: date) -> str:
    """ "Monday 4 January 2027"."""
    return format_date(_day(day), "EEEE d MMMM y")


def when(moment: datetime) -> str:
    """ "Monday 4 January 2027 at 10:00"."""
    return f"{day_in_words(moment)} at {moment:%H:%M}"


def weekday(day: date) -> str:
    """ "Monday"."""
    return format_date(_day(day), "EEEE")


def short_weekday(day: date) -> str:
    """ "Mon"."""
    return format_date(_day(day), "EEE")


def month(day: date) -> str:
    """ "January"."""
    return format_date(_day(day), "LLLL")


def short_month(day: date) -> str:
    """ "Jan"."""
    return format_date(_day(day), "LLL")


def month_year(day: date) -> str:
    """ "January 2027"."""
    return format_date(_day(day), "LLLL y")


def _day(day: date) -> date:
    """The day of a date or a clinic wall-clock moment (Babel would move a datetime to the
    zone it formats in)."""
    return day.date() if isinstance(day, datetime) else day


def init_app(app: Flask) -> None:
    """Templates, pages and emails alike, say dates with these filters."""
    for words in (day_in_words, when, weekday, short_weekday, month, short_month, month_year):
        app.add_template_filter(words)
