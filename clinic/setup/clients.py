"""Client records (patients): saving one, and deleting one that has no appointments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from .. import accounts, audit
from ..database import writing
from ..models import Appointment, Client, User
from ..scheduling import AnySession, Conflict
from ..scheduling.values import get_row
from .common import name, note, phone, save


def _email(value: Any, field: str) -> str | None:
    """An email address, or none."""
    return accounts.read_email(value, field) if value else None


READERS = {
    "first_name": name(Client.first_name),
    "last_name": name(Client.last_name),
    "phone": phone(Client.phone),
    "email": _email,
    "notes": note(Client.notes),
}


def save_client(
    session: AnySession, client: Client | None, fields: dict[str, Any], *, actor: User | None = None
) -> Client:
    """Create (`client` None) or change a client record."""
    return save(session, Client, client, fields, READERS, actor)


def remove_client(session: AnySession, client_id: Any, *, actor: User | None = None) -> None:
    """Delete a client record with no appointments; Conflict for one with appointments."""
    with writing(session):
        client = get_row(session, Client, client_id, "client")
        if session.scalar(select(exists().where(Appointment.client_id == client.id))):
            raise Conflict(
                f"{client.full_name} has appointments, which are kept; so is the client."
            )
        audit.record(session, actor, "delete", client, audit.snapshot(client))
        session.delete(client)
