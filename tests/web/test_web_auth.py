"""Signing in and out on the web side, accounts, and who may open which area."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from clinic import config, create_app
from clinic.extensions import db
from clinic.kernel import mail
from clinic.models import Client, User


@pytest.fixture
def people(app, make):
    """One user of each role (password "password123"); the client has a client record."""
    users = {
        role: make(User, role=role, username=role, email=f"{role}@example.com")
        for role in ("admin", "manager", "client")
    }
    make(Client, first_name="Olena", email="client@example.com", user=users["client"])
    return users


def sign_in(client, username: str, password: str = "password123", next_: str = ""):
    path = "/login" + (f"?next={next_}" if next_ else "")
    return client.post(path, data={"username": username, "password": password})


@pytest.mark.parametrize(
    ("role", "landing"),
    [("admin", "/admin/"), ("manager", "/desk/"), ("client", "/me/appointments")],
)
def test_each_role_lands_in_its_area(client, people, role, landing):
    """Does signing in take admins to /admin/, managers to /desk/, clients to their bookings?"""
    response = sign_in(client, role)
    assert response.status_code == 302
    assert response.headers["Location"] == landing
    assert client.get(landing).status_code == 200


def test_signing_in_with_the_email_address_works(client, people):
    """May a person sign in with their email address instead of the username?"""
    assert sign_in(client, "Manager@Example.com").headers["Location"] == "/desk/"


@pytest.mark.parametrize(
    ("username", "password", "change", "message"),
    [
        ("manager", "wrong", {}, "Wrong username or password"),
        ("nobody", "password123", {}, "Wrong username or password"),
        ("manager", "password123", {"active": False}, "switched off"),
        ("manager", "password123", {"email_verified_at": None}, "verify your email"),
    ],
)
def test_sign_in_refusals_are_explained_on_the_form(
    client, people, username, password, change, message
):
    """Are a wrong password, an unknown user, a switched-off and an unverified account shown
    as a message on the sign-in page, nobody signed in?"""
    for field, value in change.items():
        setattr(people["manager"], field, value)
    db.session.commit()
    response = sign_in(client, username, password)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert client.get("/desk/").status_code == 302


def test_sign_in_is_rate_limited_with_a_friendly_page(database_url, people):
    """After ten tries in a minute, does the eleventh get a friendly 429 page?"""
    limited = create_app({**config.testing(database_url), "RATELIMIT_ENABLED": True})
    client = limited.test_client()
    for _ in range(10):
        sign_in(client, "manager", "wrong")
    response = sign_in(client, "manager")
    assert response.status_code == 429
    assert "wait a minute" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["/admin/", "/desk/?date=2027-01-04"])
def test_next_takes_you_back_to_a_local_page(client, people, target):
    """After being sent to sign in, does `next` bring an admin back to where they were?"""
    assert sign_in(client, "admin", next_=target).headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "%2F%2Fevil.example",
    ],
)
def test_next_never_leaves_the_site(client, people, target):
    """Is a `next` to another site ignored in favour of the user's own area?"""
    assert sign_in(client, "admin", next_=target).headers["Location"] == "/admin/"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/admin/", {"admin"}),
        ("/desk/", {"admin", "manager"}),
        ("/me/appointments", {"client"}),
        ("/me/account", {"client"}),
    ],
)
def test_areas_need_the_right_role(client, people, path, allowed):
    """Is an area's page a sign-in redirect when anonymous, 403 for the wrong role?"""
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login?next=")
    for role in ("admin", "manager", "client"):
        sign_in(client, role)
        assert client.get(path).status_code == (200 if role in allowed else 403)
        client.post("/logout")


def test_sign_out_is_a_post_and_signs_out(client, people):
    """Does POST /logout sign out (and is there no GET that would)?"""
    sign_in(client, "manager")
    assert client.get("/logout").status_code == 405
    assert client.get("/desk/").status_code == 200
    client.post("/logout")
    assert client.get("/desk/").status_code == 302


def test_forms_without_a_csrf_token_are_refused(database_url, people):
    """With CSRF protection on (as in production), is a sign-in without the token refused?"""
    protected = create_app({**config.testing(database_url), "WTF_CSRF_ENABLED": True})
    client = protected.test_client()
    refused = client.post("/login", data={"username": "manager", "password": "password123"})
    assert refused.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post(
        "/login", data={"username": "manager", "password": "password123", "csrf_token": token}
    )
    assert accepted.status_code == 302


BASE_URL = "http://localhost"
"""Emailed links start with the configured BASE_URL (the tests' settings), never the request's
host."""


def link_in_last_email(kind: str) -> str:
    """The path of the link in the newest email (kind: "verify" or "reset")."""
    text = mail.outbox()[-1].get_content()
    return re.search(rf"{BASE_URL}(/{kind}/\S+)", text).group(1)


REGISTRATION = {
    "first_name": "Anna",
    "last_name": "Koval",
    "email": "Anna@Example.com",
    "phone": "+380 67 000 0001",
    "password": "correct horse",
    "confirm": "correct horse",
}


def test_register_verify_and_sign_in(client, app):
    """Does registering send a link that verifies the address and signs the client in?"""
    response = client.post("/register", data=REGISTRATION)
    assert "Check your email" in response.get_data(as_text=True)
    assert sign_in(client, "anna@example.com", "correct horse").status_code == 200, (
        "not before verifying"
    )
    link = link_in_last_email("verify")
    assert "The password you chose when registering" in client.get(link).get_data(as_text=True)
    verified = client.post(link, data={"password": "correct horse"})
    assert verified.headers["Location"] == "/me/appointments"
    assert client.get("/me/appointments").status_code == 200
    client.post("/logout")
    assert sign_in(client, "anna@example.com", "correct horse").status_code == 302
    record = db.session.scalar(select(Client).join(Client.user))
    assert (record.first_name, record.phone) == ("Anna", "+380 67 000 0001")


