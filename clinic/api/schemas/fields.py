"""The fields every schema is made of: bounded text, ids, dates, times of day, pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ...kernel.values import FIRST_DAY, LAST_DAY

MAX_ID = 2**31 - 1
CLOCK = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"


class Text(fields.String):
    """Text without NUL characters (no database stores them)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ma.ValidationError("Must not contain NUL characters.")
        return text


def text(maximum: int, required: bool = False, minimum: int = 0, **kwargs: Any) -> Text:
    """A text field of bounded length."""
    return Text(required=required, validate=validate.Length(min=minimum, max=maximum), **kwargs)


def ident(**kwargs: Any) -> fields.Integer:
    """An id of a related object."""
    return fields.Integer(strict=False, validate=validate.Range(1, MAX_ID), **kwargs)


def within_days(value: date | datetime) -> None:
    """Refuse a date or moment outside the days the clinic reads (whose neighbours may not
    exist: 9999-12-31 and one day more overflow)."""
    if not FIRST_DAY <= (value.date() if isinstance(value, datetime) else value) <= LAST_DAY:
        raise ma.ValidationError(f"Use a date from {FIRST_DAY} to {LAST_DAY}.")


def day(**kwargs: Any) -> fields.Date:
    """A date, "YYYY-MM-DD", within the days the clinic reads."""
    return fields.Date(validate=within_days, **kwargs)


def clock(**kwargs: Any) -> Text:
    """A time of day, "HH:MM" or "HH:MM:SS"."""
    return Text(validate=validate.Regexp(CLOCK, error="Use HH:MM or HH:MM:SS."), **kwargs)


class In(ma.Schema):
    """A request body or query: fields it does not know are ignored, as the original did."""

    class Meta:
        unknown = ma.EXCLUDE


class PageQuery(In):
    page = fields.Integer(validate=validate.Range(1, 100_000))
    page_size = fields.Integer(validate=validate.Range(1, 100))


def hms(value) -> str:
    return value.strftime("%H:%M:%S")
