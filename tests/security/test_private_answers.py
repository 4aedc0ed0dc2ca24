"""Answers for someone in particular are never stored by browsers or proxies; https is sticky."""

from __future__ import annotations

import pytest

HSTS = "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("path", ["/", "/me/appointments", "/nope"])
def test_every_answer_to_a_signed_in_user_is_no_store(signed_in, path):
    """A shared computer's back button or a proxy cannot replay a signed-in user's page."""
    browser = signed_in("client")
    assert browser.get(path).headers.get("Cache-Control") == "no-store"


@pytest.mark.parametrize(
    ("path", "as_"),
    [
        ("/api/v1/workers/", "client"),
        ("/api/v1/me/", "manager"),
        ("/api/v1/appointments/", "admin"),
    ],
)
def test_every_authenticated_api_answer_is_no_store(call, path, as_):
    """A proxy cannot keep an API answer that was fetched with a token."""
    assert call("GET", path, as_=as_).headers.get("Cache-Control") == "no-store"


def test_an_answer_to_a_bad_token_is_no_store_too(call):
    """Even a refusal of a presented token is not kept."""
    response = call("GET", "/api/v1/me/", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401
    assert response.headers.get("Cache-Control") == "no-store"


@pytest.mark.parametrize("path", ["/", "/api/v1/workers/"])
def test_anonymous_public_answers_may_be_cached(client, path):
    """Public pages to anonymous visitors are not marked private (the response cache serves
    them)."""
    assert "no-store" not in client.get(path).headers.get("Cache-Control", "")


def test_https_answers_carry_hsts(client):
    """A visitor who came once over https is not downgraded to http later."""
    assert (
        client.get("/", base_url="https://clinic.example").headers.get("Strict-Transport-Security")
        == HSTS
    )
    assert "Strict-Transport-Security" not in client.get("/").headers
