"""Emailed links: they start with the site's own address whatever the request's Host says,
verification links work once and die with a password change, and a desk-made patient record
cannot be taken over by registering with its address."""

from __future__ import annotations

import re

import pytest

from clinic import accounts, config
from clinic.extensions import db
from clinic.kernel import links, mail
from clinic.models import Client, User


def emailed_link() -> str:
    """The one link in the last email sent."""
    body = mail.outbox()[-1].get_body(("plain",)).get_content()
    return re.search(r"https?://\S+", body).group(0)


def test_a_reset_asked_for_under_another_host_links_to_base_url(app, client, make):
    """Does a reset requested with Host: evil.example still mail a link to BASE_URL?"""
    user = make(User, role="client")
    app.config["BASE_URL"] = "https://clinic.example"
    client.post("/reset", data={"email": user.email}, headers={"Host": "evil.example"})
    assert emailed_link().startswith("https://clinic.example/reset/")


def test_links_work_outside_a_request_and_keep_a_path_prefix(app):
    """From the command line too, and under a prefix, is a link BASE_URL + the page's path?"""
    assert links.for_emails().verify_email("abc") == "http://localhost/verify/abc"
    app.config["BASE_URL"] = "https://clinic.example/booking"
    assert links.for_emails().reset_password("abc") == "https://clinic.example/booking/reset/abc"


@pytest.mark.parametrize(
    "value",
    ["clinic.example", "ftp://clinic.example", "https://", "https://clinic.example/?next=x"],
)
def test_a_base_url_that_is_no_site_address_stops_the_app(value):
    """Is BASE_URL without http(s) and a host, or with a query, refused at start?"""
    with pytest.raises(config.ConfigError, match="BASE_URL"):
        config.base_url(value)


def verification_path() -> str:
    """The path of the verification link in the last email."""
    return emailed_link().split("localhost", 1)[1]


def register(client) -> None:
    """Register through the web form as Anna."""
    client.post(
        "/register",
        data={
            "first_name": "Anna",
            "last_name": "Koval",
            "email": "anna@example.com",
            "password": "correct horse",
            "confirm": "correct horse",
        },
    )


def test_a_verification_link_signs_in_once_only(app, client):
    """A verification link replayed later must not sign anyone in again."""
    register(client)
    link = verification_path()
    verifying = {"password": "correct horse"}
    assert client.post(link, data=verifying).headers["Location"] == "/me/appointments"
    client.post("/logout")
    assert client.get(link).headers["Location"] == "/verify"
    again = client.post(link, data=verifying)
    assert again.headers["Location"] == "/verify"
    assert client.get("/me/appointments").status_code == 302


def test_a_verification_link_dies_with_a_password_change(app, client, make):
    """A verification link from before a password change must not work after it."""
    register(client)
    link = verification_path()
    user = accounts.find_user(db.session, "anna@example.com")
    accounts.set_password(db.session, user, "changed since")
    assert client.get(link).headers["Location"] == "/verify"
    db.session.expire_all()
    assert user.email_verified_at is None


def test_registering_with_a_patients_address_does_not_open_their_record(app, client, make):
    """Registering with the address of a desk-made patient must not link (and expose) their
    record, nor let the registrant's password in."""
    record = make(
        Client,
        first_name="Anna",
        email="anna@example.com",
        phone="+380 1",
        notes="Allergic to penicillin",
    )
    register(client)
    db.session.expire_all()
    assert db.session.get(Client, record.id).user is None
    assert emailed_link().split("localhost", 1)[1].startswith("/reset/")
    signed = client.post(
        "/login", data={"username": "anna@example.com", "password": "correct horse"}
    )
    assert signed.status_code == 200
    assert client.get("/me/appointments").status_code == 302


def test_mail_leaving_the_machine_needs_base_url(tmp_path):
    """With SMTP and no BASE_URL, links would point at 127.0.0.1: the app refuses to start."""
    environ = {"MAIL_SERVER": "smtp.example", "MAIL_BACKEND": "smtp"}
    with pytest.raises(config.ConfigError, match="BASE_URL is required"):
        config.from_environ(environ, tmp_path)
    settings = config.from_environ({**environ, "BASE_URL": "https://clinic.example"}, tmp_path)
    assert settings["BASE_URL"] == "https://clinic.example"
