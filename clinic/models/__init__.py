"""The clinic's data: typed SQLAlchemy 2.x models.

Two kinds of time live here. Appointments and time off are clinic-local wall-clock times
(naive `LocalDateTime`); system timestamps (created, audit, tokens) are aware UTC (`UTCDateTime`).
The overlap invariants of appointments are kept by the database itself: PostgreSQL exclusion
constraints and SQLite triggers, both written in the migrations and kept out of this metadata.
"""

from .appointments import UNDER_WAY, Appointment, AppointmentStatus
from .bookkeeping import AuditEntry, DataVersion, RevokedToken, SignIn
from .columns import AUTOINCREMENT, LocalDateTime, UTCDateTime, comparison_key, utcnow
from .people import Client, Role, User
from .setup import (
    LOCATION_ORDER,
    LONGEST_SLOT,
    SHIFT_ORDER,
    SHORTEST_SLOT,
    SPECIALIST_ORDER,
    ClinicSettings,
    Location,
    Shift,
    Specialist,
    TimeOff,
    location_shifts,
    specialist_shifts,
)

__all__ = [
    "AUTOINCREMENT",
    "LOCATION_ORDER",
    "LONGEST_SLOT",
    "SHIFT_ORDER",
    "SHORTEST_SLOT",
    "SPECIALIST_ORDER",
    "UNDER_WAY",
    "Appointment",
    "AppointmentStatus",
    "AuditEntry",
    "Client",
    "ClinicSettings",
    "DataVersion",
    "LocalDateTime",
    "Location",
    "RevokedToken",
    "Role",
    "Shift",
    "SignIn",
    "Specialist",
    "TimeOff",
    "UTCDateTime",
    "User",
    "comparison_key",
    "location_shifts",
    "specialist_shifts",
    "utcnow",
]
