"""Signing in to the API: login, tokens and their faults, refresh, logout, register, activate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token, create_refresh_token
from helpers import bearer
from sqlalchemy import select

from clinic import config, create_app
from clinic.extensions import db
from clinic.kernel import mail
from clinic.models import Client, Role, User


@pytest.fixture
def staff(app, make):
    """A verified manager with the password "password123"."""
    return make(User, role="manager", username="desk", first_name="Olha", last_name="Desk")


@pytest.mark.parametrize(
    "path", ["/api/v1/login/", "/api/v1/workers/login/", "/api/v1/auth/login/", "/api/v1/login"]
)
@pytest.mark.parametrize("as_form", [False, True], ids=["json", "form"])
def test_login_gives_tokens_and_the_user_on_every_path(client, staff, path, as_form):
    """Do the three login paths (JSON or form, with or without the slash) give both tokens?"""
    credentials = {"username": "desk", "password": "password123"}
    response = (
        client.post(path, data=credentials) if as_form else client.post(path, json=credentials)
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["access"] and body["refresh"]
    assert body["user"] == {
        "id": staff.id,
        "username": "desk",
        "first_name": "Olha",
        "last_name": "Desk",
        "email": staff.email,
        "role": "manager",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": "wrong"}, "Wrong username or password"),
        ({"username": "nobody"}, "Wrong username or password"),
        ({"active": False}, "switched off"),
        ({"email_verified_at": None}, "verify your email"),
    ],
)
def test_login_refuses_with_401(client, staff, change, message):
    """Are a wrong password, an unknown user, an inactive and an unverified account 401?"""
    credentials = {"username": "desk", "password": "password123"}
    for field in ("active", "email_verified_at"):
        if field in change:
            setattr(staff, field, change[field])
    db.session.commit()
    credentials.update({k: v for k, v in change.items() if k in credentials})
    response = client.post("/api/v1/login/", json=credentials)
    assert response.status_code == 401
    assert message in response.get_json()["message"]


def test_login_without_fields_is_400(client, staff):
    """Is a login without a password a 400 naming the field?"""
    response = client.post("/api/v1/login/", json={"username": "desk"})
    assert response.status_code == 400
    assert "password" in response.get_json()["errors"]


def test_login_is_rate_limited_per_address_and_username(database_url, staff):
    """After ten tries in a minute, is the eleventh a 429 in the JSON shape, others unaffected?"""
    limited = create_app({**config.testing(database_url), "RATELIMIT_ENABLED": True})
    client = limited.test_client()
    for _ in range(10):
        client.post("/api/v1/login/", json={"username": "desk", "password": "wrong"})
    refused = client.post("/api/v1/login/", json={"username": "desk", "password": "password123"})
    other = client.post("/api/v1/login/", json={"username": "someone", "password": "x"})
    assert refused.status_code == 429
    assert refused.get_json()["code"] == 429
    assert other.status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "Bearer a.b.c", "Token abc", "Bearer"],
    ids=["garbage", "bad signature", "wrong scheme", "empty"],
)
def test_every_token_fault_is_401_json(client, staff, header):
    """Are malformed tokens 401 in the error shape (never 422)?"""
    response = client.get("/api/v1/me/", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["code"] == 401


def test_an_expired_token_is_401(client, staff):
    """Is an expired access token 401?"""
    token = create_access_token(identity=staff, expires_delta=timedelta(seconds=-1))
    response = client.get("/api/v1/me/", headers=bearer(token))
    assert response.status_code == 401
    assert "expired" in response.get_json()["message"]


def test_a_refresh_token_is_no_access_token(client, staff):
    """Is a refresh token refused where an access token is needed?"""
    response = client.get("/api/v1/me/", headers=bearer(create_refresh_token(identity=staff)))
    assert response.status_code == 401


def test_the_user_is_read_again_on_every_request(client, staff):
    """Do a changed role and a switched-off account take effect on the next call?"""
    token = create_access_token(identity=staff)
    assert client.get("/api/v1/managers/", headers=bearer(token)).status_code == 403
    staff.role = Role.ADMIN
    db.session.commit()
    assert client.get("/api/v1/managers/", headers=bearer(token)).status_code == 200
    staff.active = False
    db.session.commit()
    assert client.get("/api/v1/me/", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("how", ["json", "form", "bearer"])
def test_refresh_gives_a_new_access_token(client, staff, how):
    """Does a refresh token in a JSON body, a form or as Bearer give a working access token?"""
    refresh = create_refresh_token(identity=staff)
    kwargs = {
        "json": {"json": {"refresh": refresh}},
        "form": {"data": {"refresh": refresh}},
        "bearer": {"headers": bearer(refresh)},
    }[how]
    response = client.post("/api/v1/auth/refresh/", **kwargs)
    assert response.status_code == 200
    access = response.get_json()["access"]
    assert client.get("/api/v1/me/", headers=bearer(access)).get_json()["username"] == "desk"


@pytest.mark.parametrize("token", ["access", "garbage", "none"])
def test_refresh_refuses_what_is_not_a_refresh_token(client, staff, token):
    """Is refreshing with an access token, garbage or nothing a 401?"""
    body = {
        "access": {"refresh": create_access_token(identity=staff)},
        "garbage": {"refresh": "x.y.z"},
        "none": {},
    }[token]
    response = client.post("/api/v1/auth/refresh/", json=body)
    assert response.status_code == 401


def test_logout_revokes_the_token_and_the_refresh_token(client, staff):
    """After logout, do the access token and the refresh token sent with it stop working?"""
    access, refresh = create_access_token(identity=staff), create_refresh_token(identity=staff)
    response = client.post(
        "/api/v1/auth/logout/", headers=bearer(access), json={"refresh": refresh}
    )
    assert response.status_code == 200
    assert client.get("/api/v1/me/", headers=bearer(access)).status_code == 401
    refused = client.post("/api/v1/auth/refresh/", json={"refresh": refresh})
    assert refused.status_code == 401
    assert "revoked" in refused.get_json()["message"]


def test_register_then_activate_then_login(client):
    """Does registering email a link whose token activates the account for sign-in?"""
    response = client.post(
        "/api/v1/register/",
        json={
            "username": "olena",
            "email": "Olena@Example.com",
            "password": "correct horse",
            "first_name": "Olena",
            "last_name": "K",
        },
    )
    assert response.status_code == 201
    assert response.get_json()["user"]["role"] == "client"
    login = {"username": "olena", "password": "correct horse"}
    assert client.post("/api/v1/login/", json=login).status_code == 401
    [message] = mail.outbox()
    assert message["To"] == "olena@example.com"
    link = next(line for line in message.get_content().splitlines() if "/verify/" in line)
    token = link.rsplit("/", 1)[1]
    activated = client.get(f"/api/v1/activate/?token={token}")
    assert activated.status_code == 200
    assert client.post("/api/v1/login/", json=login).status_code == 200


def test_register_without_a_password_mails_none_and_lets_the_owner_choose(client):
    """Without a password, is none mailed (the link lets the address's owner choose one), and
    does the chosen one sign in?"""
    answer = client.post(
        "/api/v1/register/", json={"username": "petro", "email": "petro@example.com"}
    )
    assert answer.status_code == 201
    text = mail.outbox()[0].get_content()
    assert "password is" not in text
    path = next(line for line in text.splitlines() if "/reset/" in line).split("localhost", 1)[1]
    client.post(path, data={"password": "petro's own", "confirm": "petro's own"})
    response = client.post("/api/v1/login/", json={"username": "petro", "password": "petro's own"})
    assert response.status_code == 200


def test_register_links_the_desks_client_record_only_through_the_emailed_link(client, make):
    """Is a client record the desk made with the same email left unlinked by registering, the
    registrant's password unusable, and linked (not made again) once the emailed link sets
    the password?"""
    record = make(Client, first_name="Anna", email="anna@example.com")
    body = {"username": "anna", "email": "ANNA@example.com", "password": "long enough"}
    assert client.post("/api/v1/register/", json=body).status_code == 201
    assert db.session.get(Client, record.id).user is None
    text = mail.outbox()[-1].get_content()
    path = next(line for line in text.splitlines() if "/reset/" in line).split("localhost", 1)[1]
    client.post(path, data={"password": "the owner's own", "confirm": "the owner's own"})
    assert client.post("/api/v1/login/", json=body).status_code == 401
    clients = db.session.scalars(select(Client)).all()
    assert len(clients) == 1
    assert clients[0].id == record.id and clients[0].user.username == "anna"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "has space", "email": "a@example.com"}, "username"),
        ({"username": "ok", "email": "not-an-email"}, "email"),
        ({"username": "ok", "email": "a@example.com", "password": "short"}, "password"),
        ({"email": "a@example.com"}, "username"),
    ],
)
def test_register_refuses_bad_input(client, staff, body, field):
    """Are a bad username, a bad email and a short password 400, nothing sent?"""
    response = client.post("/api/v1/register/", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]
    assert mail.outbox() == []
    assert db.session.scalar(select(User).where(User.username == "ok")) is None


@pytest.mark.parametrize("token", ["garbage", ""])
def test_activate_refuses_a_bad_token(client, token):
    """Is a forged or missing token a 400?"""
    response = client.get(f"/api/v1/activate/?token={token}")
    assert response.status_code == 400
