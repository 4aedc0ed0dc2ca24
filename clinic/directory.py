"""The clinic's setup: creating and changing specialists, locations, clients and staff.

Each function is one audited transaction that takes the fields it is given (all of them to
create, some of them to change) and refuses what does not fit with `scheduling.Invalid`. Shift
changes go through `scheduling.set_shifts`, removals through the `scheduling.remove_*` rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from . import accounts, audit
from .database import writing
from .models import Client, Location, Role, Specialist, User
from .scheduling import AnySession, Invalid, set_shifts

SPECIALIST_FIELDS = ("first_name", "last_name", "phone", "specialty", "slot_minutes", "active")
LOCATION_FIELDS = ("name", "address", "active")
CLIENT_FIELDS = ("first_name", "last_name", "phone", "notes")


def _apply(row: Any, fields: dict[str, Any], names: tuple[str, ...]) -> None:
    """Copy the given fields among `names` onto the row."""
    for name in names:
        if name in fields:
            setattr(row, name, fields[name].strip() if isinstance(fields[name], str)
                    else fields[name])


def _record(session: AnySession, row: Any, actor: User | None, before: dict | None) -> None:
    """Audit a create (no before) or an update."""
    audit.record(session, actor, "update" if before is not None else "create", row, before)


def save_specialist(session: AnySession, specialist: Specialist | None, fields: dict[str, Any],
                    *, actor: User | None = None, now: datetime | None = None) -> Specialist:
    """Create (`specialist` None) or change a specialist. Commits."""
    with writing(session):
        before = audit.snapshot(specialist) if specialist else None
        specialist = specialist or Specialist()
        _apply(specialist, fields, SPECIALIST_FIELDS)
        for name in ("first_name", "last_name"):
            accounts.read_name(getattr(specialist, name), name)
        if "default_location" in fields:
            specialist.default_location = _location(session, fields["default_location"])
        session.add(specialist)
        _record(session, specialist, actor, before)
        if "work_schedule" in fields:
            set_shifts(session, specialist, fields["work_schedule"], actor=actor, now=now)
    return specialist


def _location(session: AnySession, location_id: int | None) -> Location | None:
    """The active location a specialist may have as default (or None)."""
    if location_id is None:
        return None
    location = session.get(Location, location_id)
    if location is None:
        raise Invalid({"default_location": f"There is no location {location_id}."})
    if not location.active:
        raise Invalid({"default_location": f"{location.name} is not in use."})
    return location


def save_location(session: AnySession, location: Location | None, fields: dict[str, Any],
                  *, actor: User | None = None, now: datetime | None = None) -> Location:
    """Create (`location` None) or change a location; names are unique. Commits."""
    with writing(session):
        before = audit.snapshot(location) if location else None
        location = location or Location()
        _apply(location, fields, LOCATION_FIELDS)
        location.name = accounts.read_name(location.name, "name")
        taken = select(Location.id).where(func.lower(Location.name) == location.name.lower())
        if session.scalar(taken.where(Location.id != (location.id or 0))):
            raise Invalid({"name": f"There is already a location called {location.name}."})
        session.add(location)
        _record(session, location, actor, before)
        if "work_schedule" in fields:
            set_shifts(session, location, fields["work_schedule"], actor=actor, now=now)
    return location


def save_client(session: AnySession, client: Client | None, fields: dict[str, Any],
                *, actor: User | None = None) -> Client:
    """Create (`client` None) or change a client record. Commits."""
    with writing(session):
        before = audit.snapshot(client) if client else None
        client = client or Client()
        _apply(client, fields, CLIENT_FIELDS)
        for name in ("first_name", "last_name"):
            accounts.read_name(getattr(client, name), name)
        if "email" in fields:
            client.email = accounts.read_email(fields["email"]) if fields["email"] else None
        session.add(client)
        _record(session, client, actor, before)
    return client


def create_manager(session: AnySession, fields: dict[str, Any], *, actor: User | None = None
                   ) -> User:
    """A new front-desk account, verified and active; the password is given twice. Commits."""
    accounts.read_password(fields.get("password"), fields.get("repeat_password", ""))
    return accounts.create_user(
        session, username=fields.get("username"), role=Role.MANAGER,
        password=fields.get("password"), email=fields.get("email") or None,
        first_name=fields.get("first_name", ""), last_name=fields.get("last_name", ""),
        actor=actor,
    )


def update_staff_user(session: AnySession, user: User, fields: dict[str, Any],
                      *, actor: User | None = None) -> User:
    """Change a staff account: names, email, username, active, password (given twice). Commits."""
    with writing(session):
        before = audit.snapshot(user)
        if "username" in fields:
            user.username = accounts.read_username(fields["username"])
        if "email" in fields:
            user.email = accounts.read_email(fields["email"]) if fields["email"] else None
        for name in ("first_name", "last_name"):
            if name in fields:
                setattr(user, name, accounts.read_name(fields[name], name, required=False))
        if "active" in fields:
            if not fields["active"] and actor is not None and actor.id == user.id:
                raise Invalid({"active": "You cannot switch off your own account."})
            user.active = bool(fields["active"])
        if fields.get("password"):
            password = accounts.read_password(fields["password"], fields.get("repeat_password"))
            user.password_hash = generate_password_hash(password)
        accounts.check_unique(session, user.username, user.email, user)
        audit.record(session, actor, "update", user, before)
    return user
