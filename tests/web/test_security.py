"""Does every response carry the security headers, are cookies safe, are errors pages?"""

from __future__ import annotations

import pytest

from clinic import config, create_app
from clinic.http.security import CONTENT_SECURITY_POLICY
from clinic.models import User


@pytest.mark.parametrize(
    "path", ["/", "/login", "/nope", "/api/v1/workers/", "/api/v1/docs/", "/static/css/site.css"]
)
def test_every_response_carries_the_security_headers(client, path):
    """Are the CSP (no inline scripts), nosniff, referrer policy and frame denial everywhere?"""
    headers = client.get(path).headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_no_page_has_an_inline_script(client):
    """Do our pages load every script from a file (so the CSP can forbid inline ones)?"""
    for path in ("/", "/login", "/register", "/reset", "/api/v1/docs/"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and "onclick=" not in page


SIGN_IN = {"username": "desk", "password": "password123"}


@pytest.fixture
def desk(make):
    return make(User, role="manager", username="desk")


def session_cookie(response) -> str:
    return next(
        value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")
    )


def test_the_session_cookie_is_httponly_and_lax(client, desk):
    """Is the session cookie HttpOnly and SameSite=Lax, and not Secure over plain http?"""
    cookie = session_cookie(client.post("/login", data=SIGN_IN))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_the_session_cookie_is_secure_over_https(client, desk):
    """Is the session cookie Secure when the request came over https?"""
    response = client.post("/login", data=SIGN_IN, base_url="https://localhost")
    assert "Secure" in session_cookie(response)


@pytest.mark.parametrize(("hops", "secure"), [(1, True), (0, False)])
def test_behind_a_proxy_x_forwarded_proto_counts_when_configured(database_url, desk, hops, secure):
    """With PROXY_FIX_HOPS=1, does X-Forwarded-Proto: https make the cookie Secure (and is it
    ignored when no proxy is configured)?"""
    app = create_app({**config.testing(database_url), "PROXY_FIX_HOPS": hops})
    response = app.test_client().post(
        "/login", data=SIGN_IN, headers={"X-Forwarded-Proto": "https"}
    )
    assert ("Secure" in session_cookie(response)) is secure


@pytest.mark.parametrize(
    ("path", "method", "code"),
    [("/nope", "GET", 404), ("/logout", "GET", 405), ("/admin/", "GET", 302)],
)
def test_error_pages_are_pages(client, path, method, code):
    """Are 404 and 405 pages in the site's look (with the way home)?"""
    response = client.open(path, method=method)
    assert response.status_code == code
    if code >= 400:
        page = response.get_data(as_text=True)
        assert response.mimetype == "text/html"
        assert 'href="/"' in page and "site.css" in page


def test_a_403_page(client, make):
    """Is the wrong role's page a 403 in the site's look?"""
    make(User, role="client", username="someone")
    client.post("/login", data={"username": "someone", "password": "password123"})
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_a_400_page(client):
    """Is a bad request a 400 page in the site's look?"""
    from werkzeug.exceptions import BadRequest

    app = client.application

    @app.get("/bad-request-for-the-test")
    def bad():
        raise BadRequest("The form was empty.")

    response = client.get("/bad-request-for-the-test")
    assert response.status_code == 400
    assert "The form was empty." in response.get_data(as_text=True)


def test_a_500_page_hides_the_details(database_url):
    """Does an unexpected failure show a friendly 500 page, no traceback?"""
    app = create_app({**config.testing(database_url), "PROPAGATE_EXCEPTIONS": False})

    @app.get("/broken-for-the-test")
    def broken():
        raise RuntimeError("secret detail")

    response = app.test_client().get("/broken-for-the-test")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page and "secret detail" not in page


def test_remember_me_sets_a_safe_lasting_cookie(client, desk):
    """Does "keep me signed in" set a remember cookie that is HttpOnly and SameSite=Lax?"""
    response = client.post("/login", data={**SIGN_IN, "remember": "y"})
    cookie = next(
        value
        for value in response.headers.getlist("Set-Cookie")
        if value.startswith("remember_token=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
