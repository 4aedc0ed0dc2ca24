"""What account emails and answers give away: registration mail carries nothing the
registrant typed, never a password; the API's registration answers alike whether or not a
username is taken; emailed tokens carry a keyed digest, not a piece of the password's hash;
the remember-me cookie is Secure over https."""

from __future__ import annotations

import base64
import json

import pytest
from helpers import PASSWORD

from clinic.accounts import emails as account_emails
from clinic.extensions import db
from clinic.kernel import mail
from clinic.kernel.errors import Invalid
from clinic.models import Role, User

LURE = "Dear patient, your appointment was cancelled. Rebook at https://evil.example"


def last_text() -> str:
    return mail.outbox()[-1].get_body(("plain",)).get_content()


@pytest.mark.parametrize("door", ["web", "api"])
def test_registration_mail_names_nobody_and_carries_no_password(client, door):
    """Attack: register a victim's address with a lure as the first name. The mail to the
    unverified address says nothing the registrant typed, and holds no password (none is
    generated: the link lets the owner choose one)."""
    if door == "web":
        client.post(
            "/register",
            data={
                "first_name": LURE,
                "last_name": "x",
                "email": "victim@example.com",
                "password": "long enough",
                "confirm": "long enough",
            },
        )
    else:
        client.post(
            "/api/v1/register/",
            json={"username": "lure", "email": "victim@example.com", "first_name": LURE},
        )
    text = last_text()
    assert "evil.example" not in text and "Dear patient" not in text
    assert "lure" not in text and "password is" not in text


def test_a_notice_to_an_unverified_account_names_nobody(client, make):
    """Does "you already have an account", sent to an address whose account is unverified
    (registered by whoever), leave out the names given then?"""
    make(
        User, role=Role.CLIENT, email="victim@example.com", first_name=LURE, email_verified_at=None
    )
    client.post("/reset", data={"email": "victim@example.com"})
    assert "evil.example" not in last_text()


@pytest.mark.parametrize("username", ["admin", "ADMIN", "manager", "nobody-has-this"])
def test_the_api_registration_answers_alike_taken_or_not(client, make, username):
    """Is a taken username (in any case) answered as a free one is, nothing made, and the
    address told why no account came (so the right person can try again)?"""
    make(User, role=Role.ADMIN, username="admin")
    make(User, role=Role.MANAGER, username="manager")
    before = db.session.query(User).count()
    answer = client.post(
        "/api/v1/register/",
        json={"username": username, "email": "new@example.com", "password": "long enough"},
    )
    assert answer.status_code == 201
    assert set(answer.get_json()) == {"message", "user"}
    assert answer.get_json()["user"]["username"] == username
    made = db.session.query(User).count() - before
    assert made == (1 if username == "nobody-has-this" else 0)
    assert mail.outbox()[-1]["To"] == "new@example.com"


def test_an_emailed_token_holds_a_keyed_digest_not_the_hash(app, make):
    """Does a reset link's token carry nothing of the password's hash, and die with a new
    secret key as with a new password?"""
    user = make(User, role=Role.CLIENT)
    token = account_emails.email_token(user, account_emails.RESET_PASSWORD)
    payload = token.split(".")[0]
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert data["stamp"] not in user.password_hash
    assert user.password_hash[-16:] not in token
    app.config["SECRET_KEY"] = "another-secret-key"
    with pytest.raises(Invalid):
        account_emails.user_for_token(db.session, token, account_emails.RESET_PASSWORD)


def test_the_remember_me_cookie_is_secure_over_https(client, make):
    """Over https, without SECURE_COOKIES, are the remember-me and device cookies Secure?"""
    user = make(User, role=Role.MANAGER)
    response = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "remember": "y"},
        base_url="https://localhost",
    )
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert "; Secure" in cookies["remember_token"]
    assert "; Secure" in cookies["clinic_device"]


def test_the_api_registration_does_not_tell_an_email_shaped_username_exists(client, make):
    """Attack: register with a victim's address as the username and one's own address as the
    email, to learn from the answer whether the victim has an account. Both answers are the
    same refusal."""
    make(User, role=Role.CLIENT, username="victim@example.com", email="victim@example.com")
    answers = [
        client.post(
            "/api/v1/register/",
            json={"username": name, "email": "attacker@example.com", "password": "long enough"},
        )
        for name in ("victim@example.com", "nobody@example.com")
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].get_json() == answers[1].get_json()
