"""The audit log: every change to the clinic's data, with who made it, before and after.

Recording an entry also notes the change for the unit of work, so that `clinic_changed`
names everything the unit did once it commits."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, joinedload

from ..kernel.database import note_change
from ..kernel.signals import Change
from ..models import AuditEntry, User

SECRET_COLUMNS = frozenset({"password_hash"})
HOUSEKEEPING = frozenset({"updated_at", "ics_sequence", "reminder_sent_at"})
"""Columns a change moves along by itself, which no reader of the log needs to see."""


def snapshot(entity: Any) -> dict[str, Any]:
    """The entity's column values as JSON-friendly data, secrets left out."""
    values: dict[str, Any] = {}
    for column in inspect(entity).mapper.column_attrs:
        if column.key in SECRET_COLUMNS:
            continue
        values[column.key] = _plain(getattr(entity, column.key))
    return values


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity: Any,
    before: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry for `entity` (flushed, so that its id is known); actor None: system."""
    session.flush()
    entry = AuditEntry(
        **_by(actor),
        action=action,
        entity=entity.__tablename__,
        entity_id=entity.id,
        before=before,
        after=None if action == "delete" else snapshot(entity),
    )
    session.add(entry)
    note_change(session, Change(entry.entity, entity.id, action, entity))
    return entry


def _by(actor: User | None) -> dict[str, Any]:
    """Who made a change, as the entry records it: a stored user by their id, which the row
    keeps even when its attributes are expired (a unit of work begins by ending the read
    before it; `actor=` would read the user's row again only to learn the same id)."""
    identity = None if actor is None else inspect(actor).identity
    if identity is not None:
        return {"actor_id": identity[0]}
    return {"actor": actor}


def history(session: Session, entity: str, entity_id: int) -> list[AuditEntry]:
    """The log of one thing (`entity` a table name), oldest first, with who made each change."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
            .options(joinedload(AuditEntry.actor))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )


def changes(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """What an entry changed: (column, before, after) for each column whose value differs
    (a creation: every column given a value), housekeeping left out."""
    before, after = entry.before or {}, entry.after or {}
    return [
        (column, before.get(column), after.get(column))
        for column in dict.fromkeys([*before, *after])
        if column not in HOUSEKEEPING
        and column != "id"
        and before.get(column) != after.get(column)
        and (entry.before is not None or after.get(column) not in (None, ""))
    ]


def _plain(value: Any) -> Any:
    """A value JSON can hold."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value
