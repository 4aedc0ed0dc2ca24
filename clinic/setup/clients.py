"""Client records (patients): saving one, and deleting one that has no appointments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from .. import accounts, audit
from ..database import writing
from ..models import Appointment, Client, User
from ..scheduling import AnySession, Conflict, Invalid
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
    """Create (`client` None) or change a client record.

    A client with an account has one address, the account's: a new one (asked for by the
    client, who confirms it with their `password`, or by the desk) is not saved here but
    emailed a confirmation link, and mail keeps going to the old address until it is opened.
    """
    fields = dict(fields)
    new_email = _address_change(session, client, fields, actor)
    client = save(session, Client, client, fields, READERS, actor)
    if new_email is not None:
        accounts.send_email_change(client.user, new_email)
    return client


def _address_change(
    session: AnySession, client: Client | None, fields: dict[str, Any], actor: User | None
) -> str | None:
    """The new address an account holder's change asks for (taken out of `fields`), if any."""
    password = fields.pop("password", None)
    if client is None or client.user is None or "email" not in fields:
        return None
    new_email = _email(fields.pop("email"), "email")
    if new_email is None:
        raise Invalid({"email": "An account needs an email address."})
    if new_email == (client.email or "").lower():
        return None
    if actor is client.user and not accounts.password_matches(client.user, password):
        raise Invalid({"password": "Confirm a new address with your password."})
    accounts.check_unique(session, None, new_email, client.user)
    return new_email


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
