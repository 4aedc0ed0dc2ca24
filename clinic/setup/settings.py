"""The clinic's own settings: name, contact, and the rules of online booking."""

from __future__ import annotations

from typing import Any

from ..kernel.values import AnySession
from ..models import LONGEST_SLOT, SHORTEST_SLOT, ClinicSettings, User
from .common import flag, name, save, text, whole

READERS = {
    "name": name(ClinicSettings.name),
    "address": text(ClinicSettings.address),
    "phone": text(ClinicSettings.phone),
    "self_booking": flag,
    "min_notice_minutes": whole(0, 60 * 24 * 30),
    "max_days_ahead": whole(1, 730),
    "cancellation_window_hours": whole(0, 24 * 30),
    "default_slot_minutes": whole(SHORTEST_SLOT, LONGEST_SLOT),
    "max_client_bookings": whole(1, 100),
}


def save_settings(
    session: AnySession, fields: dict[str, Any], *, actor: User | None = None
) -> ClinicSettings:
    """Change the settings given in `fields`."""
    return save(session, ClinicSettings, session.get_one(ClinicSettings, 1), fields, READERS, actor)
