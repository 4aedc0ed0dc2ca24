"""Taking over someone's account through its address: registering it first with a password of
one's own (web and API), a mail scanner opening the emailed links, staff moving a patient's
account elsewhere, and an email-shaped username outliving its address."""

from __future__ import annotations

import re

import pytest
from helpers import PASSWORD
from sqlalchemy import select

from clinic import accounts
from clinic.extensions import db
from clinic.kernel import mail
from clinic.models import AuditEntry, Role, SignIn, User

VICTIM = "victim@example.com"
ATTACKERS = "attacker's own password"
NAMES = {"first_name": "Mallory", "last_name": "Attacker"}


def link_path(kind: str, to: str = VICTIM) -> str:
    """The path of the newest emailed link of a kind ("verify", "reset", "account/email") to
    an address."""
    texts = [m.get_body(("plain",)).get_content() for m in mail.outbox() if m["To"] == to]
    found = [re.search(rf"https?://localhost(/{kind}/\S+)", text) for text in texts]
    return [match.group(1) for match in found if match][-1]


def register_first(client, door: str) -> None:
    """The attacker registers the victim's address with a password of their own."""
    if door == "web":
        client.post(
            "/register",
            data={**NAMES, "email": VICTIM, "password": ATTACKERS, "confirm": ATTACKERS},
        )
    else:
        answer = client.post(
            "/api/v1/register/",
            json={"username": VICTIM, "email": VICTIM, "password": ATTACKERS},
        )
        assert answer.status_code == 201


def api_login(app, username: str, password: str) -> int:
    body = {"username": username, "password": password}
    return app.test_client().post("/api/v1/login/", json=body).status_code


@pytest.mark.parametrize("door", ["web", "api"])
def test_a_pre_registered_address_ends_up_its_owners_alone(app, door):
    """Attack: register the victim's address first; the victim opens the confirmation link
    and books. The link asks for the registration password or a new one; the owner, who never
    knew the attacker's, chooses a new one, and the attacker's stops working."""
    register_first(app.test_client(), door)
    victim = app.test_client()
    path = link_path("verify")
    page = victim.get(path)
    assert page.status_code == 200 and victim.get("/me/appointments").status_code == 302
    guessed = victim.post(path, data={"password": "what I usually use"})
    assert guessed.status_code == 200, "a wrong password verifies nothing"
    assert "not the password chosen when registering" in guessed.get_data(as_text=True)
    chosen = {"new_password": "the owner's own one", "confirm": "the owner's own one"}
    assert victim.post(path, data=chosen).headers["Location"] == "/me/appointments"
    assert victim.get("/me/appointments").status_code == 200
    assert api_login(app, VICTIM, ATTACKERS) == 401
    assert api_login(app, VICTIM, "the owner's own one") == 200


def test_the_registration_password_still_verifies_its_own_account(app, client):
    """Does a patient who registered themselves verify with the password they chose?"""
    register_first(client, "web")
    verified = client.post(link_path("verify"), data={"password": ATTACKERS})
    assert verified.headers["Location"] == "/me/appointments"
    assert api_login(app, VICTIM, ATTACKERS) == 200


def test_a_new_password_at_verifying_ends_every_other_sign_in(app, client):
    """Does choosing a new password on the verification page end what the old one opened?"""
    register_first(client, "web")
    user = accounts.find_by_email(db.session, VICTIM)
    version = user.auth_version
    chosen = {"new_password": "the owner's own one", "confirm": "the owner's own one"}
    client.post(link_path("verify"), data=chosen)
    db.session.expire_all()
    assert user.auth_version > version


def test_a_mail_scanner_opening_every_link_changes_nothing(app, client, make, clinic_for_api):
    """A scanner GETs each emailed link (verify, reset, address change): nothing is verified,
    no password is changed, no address moves, nobody is signed in."""
    register_first(client, "web")
    holder = make(User, role=Role.CLIENT, email="holder@example.com")
    client.post("/reset", data={"email": holder.email})
    from clinic import setup
    from clinic.models import Client

    record = make(Client, first_name="Holder", email=holder.email, user=holder)
    setup.save_client(db.session, record, {"email": "moved@example.com"})
    scanner = app.test_client()
    for path in (
        link_path("verify"),
        link_path("reset", holder.email),
        link_path("account/email", holder.email),
    ):
        assert scanner.get(path).status_code == 200
        assert scanner.head(path).status_code == 200
    db.session.expire_all()
    assert accounts.find_by_email(db.session, VICTIM).email_verified_at is None
    assert holder.email == "holder@example.com" and holder.pending_email == "moved@example.com"
    assert accounts.password_matches(holder, PASSWORD)
    assert db.session.scalars(select(SignIn)).all() == []


