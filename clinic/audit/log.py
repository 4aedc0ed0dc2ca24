"""Reads of the audit log for the admin: the entries with filters, newest first; who and what
appear in it; and the things a page of entries is about, gathered in one query per kind."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload, scoped_session

from ..kernel.clock import clinic_zone, to_aware
from ..models import (
    Appointment,
    AuditEntry,
    Client,
    Location,
    Role,
    Shift,
    Specialist,
    TimeOff,
    User,
)

KINDS: dict[str, Any] = {
    "appointments": Appointment,
    "clients": Client,
    "specialists": Specialist,
    "locations": Location,
    "shifts": Shift,
    "time_off": TimeOff,
    "users": User,
}
"""The tables whose rows the log's pages look up, by the name entries give them."""
REFERENCES = {
    "specialist_id": "specialists",
    "location_id": "locations",
    "default_location_id": "locations",
    "client_id": "clients",
    "user_id": "users",
    "created_by_id": "users",
    "shifts": "shifts",
}
"""The columns of a snapshot that hold ids (a list of them for `shifts`), and of what."""
LOADED = {
    "appointments": (joinedload(Appointment.client), joinedload(Appointment.specialist)),
    "time_off": (joinedload(TimeOff.specialist), joinedload(TimeOff.location)),
    "users": (joinedload(User.client),),
}
"""What each kind's name needs, loaded in the same query."""


def entries_query(
    *,
    user_id: int | None = None,
    by_system: bool = False,
    entity: str | None = None,
    first: date | None = None,
    last: date | None = None,
    zone: ZoneInfo | None = None,
) -> Select:
    """The log's entries, newest first, with who made each: of one user (or, `by_system`, of
    nobody), of one table, from `first` to `last` — whole days of the clinic's time zone."""
    statement = (
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if by_system:
        statement = statement.where(AuditEntry.actor_id.is_(None))
    elif user_id is not None:
        statement = statement.where(AuditEntry.actor_id == user_id)
    if entity:
        statement = statement.where(AuditEntry.entity == entity)
    zone = zone or clinic_zone()
    if first is not None:
        statement = statement.where(AuditEntry.at >= day_start(first, zone))
    if last is not None:
        statement = statement.where(AuditEntry.at < day_start(last + timedelta(days=1), zone))
    return statement


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The moment (UTC) a clinic day begins."""
    return to_aware(datetime.combine(day, time()), zone).astimezone(UTC)


def actors(session: Session | scoped_session, chosen: int | None = None) -> list[User]:
    """The staff who appear in the log (and the user `chosen`, whoever it is), by name."""
    appears = select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()
    statement = (
        select(User)
        .where(User.id.in_(appears))
        .where(or_(User.role != Role.CLIENT, User.id == chosen))
        .order_by(User.last_name, User.first_name, User.username)
    )
    return list(session.scalars(statement))


def entities(session: Session | scoped_session) -> list[str]:
    """The tables the log has entries of."""
    return list(session.scalars(select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)))


def things_of(
    session: Session | scoped_session, entries: Sequence[AuditEntry]
) -> dict[str, dict[int, Any]]:
    """The rows still there that the entries are about or name in their values, by table and
    id: one query for each kind."""
    wanted: dict[str, set[int]] = {kind: set() for kind in KINDS}
    for entry in entries:
        if entry.entity in wanted and isinstance(entry.entity_id, int):
            wanted[entry.entity].add(entry.entity_id)
        for values in (entry.before or {}, entry.after or {}):
            for column, kind in REFERENCES.items():
                found = values.get(column)
                ids = found if isinstance(found, list) else [found]
                wanted[kind].update(i for i in ids if isinstance(i, int))
    return {
        kind: {
            row.id: row
            for row in session.scalars(
                select(KINDS[kind]).where(KINDS[kind].id.in_(ids)).options(*LOADED.get(kind, ()))
            ).unique()
        }
        for kind, ids in wanted.items()
        if ids
    }
