"""Client records (patients): saving one, and deleting one that has no appointments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from .. import accounts, audit
from ..accounts import emails as account_emails
from ..kernel.database import writing
from ..kernel.errors import Conflict, Invalid, NotAllowed
from ..kernel.values import AnySession, get_row
from ..models import Appointment, Client, User
from ..scheduling import acting
from .common import name, note, phone, saving


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

    A client with an account has one address, the account's: a new one is not saved here but
    waits (`User.pending_email`) for its confirmation link, and mail keeps going to the old
    address until it is opened. The client asks with their `password`, and the link goes to
    the new address. Staff ask (audited as them), and the link goes to the current address,
    so only the holder moves their account. A record with no account just changes.
    An address another account has is refused to the desk; the client gets the usual answer
    and that account's owner an email, so that nobody learns who has an account here.
    The account carries the record's names too, kept in step. Mail goes only once the unit
    has committed (a refused field, here or in a larger unit, sends none).
    """
    fields = dict(fields)
    with writing(session):
        _address_change(session, client, fields, actor)
        with saving(session, Client, client, fields, READERS, actor) as client:
            if "first_name" in fields or "last_name" in fields:
                _names_to_account(session, client, actor)
    return client


def save_own_details(session: AnySession, user: User, fields: dict[str, Any]) -> Client:
    """A client changing their own details (names, phone; a new address confirmed with their
    `password`), on their client record, made first should the account have none."""
    client = user.client
    if client is None:
        with writing(session):
            client = accounts.client_record_for(session, user, user)
    return save_client(session, client, fields, actor=user)


def _names_to_account(session: AnySession, client: Client, actor: User | None) -> None:
    """Give the record's account (if any) the record's names; audited when they change."""
    user = client.user
    if user is None or (user.first_name, user.last_name) == (client.first_name, client.last_name):
        return
    before = audit.snapshot(user)
    user.first_name, user.last_name = client.first_name, client.last_name
    audit.record(session, actor, "update", user, before)


def _address_change(
    session: AnySession, client: Client | None, fields: dict[str, Any], actor: User | None
) -> None:
    """Take an account holder's new address out of `fields` and make it wait for its link."""
    password = fields.pop("password", None)
    if client is None or client.user is None or "email" not in fields:
        return
    new_email = _email(fields.pop("email"), "email")
    if new_email is None:
        raise Invalid({"email": "An account needs an email address."})
    if new_email in ((client.email or "").lower(), (client.user.email or "").lower()):
        _drop_waiting_change(session, client.user, actor)
        return
    by_holder = actor is not None and actor.id == client.user.id
    if by_holder and not accounts.password_matches(client.user, password):
        raise Invalid(
            {
                "password": "Confirm a new address with your password."
                if password in (None, "")
                else "That is not your current password."
            }
        )
    owner = accounts.find_by_email(session, new_email)
    if by_holder and owner is not None and owner.id != client.user.id:
        account_emails.send_once_committed(session, "address-in-use", owner)
        return
    accounts.check_unique(session, None, new_email, client.user)
    user = client.user
    before = audit.snapshot(user)
    user.pending_email = new_email
    audit.record(session, actor, "email-asked", user, before)
    if by_holder:
        account_emails.send_once_committed(session, "change-email", user, new_email)
    else:
        account_emails.send_once_committed(session, "change-asked", user)


def _drop_waiting_change(session: AnySession, user: User, actor: User | None) -> None:
    """Asked for the address the account has: a change still waiting is dropped (its link
    dies with it), audited."""
    if user.pending_email is None:
        return
    before = audit.snapshot(user)
    user.pending_email = None
    audit.record(session, actor, "email-dropped", user, before)


def removal_refusal(session: AnySession, client: Client, actor: User | None) -> str | None:
    """Why `actor` may not delete the client record, in words; None when they may."""
    if not acting(actor).removes_clients:
        return "Only an admin can delete client records."
    if session.scalar(select(exists().where(Appointment.client_id == client.id))):
        return f"{client.full_name} has appointments; records with appointments are kept."
    return None


def remove_client(session: AnySession, client_id: Any, *, actor: User | None = None) -> None:
    """Delete a client record with no appointments (admins: NotAllowed for anyone else);
    Conflict for one with appointments."""
    with writing(session):
        client = get_row(session, Client, client_id, "client")
        refusal = removal_refusal(session, client, actor)
        if refusal is not None:
            raise (Conflict if acting(actor).removes_clients else NotAllowed)(refusal)
        audit.record(session, actor, "delete", client, audit.snapshot(client))
        session.delete(client)