def test_an_admin_replaces_a_dead_address_ending_every_sign_in(app, signed_in, make):
    """For a patient whose old address is dead: the admin's override moves the account at
    once, audited as the admin, the old address told, every sign-in and token ended; a
    manager may not."""
    from clinic.models import Client

    user = make(User, role=Role.CLIENT, username="dead@example.com", email="dead@example.com")
    record = make(Client, first_name="Olena", email=user.email, user=user)
    version = user.auth_version
    path = f"/admin/clients/{record.id}/email"
    manager = signed_in("manager")
    assert manager.post(path, data={"email": "alive@example.com"}).status_code == 403
    admin = signed_in("admin")
    assert "dead@example.com" in admin.get(path).get_data(as_text=True)
    assert admin.post(path, data={"email": "alive@example.com"}).status_code == 302
    db.session.expire_all()
    assert (user.email, record.email, user.username) == ("alive@example.com",) * 3
    assert user.auth_version > version
    assert mail.outbox()[-1]["To"] == "dead@example.com"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "email", AuditEntry.entity == "users")
    ).one()
    assert entry.actor_id == admin.user.id


def test_an_email_shaped_username_follows_its_address(app, client, make):
    """Once an account moves to a new address, does its old address stop signing in (and can
    its owner register it), the username following, the old address told?"""
    user = make(User, role=Role.CLIENT, username="old@example.com", email="old@example.com")
    from clinic import setup
    from clinic.models import Client

    record = make(Client, first_name="Ivan", email=user.email, user=user)
    setup.save_client(db.session, record, {"email": "new@example.com"})
    client.post(link_path("account/email", "old@example.com"))
    db.session.expire_all()
    assert user.username == "new@example.com"
    assert "has changed" in mail.outbox()[-1]["Subject"]
    assert mail.outbox()[-1]["To"] == "old@example.com"
    assert api_login(app, "old@example.com", PASSWORD) == 401
    assert api_login(app, "new@example.com", PASSWORD) == 200
    client.post(
        "/register",
        data={**NAMES, "email": "old@example.com", "password": ATTACKERS, "confirm": ATTACKERS},
    )
    assert accounts.find_by_email(db.session, "old@example.com") is not None


def test_only_an_admin_may_replace_an_address_through_the_rules_too(app, make):
    """Is the override refused by the rules themselves to a manager (not only by the admin
    area's guard), nothing moving?"""
    from clinic.accounts import address_changes
    from clinic.kernel.errors import NotAllowed

    user = make(User, role=Role.CLIENT, email="dead@example.com")
    manager = make(User, role=Role.MANAGER)
    with pytest.raises(NotAllowed):
        address_changes.replace_dead_address(db.session, user, "x@example.com", actor=manager)
    db.session.expire_all()
    assert user.email == "dead@example.com"


def test_the_patients_page_shows_a_waiting_change_and_the_override_to_admins_only(
    app, signed_in, make
):
    """Does the desk's patient page say which move waits for its holder, and offer the
    dead-address override to an admin but not to a manager?"""
    from clinic import setup
    from clinic.models import Client

    user = make(User, role=Role.CLIENT, email="holder@example.com")
    record = make(Client, first_name="Olena", email=user.email, user=user)
    setup.save_client(db.session, record, {"email": "asked@example.com"})
    pages = {
        role: signed_in(role).get(f"/desk/clients/{record.id}").get_data(as_text=True)
        for role in ("manager", "admin")
    }
    for page in pages.values():
        assert "waiting for its holder to confirm the move to asked@example.com" in page
    override = f"/admin/clients/{record.id}/email"
    assert override in pages["admin"] and override not in pages["manager"]
