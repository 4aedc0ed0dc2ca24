"""The API's marshmallow schemas: the shape of what comes in and goes out, nothing more.

Field names are the original service's (`worker`, `work_schedule`, `from_hour`, ...). Rules
(is this time free, may this status follow) are the booking rules' business, not these; each
length is the column's (`limit()`). One module a subject; this one re-exports them all.
"""

from __future__ import annotations

import functools

import marshmallow as ma

from .appointments import (
    SEEN_BY_STAFF,
    AppointmentIn,
    AppointmentOut,
    AppointmentPatch,
    AppointmentQuery,
)
from .auth import (
    AccessOut,
    ActivateQuery,
    LoginIn,
    MessageOut,
    RefreshIn,
    RegisteredOut,
    RegisterIn,
    TokensOut,
)
from .fields import In, PageQuery
from .people import ClientIn, ClientOut, ManagerIn, ManagerOut, ManagerPatch, UserOut
from .setup import (
    LocationIn,
    LocationOut,
    ShiftIn,
    ShiftOut,
    SlotsQuery,
    WorkerIn,
    WorkerOut,
    WorkerQuery,
)

__all__ = [
    "SEEN_BY_STAFF",
    "AccessOut",
    "ActivateQuery",
    "AppointmentIn",
    "AppointmentOut",
    "AppointmentPatch",
    "AppointmentQuery",
    "ClientIn",
    "ClientOut",
    "LocationIn",
    "LocationOut",
    "LoginIn",
    "ManagerIn",
    "ManagerOut",
    "ManagerPatch",
    "MessageOut",
    "PageQuery",
    "RefreshIn",
    "RegisterIn",
    "RegisteredOut",
    "ShiftIn",
    "ShiftOut",
    "SlotsQuery",
    "TokensOut",
    "UserOut",
    "WorkerIn",
    "WorkerOut",
    "WorkerQuery",
    "v1_name",
]


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
    return _v1_names().get(head, head) + dot + rest


@functools.cache
def _v1_names() -> dict[str, str]:
    """Every request schema's renamed fields, read once."""
    return _renamed(In)
