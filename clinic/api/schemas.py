"""The API's marshmallow schemas: the shape of what comes in and goes out, nothing more.

Field names are the original service's (`worker`, `work_schedule`, `from_hour`, ...). Rules
(is this time free, may this status follow) are the booking rules' business, not these.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ..kernel.clock import to_aware
from ..kernel.values import FIRST_DAY, LAST_DAY, WEEKDAYS, limit
from ..models import Appointment, AppointmentStatus
from ..setup.specialists import ABOUT_LENGTH, MAX_VISIT_TYPES

MAX_ID = 2**31 - 1
CLOCK = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
STATUSES = [status.value for status in AppointmentStatus]
SEEN_BY_STAFF = "seen_by_staff"
"""The mark of an appointment shown to staff (with the clinic's notes)."""


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


class ShiftIn(In):
    weekday = Text(required=True, validate=validate.OneOf(WEEKDAYS))
    from_hour = clock(required=True)
    to_hour = clock(required=True)


SHIFT_ITEM = {
    "oneOf": [
        {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": "a shift's pk"},
        {
            "type": "object",
            "required": ["weekday", "from_hour", "to_hour"],
            "properties": {
                "weekday": {"type": "string", "enum": list(WEEKDAYS)},
                "from_hour": {"type": "string", "pattern": CLOCK},
                "to_hour": {"type": "string", "pattern": CLOCK},
            },
        },
    ]
}


class WorkSchedule(fields.Field):
    """The shifts worked: each a shift's pk or `{weekday, from_hour, to_hour}`; in form data,
    repeated pks or one JSON string of the list. Loads to pks and (weekday, from, to)."""

    is_multiple = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"type": "array", "items": SHIFT_ITEM}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list:
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            value = value[0]
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else []
            except ValueError:
                raise ma.ValidationError("Must be a JSON list of shifts.") from None
            value = value if isinstance(value, list) else [value]
        if not isinstance(value, list):
            raise ma.ValidationError("Must be a list of shifts.")
        return [self._item(index, item) for index, item in enumerate(value)]

    def _item(self, index: int, item: Any) -> int | tuple[str, str, str]:
        if isinstance(item, str) and item.isdigit():
            item = int(item)
        if isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= MAX_ID:
            return item
        if isinstance(item, dict):
            try:
                shift = ShiftIn().load(item)
            except ma.ValidationError as error:
                raise ma.ValidationError({index: error.messages}) from None
            return (shift["weekday"], shift["from_hour"], shift["to_hour"])
        raise ma.ValidationError(
            {index: ["Must be a shift's pk or {weekday, from_hour, to_hour}."]}
        )


class PageQuery(In):
    page = fields.Integer(validate=validate.Range(1, 100_000))
    page_size = fields.Integer(validate=validate.Range(1, 100))


# --- out ------------------------------------------------------------------------------------


def hms(value) -> str:
    return value.strftime("%H:%M:%S")


class ShiftOut(ma.Schema):
    pk = fields.Integer(attribute="id")
    weekday = fields.Function(lambda shift: WEEKDAYS[shift.weekday])
    from_hour = fields.Function(lambda shift: hms(shift.start_time))
    to_hour = fields.Function(lambda shift: hms(shift.end_time))


class WorkerOut(ma.Schema):
    pk = fields.Integer(attribute="id")
    first_name = fields.String()
    last_name = fields.String()
    phone = fields.String()
    specialty = fields.String()
    available_slots = fields.List(
        fields.String(),
        metadata={
            "description": "Free start times (HH:MM) on the day of ?date= (today by default)"
        },
    )
    work_schedule = fields.List(fields.Nested(ShiftOut), attribute="shifts")
    slot_minutes = fields.Integer()
    active = fields.Boolean()
    default_location = fields.Integer(attribute="default_location_id", allow_none=True)
    about = fields.String()
    visit_types = fields.List(fields.String())


class LocationOut(ma.Schema):
    pk = fields.Integer(attribute="id")
    name = fields.String()
    address = fields.String()
    work_schedule = fields.List(fields.Nested(ShiftOut), attribute="shifts")
    active = fields.Boolean()


class ClientOut(ma.Schema):
    pk = fields.Integer(attribute="id")
    first_name = fields.String()
    last_name = fields.String()
    phone = fields.String()
    email = fields.String(allow_none=True)
    pending_email = fields.Function(
        lambda client: client.user.pending_email if client.user_id else None,
        allow_none=True,
        metadata={
            "description": "The address a change waits to move the account to, until its "
            "holder confirms it by the emailed link (additive to the original)"
        },
    )


class AppointmentOut(ma.Schema):
    pk = fields.Integer(attribute="id")
    type = fields.String()
    date = fields.Function(lambda a: a.starts_at.date().isoformat(), metadata={"format": "date"})
    start_time = fields.Function(lambda a: hms(a.starts_at))
    end_time = fields.Function(lambda a: hms(a.ends_at))
    worker = fields.Integer(attribute="specialist_id")
    client = fields.Integer(attribute="client_id")
    location = fields.Integer(attribute="location_id")
    status = fields.Function(lambda a: a.status.value, metadata={"enum": STATUSES})
    notes = fields.String(
        metadata={"description": "Staff: the clinic's notes. A client: their own note."}
    )
    patient_note = fields.String(
        metadata={"description": "The patient's own note (staff only; a client's is `notes`)"}
    )
    cancel_reason = fields.String()
    start = fields.Function(
        lambda a: to_aware(a.starts_at).isoformat(), metadata={"format": "date-time"}
    )
    end = fields.Function(
        lambda a: to_aware(a.ends_at).isoformat(), metadata={"format": "date-time"}
    )

    @ma.post_dump(pass_original=True)
    def as_seen(self, data: dict, appointment: Any, **_kwargs: Any) -> dict:
        """Unless the resource marked it `seen_by_staff`, an appointment is shown as its
        patient sees it: `notes` is their own note, and the clinic's notes are not there."""
        if not getattr(appointment, SEEN_BY_STAFF, False):
            data["notes"] = data.pop("patient_note", "")
        return data


class ManagerOut(ma.Schema):
    pk = fields.Integer(attribute="id")
    username = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String(allow_none=True)
    active = fields.Boolean()


class UserOut(ma.Schema):
    id = fields.Integer()
    username = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String(allow_none=True)
    role = fields.Function(
        lambda user: user.role.value, metadata={"enum": ["admin", "manager", "client"]}
    )


class TokensOut(ma.Schema):
    access = fields.String()
    refresh = fields.String()
    user = fields.Nested(UserOut)


class AccessOut(ma.Schema):
    access = fields.String()


class MessageOut(ma.Schema):
    message = fields.String()


class RegisteredUserOut(UserOut):
    """The account as registered; its id comes with sign-in, so that the answer never tells
    whether the address had an account already."""

    class Meta:
        exclude = ("id",)


class RegisteredOut(ma.Schema):
    message = fields.String()
    user = fields.Nested(RegisteredUserOut)


# --- in -------------------------------------------------------------------------------------


class LoginIn(In):
    username = text(150, required=True)
    password = text(128, required=True, load_only=True)


class RefreshIn(In):
    refresh = text(4096, metadata={"description": "A refresh token (or send it as Bearer)"})


class RegisterIn(In):
    username = text(150, required=True)
    email = text(254, required=True)
    password = text(
        128,
        load_only=True,
        metadata={"description": "Optional: without one, the emailed link lets its owner choose"},
    )
    first_name = text(150)
    last_name = text(150)
    phone = text(32)


class ActivateQuery(In):
    token = text(1024, required=True)


class WorkerQuery(In):
    date = day(metadata={"description": "The day of available_slots (today by default)"})


class SlotsQuery(In):
    first = day(data_key="from", metadata={"description": "First day (today)"})
    last = day(data_key="to", metadata={"description": "Last day (a week on)"})


class WorkerIn(In):
    first_name = text(150, required=True, minimum=1)
    last_name = text(150, required=True, minimum=1)
    phone = text(32)
    specialty = text(150)
    slot_minutes = fields.Integer(validate=validate.Range(5, 480))
    active = fields.Boolean()
    default_location_id = ident(allow_none=True, data_key="default_location")
    shifts = WorkSchedule(data_key="work_schedule")
    about = text(ABOUT_LENGTH)
    visit_types = fields.List(
        text(limit(Appointment.type)),
        validate=validate.Length(max=MAX_VISIT_TYPES),
        metadata={"description": "The types of visit patients choose from when booking online"},
    )


class LocationIn(In):
    name = text(150, required=True, minimum=1)
    address = text(255)
    active = fields.Boolean()
    shifts = WorkSchedule(data_key="work_schedule")


class ClientIn(In):
    first_name = text(150, required=True, minimum=1)
    last_name = text(150, required=True, minimum=1)
    phone = text(32)
    email = text(
        254,
        allow_none=True,
        metadata={
            "description": "For a client with an account, a new address is emailed a "
            "confirmation link and changes once it is opened"
        },
    )
    password = text(
        128,
        load_only=True,
        metadata={"description": "Your password: a client confirms a new address with it"},
    )


class AppointmentQuery(PageQuery):
    date = day()
    first = day(data_key="from")
    last = day(data_key="to")
    specialist_id = ident(data_key="worker")
    client_id = ident(data_key="client")
    location_id = ident(data_key="location")
    status = Text(
        validate=validate.OneOf([*STATUSES, "all"]),
        metadata={"description": "Cancelled ones are left out unless this is cancelled or all"},
    )
    updated_since = fields.AwareDateTime(
        default_timezone=UTC,
        validate=within_days,
        metadata={
            "description": "Only appointments changed since then (UTC unless an offset is given)"
        },
    )


NOTES_IN = "Staff: the clinic's notes. A client: their own note."
PATIENT_NOTE_IN = "The patient's own note (a client may send it as `notes`)"


class AppointmentIn(In):
    type = text(100)
    date = day(required=True)
    start_time = clock(required=True)
    end_time = clock(allow_none=True)
    specialist_id = ident(required=True, data_key="worker")
    client_id = ident(
        data_key="client",
        metadata={"description": "Required for staff; a client books for themself"},
    )
    location_id = ident(allow_none=True, data_key="location")
    notes = text(2000, metadata={"description": NOTES_IN})
    patient_note = text(2000, metadata={"description": PATIENT_NOTE_IN})


class AppointmentPatch(In):
    type = text(100)
    date = day()
    start_time = clock()
    end_time = clock(allow_none=True)
    specialist_id = ident(data_key="worker")
    client_id = ident(
        data_key="client",
        metadata={"description": "The appointment's own client (another is refused: book anew)"},
    )
    location_id = ident(allow_none=True, data_key="location")
    notes = text(2000, metadata={"description": NOTES_IN})
    patient_note = text(2000, metadata={"description": PATIENT_NOTE_IN})
    status = Text(validate=validate.OneOf(STATUSES))
    reason = text(255, data_key="cancel_reason")


class ManagerIn(In):
    username = text(150, required=True)
    first_name = text(150)
    last_name = text(150)
    email = text(254, allow_none=True)
    password = text(128, required=True, load_only=True)
    repeat_password = text(128, required=True, load_only=True)


def _renamed(schema: type[ma.Schema]) -> dict[str, str]:
    """The fields a schema and its subclasses load under another name than the API's."""
    names = {
        name: field.data_key for name, field in schema._declared_fields.items() if field.data_key
    }
    for subclass in schema.__subclasses__():
        names |= _renamed(subclass)
    return names


def v1_name(field: str) -> str:
    """The API's name of a booking rules' field ("specialist_id" → "worker", "shifts.2" →
    "work_schedule.2"), read from the schemas' data_keys."""
    head, dot, rest = field.partition(".")
    return _V1_NAMES.get(head, head) + dot + rest


class ManagerPatch(In):
    username = text(150)
    first_name = text(150)
    last_name = text(150)
    email = text(254, allow_none=True)
    active = fields.Boolean()
    password = text(128, load_only=True)
    repeat_password = text(128, load_only=True)


_V1_NAMES = _renamed(In)
