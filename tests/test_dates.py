"""Days and times in words: through Babel in the current locale, never the process's."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import force_locale
from helpers import MONDAY, PROJECT_ROOT

from clinic.kernel import dates


def test_a_day_and_a_moment_read_in_english_by_default(app):
    """Is Monday 4 January 2027 at 10:00 said as the pages and emails say it?"""
    with app.test_request_context():
        assert dates.day_in_words(MONDAY) == "Monday 4 January 2027"
        assert dates.when(datetime(2027, 1, 4, 10, 0)) == "Monday 4 January 2027 at 10:00"
        assert (dates.weekday(MONDAY), dates.short_weekday(MONDAY)) == ("Monday", "Mon")
        assert (dates.month(MONDAY), dates.short_month(MONDAY)) == ("January", "Jan")
        assert dates.month_year(date(2027, 1, 31)) == "January 2027"


def test_a_wall_clock_moment_keeps_its_day_late_at_night(app):
    """Is 23:30 clinic time still that day (Babel would move a datetime to another zone)?"""
    with app.test_request_context():
        assert dates.when(datetime(2027, 1, 4, 23, 30)) == "Monday 4 January 2027 at 23:30"


def test_the_words_follow_the_locale_babel_is_in(app):
    """Do the words come from Babel's locale (so the languages issue only picks it), not from
    the process's locale as strftime's do?"""
    with app.test_request_context(), force_locale("uk"):
        assert dates.weekday(MONDAY) == "понеділок"
        assert dates.month(MONDAY) == "січень"


def test_no_page_or_email_says_a_day_or_month_through_strftime():
    """Does no template or module write %A, %a, %B or %b (the process locale's words)?"""
    found = []
    for path in [
        *(PROJECT_ROOT / "templates").rglob("*.*"),
        *(PROJECT_ROOT / "clinic").rglob("*.py"),
    ]:
        text = path.read_text(encoding="utf-8")
        for directive in ("%A", "%a", "%B", "%b"):
            if directive in text:
                found.append(f"{path.relative_to(PROJECT_ROOT)} uses {directive}")
    assert found == []
