"""The audit log in words, for the admin's log and an appointment's history at the desk: when,
who, what, the thing with a link to its page, and before → after for each changed column."""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for

from ..audit import changes as changed_columns
from ..audit import log as audit_log
from ..extensions import db
from ..kernel.clock import clinic_zone
from ..kernel.dates import when
from ..kernel.errors import Invalid
from ..kernel.values import WEEKDAYS
from ..models import AppointmentStatus, AuditEntry, Role
from ..scheduling import read_shift
from .words import shift_words, span_in_words, whose

SHIFT_COLUMNS = ("weekday", "start_time", "end_time")
STATUSES = frozenset(status.value for status in AppointmentStatus)
ENTITIES = {
    "appointments": "Appointments",
    "clients": "Clients",
    "specialists": "Specialists",
    "locations": "Locations",
    "shifts": "Shifts",
    "time_off": "Time off",
    "users": "Users",
    "clinic_settings": "Clinic settings",
}
"""The kinds of thing the log holds, in words (others found in the log are added)."""

ACTIONS = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "deactivate": "Switched off",
    "reschedule": "Moved",
    "status": "Status changed",
    "cancel": "Cancelled",
    "shifts": "Shifts changed",
    "register": "Registered",
    "verify": "Email address verified",
    "email": "Email address changed",
    "expire": "Unverified account removed",
    "password": "Password changed",
    "temporary": "Temporary password set",
    "reset": "Password-reset link sent",
    "link": "Linked to an account",
}

LABELS = {
    "starts_at": "Start",
    "ends_at": "End",
    "start_time": "From",
    "end_time": "To",
    "specialist_id": "Specialist",
    "location_id": "Location",
    "default_location_id": "Default location",
    "client_id": "Client",
    "user_id": "Online account",
    "type": "Type of visit",
    "notes": "Clinic's notes",
    "patient_note": "Patient's note",
    "slot_minutes": "Slot length (minutes)",
    "email_verified_at": "Email verified",
    "cancel_reason": "Cancel reason",
}
"""Column names in words where capitalising them would not do."""
HIDDEN = frozenset({"username_key", "auth_version", "created_at", "created_by_id"})
"""Housekeeping the log's reader does not need (the entry says who and when already)."""

PAGES = {
    "appointments": ("desk.appointment", "appointment_id"),
    "clients": ("desk.client", "client_id"),
    "specialists": ("admin.edit_specialist", "specialist_id"),
    "locations": ("admin.edit_location", "location_id"),
    "shifts": ("admin.edit_shift", "shift_id"),
    "time_off": ("admin.edit_time_off", "time_off_id"),
    "users": ("admin.edit_staff", "user_id"),
}
"""The page of each kind of thing, and its argument."""


@dataclass(frozen=True)
class Line:
    """One entry in words: when (clinic time), who, what, the thing and its page (None when
    it is gone or has none), and each change as (column, before or None, after)."""

    at: datetime
    who: str
    what: str
    kind: str
    thing: str
    link: str | None
    changes: list[tuple[str, str | None, str]]


def in_words(entries: list[AuditEntry], shown: Collection[str] | None = None) -> list[Line]:
    """The entries in words, the things they name looked up at once (one query a kind);
    `shown` keeps only those columns' changes (all but housekeeping without it)."""
    rows = audit_log.things_of(db.session, entries)
    zone = clinic_zone()
    lines = []
    for entry in entries:
        row = rows.get(entry.entity, {}).get(entry.entity_id)
        lines.append(
            Line(
                at=entry.at.astimezone(zone).replace(tzinfo=None),
                who=entry.actor.full_name if entry.actor else "the system",
                what=action_in_words(entry),
                kind=ENTITIES.get(entry.entity, entry.entity),
                thing=named(entry, row),
                link=page_of(entry.entity, row),
                changes=changes_in_words(entry, rows, shown),
            )
        )
    return lines


def action_in_words(entry: AuditEntry) -> str:
    """What the entry did, in words ("Moved, Status changed"); an appointment made is booked."""
    said = {**ACTIONS, "create": "Booked"} if entry.entity == "appointments" else ACTIONS
    return ", ".join(said.get(part, part) for part in entry.action.split("+"))


