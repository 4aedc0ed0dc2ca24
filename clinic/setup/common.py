"""What saving and removing any of the clinic's things share: reading the given fields onto a
row, auditing the save, and "referenced → deactivate, else delete"."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from .. import audit
from ..kernel.database import writing
from ..kernel.errors import Conflict, Invalid
from ..kernel.values import AnySession, limit, parse_name, parse_note, parse_phone, parse_text
from ..models import UNDER_WAY, Appointment, User

T = TypeVar("T")
Reader = Callable[[Any, str], Any]


class Removal(enum.StrEnum):
    """What removing a specialist, location or staff user did."""

    DELETED = "deleted"
    DEACTIVATED = "deactivated"


def name(column: InstrumentedAttribute, required: bool = True) -> Reader:
    """A reader of a name that fits `column`."""
    return lambda value, field: parse_name(value, field, limit(column), required)


def text(column: InstrumentedAttribute) -> Reader:
    """A reader of optional text that fits `column`."""
    return lambda value, field: parse_text(value, field, limit(column))


def note(column: InstrumentedAttribute) -> Reader:
    """A reader of an optional note over several lines that fits `column`."""
    return lambda value, field: parse_note(value, field, limit(column))


def phone(column: InstrumentedAttribute) -> Reader:
    """A reader of an optional phone number that fits `column`."""
    return lambda value, field: parse_phone(value, field, limit(column))


def flag(value: Any, field: str) -> bool:
    """A yes/no value."""
    if not isinstance(value, bool):
        raise Invalid({field: "Must be true or false."})
    return value


def whole(low: int, high: int) -> Reader:
    """A reader of a whole number from `low` to `high`."""

    def read(value: Any, field: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Invalid({field: f"Use a whole number from {low} to {high}."})
        return value

    return read


def save(
    session: AnySession,
    model: type[T],
    row: T | None,
    fields: dict[str, Any],
    readers: dict[str, Reader],
    actor: User | None,
) -> T:
    """Create or change a row that needs nothing beyond its readers (see `saving`)."""
    with saving(session, model, row, fields, readers, actor) as saved:
        return saved


@contextmanager
def saving(
    session: AnySession,
    model: type[T],
    row: T | None,
    fields: dict[str, Any],
    readers: dict[str, Reader],
    actor: User | None,
) -> Iterator[T]:
    """Create (`row` None) or change a row in one unit of work: the given fields among
    `readers` are read onto it, the block adds what else it needs, and the save is audited."""
    with writing(session):
        before = audit.snapshot(row) if row is not None else None
        row = row if row is not None else model()
        for field, read in readers.items():
            if field in fields:
                setattr(row, field, read(fields[field], field))
            elif before is None and model.__table__.c[field].default is None:
                setattr(row, field, read(None, field))
        yield row
        session.add(row)
        if before is None or audit.snapshot(row) != before:
            audit.record(session, actor, "create" if before is None else "update", row, before)


def remove(session: AnySession, row: Any, references: list[Any], actor: User | None) -> Removal:
    """Deactivate a row any of the EXISTS `references` holds for, else delete it; audited."""
    before = audit.snapshot(row)
    if references and session.scalar(select(or_(*references))):
        row.active = False
        audit.record(session, actor, "deactivate", row, before)
        return Removal.DEACTIVATED
    audit.record(session, actor, "delete", row, before)
    session.delete(row)
    return Removal.DELETED


def refuse_live_upcoming(
    session: AnySession, column: InstrumentedAttribute, key: int, what: str, now: datetime
) -> None:
    """Refuse switching off a specialist or location that still has live upcoming
    appointments, listing them."""
    upcoming = session.scalars(
        select(Appointment)
        .where(column == key, Appointment.status.in_(UNDER_WAY), Appointment.ends_at > now)
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    if upcoming:
        raise Conflict(
            f"{what} still has {len(upcoming)} upcoming appointment(s); move or cancel them first.",
            appointments=upcoming,
        )


def referenced_by(column: InstrumentedAttribute, key: int) -> Any:
    """An EXISTS clause: some row's `column` is `key`."""
    return exists().where(column == key)
