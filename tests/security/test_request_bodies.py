"""Request bodies: a size limit, and in the API the token checked before any body is read."""

from __future__ import annotations

import json

import pytest

from clinic.extensions import db
from clinic.models import Client

BIG = b"x" * (20 * 1024 * 1024)


def test_an_anonymous_huge_api_body_is_refused_before_it_is_parsed(call):
    """An anonymous 20 MB body is refused before it is parsed."""
    response = call("POST", "/api/v1/clients/", data=BIG, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["code"] == 413


def test_a_signed_in_huge_api_body_is_refused_too(call):
    """A manager's 2 MB JSON body is refused (413), not parsed."""
    body = json.dumps({"first_name": "A" * (2 * 1024 * 1024), "last_name": "B"})
    response = call(
        "POST", "/api/v1/clients/", as_="manager", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert set(response.get_json()) == {"code", "status", "message", "errors"}


def test_a_huge_form_is_refused_with_a_page(client):
    """A 2 MB form posted to the sign-in page answers a 413 page, not a parsed form."""
    response = client.post("/login", data={"username": "u" * (2 * 1024 * 1024), "password": "x"})
    assert response.status_code == 413
    assert response.mimetype == "text/html"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/clients/"),
        ("POST", "/api/v1/appointments/"),
        ("PUT", "/api/v1/workers/1/"),
        ("PATCH", "/api/v1/clients/1/"),
        ("POST", "/api/v1/auth/logout/"),
    ],
)
def test_an_anonymous_body_to_a_protected_operation_gets_401_not_field_errors(call, method, path):
    """An anonymous caller's malformed body learns nothing about the fields: 401 first."""
    response = call(method, path, json={"date": "nonsense", "worker": "x"})
    assert response.status_code == 401
    assert response.get_json()["errors"] == {}
    assert db.session.query(Client).filter_by(first_name="nonsense").count() == 0


def test_a_bad_token_is_refused_before_the_body_is_read(call):
    """A forged token with a malformed body gets 401, not field errors."""
    response = call(
        "POST",
        "/api/v1/appointments/",
        headers={"Authorization": "Bearer not.a.token"},
        data="{not json",
        content_type="application/json",
    )
    assert response.status_code == 401


def test_public_operations_still_read_their_bodies(call):
    """Login stays open: an anonymous malformed login gets field errors (400), not 401."""
    response = call("POST", "/api/v1/login/", json={"username": "admin"})
    assert response.status_code == 400
    assert "password" in response.get_json()["errors"]


def test_every_operation_the_spec_does_not_open_checks_the_token_before_the_body(call):
    """Does every operation of the spec not marked open to anyone (`security: []`) answer an
    anonymous malformed body and query with 401 and no field errors, as `jwt_required()` above
    its `@blp.arguments` makes it?"""
    spec = call("GET", "/api/v1/openapi.json").get_json()
    checked = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            if operation.get("security") == []:
                continue
            url = path.replace("{pk}", "1") + "?date=nonsense&from=x&page=0"
            response = call(method.upper(), url, json={"date": "nonsense", "worker": "x"})
            assert response.status_code == 401, (method, path, response.get_json())
            assert response.get_json()["errors"] == {}
            checked.append((method, path))
    assert len(checked) > 20
