"""Appointments in and out, and the filters of their list."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ...kernel.clock import to_aware
from ...kernel.values import limit
from ...models import Appointment, AppointmentStatus
from .fields import In, PageQuery, Text, clock, day, hms, ident, text, within_days

STATUSES = [status.value for status in AppointmentStatus]
SEEN_BY_STAFF = "seen_by_staff"
"""The mark of an appointment shown to staff (with the clinic's notes)."""


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
    type = text(limit(Appointment.type))
    date = day(required=True)
    start_time = clock(required=True)
    end_time = clock(allow_none=True)
    specialist_id = ident(required=True, data_key="worker")
    client_id = ident(
        data_key="client",
        metadata={"description": "Required for staff; a client books for themself"},
    )
    location_id = ident(allow_none=True, data_key="location")
    notes = text(limit(Appointment.notes), metadata={"description": NOTES_IN})
    patient_note = text(limit(Appointment.patient_note), metadata={"description": PATIENT_NOTE_IN})


class AppointmentPatch(In):
    type = text(limit(Appointment.type))
    date = day()
    start_time = clock()
    end_time = clock(allow_none=True)
    specialist_id = ident(data_key="worker")
    client_id = ident(
        data_key="client",
        metadata={"description": "The appointment's own client (another is refused: book anew)"},
    )
    location_id = ident(allow_none=True, data_key="location")
    notes = text(limit(Appointment.notes), metadata={"description": NOTES_IN})
    patient_note = text(limit(Appointment.patient_note), metadata={"description": PATIENT_NOTE_IN})
    status = Text(validate=validate.OneOf(STATUSES))
    reason = text(limit(Appointment.cancel_reason), data_key="cancel_reason")
