"""Changing a client's address: a client with an account has one address, the account's, and
a new one is proven before any mail goes there."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from clinic import setup
from clinic.extensions import db
from clinic.kernel import mail
from clinic.kernel.database import writing
from clinic.kernel.errors import Invalid
from clinic.models import AuditEntry, Client, User


def last_link() -> tuple[str, str]:
    """(to, path) of the last email's link."""
    message = mail.outbox()[-1]
    link = re.search(r"https?://\S+", message.get_body(("plain",)).get_content()).group(0)
    return message["To"], link.split("localhost", 1)[1]


def test_a_client_changing_their_address_confirms_with_password_and_proves_it(
    call, clinic_for_api, client
):
    """A stolen token alone must not redirect the clinic's mail to the thief's address."""
    own = f"/api/v1/clients/{clinic_for_api.ids.own_client}/"
    refused = call("PATCH", own, as_="client", json={"email": "thief@example.com"})
    assert refused.status_code == 400 and "password" in refused.get_json()["errors"]
    asked = call(
        "PATCH", own, as_="client", json={"email": "new@example.com", "password": "password123"}
    )
    assert asked.status_code == 200
    assert asked.get_json()["email"] == "client@example.com", "not before it is proven"
    assert asked.get_json()["pending_email"] == "new@example.com"
    to, path = last_link()
    assert to == "new@example.com"
    assert client.get(path).status_code == 200, "opening the link shows, changes nothing"
    user = clinic_for_api.users["client"]
    old = user.email
    db.session.expire_all()
    assert user.email == old
    assert client.post(path).status_code == 302
    db.session.expire_all()
    assert (user.email, user.client.email) == ("new@example.com", "new@example.com")
    assert mail.outbox()[-1]["To"] == old, "the old address is told"
    assert client.post(path).status_code == 302
    assert db.session.get(User, user.id).email == "new@example.com"


def test_the_desk_changing_an_account_holders_address_waits_for_the_holder(
    call, clinic_for_api, client
):
    """Attack: a manager moves a patient's account to an address of their own (then resets
    its password). The change waits for the holder, asked at the current address; the audit
    log names the manager; only the holder's confirmation moves the account."""
    own = f"/api/v1/clients/{clinic_for_api.ids.own_client}/"
    response = call("PATCH", own, as_="manager", json={"email": "mallory@example.com"})
    assert response.status_code == 200
    answer = response.get_json()
    assert (answer["email"], answer["pending_email"]) == (
        "client@example.com",
        "mallory@example.com",
    )
    to, path = last_link()
    assert to == clinic_for_api.users["client"].email, "the holder is asked, not the new one"
    assert all(message["To"] != "mallory@example.com" for message in mail.outbox())
    [asked] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "email-asked")).all()
    assert asked.actor_id == clinic_for_api.users["manager"].id
    assert client.post(path).status_code == 302
    db.session.expire_all()
    assert clinic_for_api.users["client"].email == "mallory@example.com"


def test_a_record_without_an_account_changes_its_address_at_once(call, clinic_for_api):
    """A desk-only patient record has no account to protect: the desk sets its address."""
    spare = f"/api/v1/clients/{clinic_for_api.ids.spare_client}/"
    response = call("PATCH", spare, as_="manager", json={"email": "spare@example.com"})
    assert response.get_json()["email"] == "spare@example.com"
    assert db.session.get(Client, clinic_for_api.ids.spare_client).email == "spare@example.com"


def test_an_address_taken_by_another_account_tells_the_client_nothing(call, clinic_for_api):
    """A client asking for another account's address gets the usual answer (no account is
    revealed), nothing changes, and that account's owner is told by email."""
    own = f"/api/v1/clients/{clinic_for_api.ids.own_client}/"
    taken = clinic_for_api.users["other"].email
    response = call("PATCH", own, as_="client", json={"email": taken, "password": "password123"})
    assert response.status_code == 200
    assert response.get_json()["email"] == "client@example.com"
    assert mail.outbox()[-1]["To"] == taken
    assert "asked to use this email address" in mail.outbox()[-1].get_content()


def test_the_desk_is_told_an_address_is_taken(call, clinic_for_api):
    """Staff changing a record to another account's address are refused on the field."""
    own = f"/api/v1/clients/{clinic_for_api.ids.own_client}/"
    taken = clinic_for_api.users["other"].email
    response = call("PATCH", own, as_="manager", json={"email": taken})
    assert response.status_code == 400 and "email" in response.get_json()["errors"]


def test_an_address_in_use_with_a_refused_field_emails_nobody(call, clinic_for_api):
    """When a client asks for another account's address and the same change is refused for a
    bad phone, is nothing saved and nobody emailed (mail goes only after the change commits)?"""
    own = f"/api/v1/clients/{clinic_for_api.ids.own_client}/"
    taken = clinic_for_api.users["other"].email
    mail.outbox().clear()
    response = call(
        "PATCH",
        own,
        as_="client",
        json={"email": taken, "password": "password123", "phone": "call me maybe"},
    )
    assert response.status_code == 400 and "phone" in response.get_json()["errors"]
    assert mail.outbox() == []


def test_a_new_address_with_a_refused_field_is_not_sent_a_link(call, clinic_for_api):
    """When the desk's change of a holder's address is refused for a bad phone, does the new
    address get no confirmation link?"""
    own = f"/api/v1/clients/{clinic_for_api.ids.own_client}/"
    mail.outbox().clear()
    response = call(
        "PATCH", own, as_="manager", json={"email": "new@example.com", "phone": "<script>"}
    )
    assert response.status_code == 400
    assert mail.outbox() == []


def test_an_address_change_in_a_larger_unit_that_fails_sends_nothing(clinic_for_api):
    """When an address change is part of a larger unit that is refused after it, is the link
    never sent (the change was rolled back)?"""
    client = db.session.get(Client, clinic_for_api.ids.own_client)
    mail.outbox().clear()
    with pytest.raises(Invalid), writing(db.session):
        setup.save_client(db.session, client, {"email": "new@example.com"})
        raise Invalid({"start_time": "refused after the address change"})
    assert mail.outbox() == []
    db.session.expire_all()
    setup.save_client(db.session, client, {"email": "new@example.com"})
    assert [message["To"] for message in mail.outbox()] == [client.user.email]


def test_asking_for_the_current_address_drops_a_waiting_change(call, clinic_for_api, client):
    """The desk mistyped a patient's new address, then set it back: is the waiting change
    dropped, its link dead?"""
    own = f"/api/v1/clients/{clinic_for_api.ids.own_client}/"
    current = clinic_for_api.users["client"].email
    call("PATCH", own, as_="manager", json={"email": "typo@example.com"})
    _to, path = last_link()
    back = call("PATCH", own, as_="manager", json={"email": current})
    assert back.get_json()["pending_email"] is None
    client.post(path)
    db.session.expire_all()
    assert clinic_for_api.users["client"].email == current