def test_registering_links_the_desks_client_record_once_the_address_is_proven(client, make):
    """Is a client record the desk made with the same email linked (not duplicated) only when
    the emailed link is opened, its opener choosing the password?"""
    record = make(Client, first_name="Anna", last_name="Koval", email="anna@example.com")
    client.post("/register", data=REGISTRATION)
    assert db.session.get(Client, record.id).user is None
    assert sign_in(client, "anna@example.com", "correct horse").status_code == 200
    chosen = client.post(
        link_in_last_email("reset"),
        data={"password": "chosen by the owner", "confirm": "chosen by the owner"},
    )
    assert chosen.status_code == 302
    clients = db.session.scalars(select(Client)).all()
    assert [c.id for c in clients] == [record.id]
    assert clients[0].user.email == "anna@example.com"


@pytest.mark.parametrize(
    ("change", "field_message"),
    [
        ({"password": "short", "confirm": "short"}, "at least 8"),
        ({"confirm": "something else"}, "do not match"),
        ({"email": "not an email"}, "Invalid email"),
        ({"first_name": ""}, "This field is required"),
    ],
)
def test_registration_errors_stay_on_the_form(client, change, field_message):
    """Are bad fields shown beside them and in the summary, the values kept, nothing made?"""
    response = client.post("/register", data={**REGISTRATION, **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_message in page
    assert 'class="error-summary"' in page
    if change.get("first_name") != "":
        assert 'value="Anna"' in page
    assert db.session.scalar(select(User)) is None
    assert mail.outbox() == []


def test_a_taken_email_is_told_to_its_owner_not_to_the_form(client, people):
    """Does registering an address that has an account answer as any registration, the
    owner (not the form) hearing that it has one? (Issue 9: no account enumeration.)"""
    response = client.post("/register", data={**REGISTRATION, "email": "manager@example.com"})
    assert "already an account" not in response.get_data(as_text=True)
    assert mail.outbox()[-1]["To"] == "manager@example.com"


def test_resend_sends_a_new_link_only_to_unverified_accounts(client, people):
    """Does /verify send a link to an unverified account, and nothing (silently) otherwise?"""
    people["client"].email_verified_at = None
    db.session.commit()
    for email in ("client@example.com", "manager@example.com", "nobody@example.com"):
        response = client.post("/verify", data={"email": email})
        assert "Check your email" in response.get_data(as_text=True)
    assert [m["To"] for m in mail.outbox()] == ["client@example.com"]
    chosen = {"new_password": "a new one of mine", "confirm": "a new one of mine"}
    client.post(link_in_last_email("verify"), data=chosen)
    assert db.session.get(User, people["client"].id).email_verified_at is not None


def test_a_bad_verification_link_is_explained(client):
    """Does a forged link lead to the resend page with a message?"""
    response = client.get("/verify/not-a-token", follow_redirects=True)
    assert "This link is not valid" in response.get_data(as_text=True)


def test_password_reset_works_once(client, people):
    """Does the emailed reset link set a new password, sign in, and then stop working?"""
    client.post("/reset", data={"email": "manager@example.com"})
    link = link_in_last_email("reset")
    response = client.post(link, data={"password": "a new secret", "confirm": "a new secret"})
    assert response.headers["Location"] == "/desk/"
    client.post("/logout")
    assert sign_in(client, "manager", "a new secret").status_code == 302
    again = client.get(link, follow_redirects=True)
    assert "used already" in again.get_data(as_text=True)


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    """Does asking to reset an unknown address give the same answer, no email sent?"""
    response = client.post("/reset", data={"email": "nobody@example.com"})
    assert "Check your email" in response.get_data(as_text=True)
    assert mail.outbox() == []


def test_change_password_needs_the_current_one(client, people):
    """Is a wrong current password refused, and the right one accepted?"""
    sign_in(client, "manager")
    wrong = client.post(
        "/account/password",
        data={"current": "nope", "password": "new secret!", "confirm": "new secret!"},
    )
    assert "not your current password" in wrong.get_data(as_text=True)
    right = client.post(
        "/account/password",
        data={"current": "password123", "password": "new secret!", "confirm": "new secret!"},
    )
    assert right.status_code == 302
    client.post("/logout")
    assert sign_in(client, "manager", "new secret!").status_code == 302


def test_the_header_shows_who_is_signed_in_and_their_links(client, people):
    """Does the header show the user's name, their area links and sign-out?"""
    sign_in(client, "admin")
    page = client.get("/").get_data(as_text=True)
    assert "Sign out" in page and 'href="/admin/"' in page and 'href="/desk/"' in page
    assert "My appointments" not in page


def test_a_mail_failure_does_not_break_registration(database_url, monkeypatch, caplog):
    """When the verification email cannot be sent, is the failure logged, the account kept,
    and the person told to ask for a new link (no server error)?"""
    import logging

    app = create_app({**config.testing(database_url), "PROPAGATE_EXCEPTIONS": False})

    def fail(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(mail, "send", fail)
    with app.app_context(), caplog.at_level(logging.ERROR, logger="clinic"):
        web = app.test_client().post("/register", data=REGISTRATION)
        api = app.test_client().post(
            "/api/v1/register/", json={"username": "petro", "email": "petro@example.com"}
        )
        assert db.session.scalar(select(User).where(User.username == "petro")) is not None
    assert web.status_code == 200 and "Check your email" in web.get_data(as_text=True)
    assert api.status_code == 201
    assert caplog.text.count("Could not send") == 2
