"""Reading plain values from requests: dates, times, weekdays, ids, names and free text.

Each reader answers the value or raises `Invalid` naming the field; length limits come from the
model columns, so a form, a schema and the database agree.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import InstrumentedAttribute, Session, scoped_session

from .clock import aware_to_wall
from .errors import Invalid, NotFound

AnySession = Session | scoped_session
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_NOTES_LENGTH = 2000
"""Notes are TEXT columns; this is the clinic's limit, not the database's."""

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
"""The days the clinic reads: far enough from year 1 and 9999 that a day's neighbours and a
week or a month around it still exist."""
_UNSEEN = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
"""Control, format (right-to-left overrides, zero-width), surrogate, private-use characters
and line or paragraph separators: they hide text or break lines in emails, and databases
refuse some."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2}))?$", re.ASCII)
_PHONE = re.compile(r"^[0-9 +\-()./]*$", re.ASCII)


def limit(column: InstrumentedAttribute) -> int:
    """The length a string column holds."""
    return column.property.columns[0].type.length or MAX_NOTES_LENGTH


def parse_date(value: Any, field: str = "date") -> date:
    """A date from a `date` or "YYYY-MM-DD" from FIRST_DAY to LAST_DAY; Invalid otherwise
    (also for 2026-02-30). An aware datetime's date is its date in the clinic's zone."""
    if isinstance(value, datetime):
        value = aware_to_wall(value).date()
    if value is None or value == "":
        raise Invalid({field: "A date is required."})
    if isinstance(value, str) and _DATE.match(value):
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value)
    if not isinstance(value, date):
        raise Invalid({field: f"{str(value)[:40]!r} is not a date (YYYY-MM-DD)."})
    if not FIRST_DAY <= value <= LAST_DAY:
        raise Invalid({field: f"Use a date from {FIRST_DAY} to {LAST_DAY}."})
    return value


def parse_time(value: Any, field: str = "start_time") -> time:
    """A time of the clinic's clock from a naive `time`, "HH:MM" or "HH:MM:SS", in whole
    minutes; Invalid otherwise (also for a time with an offset: without a date it names no
    clinic time)."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise Invalid({field: "Give the clinic's time of day, without an offset."})
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
    return parsed


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


def parse_text(value: Any, field: str, maximum: int, lines: bool = False) -> str:
    """Free text of at most `maximum` characters, trimmed; none is empty. One line unless
    `lines` (line breaks then become "\\n"); control and invisible characters are refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid({field: "Must be text."})
    value = value.strip()
    if lines:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    seen = value.replace("\n", "") if lines else value
    if any(unicodedata.category(char) in _UNSEEN for char in seen):
        raise Invalid({field: _unseen_message(lines)})
    if len(value) > maximum:
        raise Invalid({field: f"Use at most {maximum} characters (this has {len(value)})."})
    return value


def _unseen_message(lines: bool) -> str:
    """What is wrong with text that holds an invisible or control character."""
    allowed = "line breaks" if lines else "a single line"
    return f"Use visible characters only ({allowed}; no control or invisible characters)."


def parse_note(value: Any, field: str, maximum: int) -> str:
    """A note: free text that may run over several lines."""
    return parse_text(value, field, maximum, lines=True)


def parse_phone(value: Any, field: str, maximum: int) -> str:
    """A phone number, or none: digits, spaces and + - ( ) . / only."""
    value = parse_text(value, field, maximum)
    if not _PHONE.match(value):
        raise Invalid({field: "Use digits, spaces and + - ( ) . / only."})
    return value


def parse_name(value: Any, field: str, maximum: int, required: bool = True) -> str:
    """A name: trimmed text, required unless said otherwise."""
    value = parse_text(value if isinstance(value, str) else None, field, maximum)
    if required and not value:
        raise Invalid({field: "This is required."})
    return value


def parse_id(value: Any, field: str) -> int:
    """An integer id."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value) < 12
        and int(value) > 0
    ):
        return int(value)
    raise Invalid({field: f"{str(value)[:40]!r} is not an id."})


def name_of(row: Any) -> str:
    """How a row is called in a message."""
    return getattr(row, "full_name", None) or getattr(row, "name", None) or f"#{row.id}"


def hm(moment: datetime | time) -> str:
    """ "HH:MM"."""
    return moment.strftime("%H:%M")


def active_row(session: AnySession, model: type, value: Any, field: str, what: str) -> Any:
    """The active row `value` of `model`, for a field of a request; Invalid otherwise."""
    row = session.get(model, parse_id(value, field))
    if row is None:
        raise Invalid({field: f"There is no {what} {value}."})
    if not getattr(row, "active", True):
        raise Invalid({field: f"{what.capitalize()} {name_of(row)} is not active."})
    return row


def key_of(value: Any, what: str) -> int:
    """The id of the thing a request is about; NotFound when it cannot be one."""
    try:
        return parse_id(value, "id")
    except Invalid:
        raise NotFound(f"There is no {what} {str(value)[:40]!r}.") from None


def get_row(session: AnySession, model: type, value: Any, what: str) -> Any:
    """The row the request is about; NotFound otherwise."""
    key = key_of(value, what)
    row = session.get(model, key)
    if row is None:
        raise NotFound(f"There is no {what} {key}.")
    return row


def parse_moment(value: Any, field: str) -> datetime:
    """A clinic wall-clock moment from a `datetime`, "YYYY-MM-DDTHH:MM" (or with a space), or a
    bare date meaning its midnight; in whole minutes."""
    if isinstance(value, datetime):
        moment = aware_to_wall(value)
        if moment.fold:
            raise Invalid(
                {
                    field: "That moment is the second time round of the hour the clocks go "
                    "back, which the clinic's times cannot name; choose another."
                }
            )
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str) and len(value.strip()) == 10:
        moment = datetime.combine(parse_date(value.strip(), field), time())
    elif isinstance(value, str) and value.strip():
        day, _, clock = value.strip().replace(" ", "T", 1).partition("T")
        moment = datetime.combine(parse_date(day, field), parse_time(clock, field))
    else:
        raise Invalid({field: "A date and time is required."})
    if moment.second or moment.microsecond:
        raise Invalid({field: "Use whole minutes."})
    parse_date(moment, field)
    return moment
