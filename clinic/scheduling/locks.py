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
A booking reads which rooms to lock (its specialist's default, or every room in use) only once
it holds the clinic's and the specialist's keys; should the specialist or room it ends with not
be among its keys (an appointment moved, a room switched on meanwhile), it starts again
(`check_held`). (The order is kept by the stages: rooms come last.) SQLite needs none of it: a
unit of work holds the database's write lock (BEGIN IMMEDIATE).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Integer, event, func, inspect, literal, select
from sqlalchemy.orm import Session

from ..kernel.database import in_unit, plain_session
from ..kernel.errors import Conflict, Invalid
from ..kernel.values import AnySession, parse_id
from ..models import Appointment, Location, Specialist

CLINIC, SPECIALIST, LOCATION = 1, 2, 3
"""The namespaces: the first integer of a key (specialist 3 and location 3 are two locks)."""
CLINIC_KEY = (CLINIC, 0)
HELD = "clinic_advisory_locks"
"""The keys the session's transaction holds, each with whether exclusively."""

Key = tuple[int, int]


def hold_for_booking(session: AnySession, specialist_id: Any, location_id: Any = None) -> None:
    """Shared keys for a new time of `specialist_id` at `location_id` (None: the specialist's
    default room, else any room: every active one): the clinic's and the specialist's first,
    then, read under those, the room's or rooms'. A room chosen later that these do not cover
    (switched on meanwhile) is caught by `check_held`."""
    session = plain_session(session)
    if not _locking(session):
        return
    specialist, location = _key_of(specialist_id), _key_of(location_id)
    taken = _take(session, _keys([specialist], [], clinic=True), exclusive=False)
    if location is None and specialist is not None:
        location = session.scalar(
            select(Specialist.default_location_id).where(Specialist.id == specialist)
        )
        rooms = _active_rooms(session) if location is None else [location]
    else:
        rooms = [location]
    taken += _take(session, _keys([], rooms, clinic=False), exclusive=False, more=bool(taken))
    if taken:
        session.expire_all()


def hold_for_move(session: AnySession, appointment_id: Any, changes: dict[str, Any]) -> None:
    """Shared keys for moving an appointment as `changes` asks (its own specialist unless
    another is named; one moved meanwhile to another is caught by `check_held`)."""
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


class KeysOutdated(Conflict):
    """The specialist or room a booking or move ended up with is not among the keys it took
    (the setup or the appointment changed between reading the keys and taking them); the unit
    is tried again (`placing.retried`), or refused as a conflict inside a larger one."""

    def __init__(self) -> None:
        super().__init__("The clinic's setup changed a moment ago; please try again.")


def check_held(session: AnySession, specialist_id: int, location_id: int) -> None:
    """Refuse (KeysOutdated) a booking or move whose specialist and room, as finally chosen,
    are not both held (shared or exclusive) by the unit: nothing then keeps a change of their
    hours from committing beside it."""
    session = plain_session(session)
    if session.get_bind().dialect.name != "postgresql":
        return
    held = session.info.get(HELD, {})
    if (SPECIALIST, specialist_id) not in held or (LOCATION, location_id) not in held:
        raise KeysOutdated()


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
    keys = _keys([_key_of(s) for s in specialists], [_key_of(x) for x in locations], clinic=clinic)
    if _take(session, keys, exclusive=True):
        session.expire_all()


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


def _take(session: Session, keys: list[Key], *, exclusive: bool, more: bool = False) -> list[Key]:
    """Take the keys the transaction does not hold yet, in one statement (evaluated left to
    right); the keys taken. A unit takes its keys once, at its start (`more`: the next stage of
    the same start, later in the one order); a later request must be held already (a nested
    unit joining its outer one), or is a mistake that could deadlock. The caller then reads
    again what the ORM read before (`expire_all`)."""
    held: dict[Key, bool] = session.info.setdefault(HELD, {})
    wanted = [key for key in keys if key not in held or (exclusive and not held[key])]
    if not wanted:
        return []
    if held and not more:
        raise RuntimeError(f"locks {wanted} asked for after the unit took {sorted(held)}")
    lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
    session.flush()
    session.execute(
        select(*(lock(literal(space, Integer), literal(key, Integer)) for space, key in wanted))
    )
    held.update(dict.fromkeys(wanted, exclusive))
    return wanted


@event.listens_for(Session, "after_transaction_end")
def _forget_held(session: Session, transaction) -> None:
    """Advisory transaction locks end with the transaction; so does the note of them."""
    if transaction.parent is None:
        session.info.pop(HELD, None)
