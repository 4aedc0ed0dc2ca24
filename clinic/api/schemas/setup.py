"""Shifts (`work_schedule`), specialists (`workers`) and locations, in and out."""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ...kernel.values import WEEKDAYS, limit
from ...models import Appointment, Location, Specialist
from ...setup.specialists import ABOUT_LENGTH, MAX_VISIT_TYPES
from .fields import CLOCK, MAX_ID, In, Text, clock, day, hms, ident, text


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


class WorkerQuery(In):
    date = day(metadata={"description": "The day of available_slots (today by default)"})


class SlotsQuery(In):
    first = day(data_key="from", metadata={"description": "First day (today)"})
    last = day(data_key="to", metadata={"description": "Last day (a week on)"})


class WorkerIn(In):
    first_name = text(limit(Specialist.first_name), required=True, minimum=1)
    last_name = text(limit(Specialist.last_name), required=True, minimum=1)
    phone = text(limit(Specialist.phone))
    specialty = text(limit(Specialist.specialty))
    slot_minutes = fields.Integer()
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
    name = text(limit(Location.name), required=True, minimum=1)
    address = text(limit(Location.address))
    active = fields.Boolean()
    shifts = WorkSchedule(data_key="work_schedule")
