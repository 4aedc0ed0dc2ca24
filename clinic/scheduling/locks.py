"""Write locks on PostgreSQL between bookings and the changes that take hours away.

A booking checks that its time lies in working hours, outside time off, with an active
specialist and room; a change of hours, time off or an active flag checks that no booked
appointment is in the way. Each check reads rows the other writes, so under READ COMMITTED both
can pass and commit side by side (the exclusion constraints guard overlaps only). So each takes
transaction-scoped advisory locks first, keyed `(namespace, id)`: a booking or move takes
**shared** the clinic key, its specialist and its location (for "any room", every candidate);
a change of a specialist's or location's hours, time off or active flag takes theirs
**exclusive**, a clinic-wide one the clinic key. Bookings never wait on each other; a change
waits for the bookings under way and they for it.

A unit takes all its keys at its start, in one order (clinic, specialists by id, locations by
id), before it reads any shift, time off or appointment; what the ORM read before is read again.
SQLite needs none of it: a unit of work holds the database's write lock (BEGIN IMMEDIATE).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, event, func, inspect, literal, select
from sqlalchemy.orm import Session

from ..database import in_unit, plain_session
from ..models import Appointment, Location, Specialist
from .errors import Invalid
from .values import AnySession, parse_id

CLINIC, SPECIALIST, LOCATION = 1, 2, 3
"""The namespaces: the first integer of a key (specialist 3 and location 3 are two locks)."""
CLINIC_KEY = (CLINIC, 0)
HELD = "clinic_advisory_locks"
"""The keys the session's transaction holds, each with whether exclusively."""

Key = tuple[int, int]


def hold_for_booking(session: AnySession, specialist_id: Any, location_id: Any = None) -> None:
    """Shared keys for a new time of `specialist_id` at `location_id` (None: the specialist's
    default room, else any room: every active one)."""
    session = plain_session(session)
    if not _locking(session):
        return
    specialist, location = _key_of(specialist_id), _key_of(location_id)
    if location is None and specialist is not None:
        location = session.scalar(
            select(Specialist.default_location_id).where(Specialist.id == specialist)
        )
    any_room = location is None and specialist is not None
    rooms = _active_rooms(session) if any_room else [location]
    _take(session, _keys([specialist], rooms, clinic=True), exclusive=False)
    if any_room:
        # A room switched on between the read and the lock is a candidate too. No unit waits
        # for another key while it holds a room's exclusively, so taking it late cannot deadlock.
        _take(session, _keys([], _active_rooms(session), clinic=False), exclusive=False, late=True)


def hold_for_move(session: AnySession, appointment_id: Any, changes: dict[str, Any]) -> None:
    """Shared keys for moving an appointment as `changes` asks (its own specialist unless
    another is named)."""
    session = plain_session(session)
    if not _locking(session):
        return
    specialist = changes.get("specialist_id")
    appointment = _key_of(appointment_id)
    if specialist in (None, "") and appointment is not None:
        specialist = session.scalar(
            select(Appointment.specialist_id).where(Appointment.id == appointment)
        )
    hold_for_booking(session, specialist, changes.get("location_id"))


def hold_for_change(
    session: AnySession,
    *,
    specialists: Iterable[Any] = (),
    locations: Iterable[Any] = (),
    clinic: bool = False,
) -> None:
    """Exclusive keys for a change of the hours, time off or active flag of these specialists
    and locations (ids; rows not yet saved are left out), or (`clinic`) of the whole clinic."""
    session = plain_session(session)
    if not _locking(session):
        return
    _take(
        session,
        _keys([_key_of(s) for s in specialists], [_key_of(x) for x in locations], clinic=clinic),
        exclusive=True,
    )


def _locking(session: Session) -> bool:
    """Whether the session's database takes these locks (PostgreSQL), inside a unit of work."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    if not in_unit(session):
        raise RuntimeError("advisory locks are taken inside a unit of work (writing)")
    return True


def _key_of(value: Any) -> int | None:
    """The id a value names, or None (what is not an id is refused later, by the rules)."""
    if value is None or value == "":
        return None
    if isinstance(value, Specialist | Location):
        identity = inspect(value).identity  # without loading an expired row before the lock
        return None if identity is None else identity[0]
    try:
        return parse_id(value, "id")
    except Invalid:
        return None


def _active_rooms(session: Session) -> list[int]:
    """The ids of the locations in use."""
    return list(session.scalars(select(Location.id).where(Location.active)))


def _keys(specialists: Iterable[int | None], locations: Iterable[int | None], clinic: bool):
    """The keys in the one order every unit takes them: clinic, specialists, locations."""
    keys: list[Key] = [CLINIC_KEY] if clinic else []
    keys += [(SPECIALIST, key) for key in sorted({k for k in specialists if k is not None})]
    keys += [(LOCATION, key) for key in sorted({k for k in locations if k is not None})]
    return keys


def _take(session: Session, keys: list[Key], *, exclusive: bool, late: bool = False) -> None:
    """Take the keys the transaction does not hold yet, in one statement (evaluated left to
    right), then read again what the ORM read before them. A unit takes its keys once, at its
    start; a later request must be held already (a nested unit joining its outer one), or is
    a mistake that could deadlock — except the late candidate rooms of a booking."""
    held: dict[Key, bool] = session.info.setdefault(HELD, {})
    wanted = [key for key in keys if key not in held or (exclusive and not held[key])]
    if not wanted:
        return
    if held and not late:
        raise RuntimeError(f"locks {wanted} asked for after the unit took {sorted(held)}")
    lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
    session.flush()
    session.execute(
        select(*(lock(literal(space, Integer), literal(key, Integer)) for space, key in wanted))
    )
    held.update(dict.fromkeys(wanted, exclusive))
    if not late:
        session.expire_all()


@event.listens_for(Session, "after_transaction_end")
def _forget_held(session: Session, transaction) -> None:
    """Advisory transaction locks end with the transaction; so does the note of them."""
    if transaction.parent is None:
        session.info.pop(HELD, None)