def changes_in_words(
    entry: AuditEntry, rows: dict[str, dict[int, Any]], shown: Collection[str] | None = None
) -> list[tuple[str, str | None, str]]:
    """Each column the entry changed (housekeeping left out, or only the `shown` ones): its
    name, before (None for a creation) and after, in words."""
    found = []
    for column, before, after in changed_columns(entry):
        if column in HIDDEN or (shown is not None and column not in shown):
            continue
        was = None if entry.before is None else value_in_words(column, before, rows)
        now = value_in_words(column, after, rows)
        if was != now:
            found.append((label(column), was, now))
    return found


def label(column: str) -> str:
    """A column's name in words."""
    return LABELS.get(column) or column.removesuffix("_id").replace("_", " ").capitalize()


def value_in_words(column: str, value: Any, rows: dict[str, dict[int, Any]]) -> str:
    """A value of the log in words: names for ids, times in words, yes or no."""
    if value is None or value == "" or value == []:
        return "(none)"
    if column in audit_log.REFERENCES:
        kind = audit_log.REFERENCES[column]
        found = rows.get(kind, {})
        ids = value if isinstance(value, list) else [value]
        return ", ".join(row_name(kind, found[i]) if i in found else f"#{i}" for i in ids)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if column.endswith("_at") and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            moment = moment.astimezone(clinic_zone()).replace(tzinfo=None)
        return when(moment)
    if column == "status" and value in STATUSES:
        return AppointmentStatus(value).in_words.capitalize()
    if column == "role":
        return str(value).capitalize()
    if column == "weekday" and isinstance(value, int) and 0 <= value < len(WEEKDAYS):
        return WEEKDAYS[value]
    if column in ("start_time", "end_time") and isinstance(value, str):
        return value[:5]
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def row_name(kind: str, row: Any) -> str:
    """What a thing still there is called."""
    if kind == "appointments":
        return f"{row.client.full_name} with {row.specialist.full_name}, {when(row.starts_at)}"
    if kind == "shifts":
        return shift_words(row)
    if kind == "time_off":
        return f"{whose(row)}, {span_in_words(row.starts_at, row.ends_at)}"
    return getattr(row, "full_name", None) or getattr(row, "name", None) or f"#{row.id}"


def named(entry: AuditEntry, row: Any) -> str:
    """What the entry's thing is called: by the row when it is there, else by the entry's
    own snapshot (a thing deleted since)."""
    if entry.entity == "clinic_settings":
        return "Clinic settings"
    if row is not None:
        return row_name(entry.entity, row)
    values = entry.before or entry.after or {}
    if entry.entity == "appointments" and values.get("starts_at"):
        return f"Appointment on {when(datetime.fromisoformat(values['starts_at']))}"
    if entry.entity == "shifts" and set(SHIFT_COLUMNS) <= set(values):
        with contextlib.suppress(Invalid):
            return shift_words(read_shift(*(values[k] for k in SHIFT_COLUMNS)))
    if entry.entity == "time_off" and values.get("starts_at") and values.get("ends_at"):
        starts_at, ends_at = (datetime.fromisoformat(values[k]) for k in ("starts_at", "ends_at"))
        return span_in_words(starts_at, ends_at)
    person = f"{values.get('first_name', '')} {values.get('last_name', '')}".strip()
    return person or values.get("name") or values.get("username") or f"#{entry.entity_id}"


def page_of(kind: str, row: Any) -> str | None:
    """The address of a thing's page (None for one gone): staff accounts on the staff pages,
    a client's account on their client record; settings on the settings page."""
    if kind == "clinic_settings":
        return url_for("admin.settings")
    if row is None:
        return None
    if kind == "users" and row.role is Role.CLIENT:
        return url_for("desk.client", client_id=row.client.id) if row.client else None
    if kind not in PAGES:
        return None
    endpoint, argument = PAGES[kind]
    return url_for(endpoint, **{argument: row.id})
