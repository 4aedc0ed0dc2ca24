"""Who may open each guarded area: every GET page of the area's blueprint, found in the URL
map, so that a page added later is checked without being listed here."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

ROLES = ("admin", "manager", "client")
GUARDED = {"me": {"client"}, "desk": {"manager", "admin"}, "admin": {"admin"}}
"""Each guarded area blueprint and the roles it lets in."""
OPEN = {"public", "auth"}
"""The areas anyone may open (their own pages check what they need)."""


def pages(app, blueprint: str, method: str = "GET") -> list[str]:
    """The paths of the blueprint's routes answering `method`, path arguments filled with 1."""
    with app.test_request_context():
        paths = [
            url_for(rule.endpoint, **dict.fromkeys(rule.arguments, 1))
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith(f"{blueprint}.") and method in rule.methods
        ]
    assert paths or method != "GET", f"the {blueprint} area has no GET page"
    return paths


def test_every_web_area_is_guarded_or_open(app):
    """Is every web blueprint either a guarded area checked here or one of the open ones?"""
    areas = {
        rule.endpoint.split(".")[0]
        for rule in app.url_map.iter_rules()
        if "." in rule.endpoint and not rule.rule.startswith("/api/")
    }
    assert areas == set(GUARDED) | OPEN


@pytest.mark.parametrize("blueprint", GUARDED)
def test_anonymous_people_are_sent_to_sign_in(app, client, blueprint):
    """Does every page of the area send an anonymous visitor to /login, with `next` back?"""
    for path in pages(app, blueprint):
        response = client.get(path)
        assert response.status_code == 302, path
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login", path
        assert parse_qs(location.query)["next"] == [path]


@pytest.mark.parametrize("blueprint", GUARDED)
def test_other_roles_are_forbidden(app, signed_in, blueprint):
    """Does every page of the area answer 403 to a signed-in user of another role?"""
    for role in set(ROLES) - GUARDED[blueprint]:
        browser = signed_in(role)
        for path in pages(app, blueprint):
            assert browser.get(path).status_code == 403, (role, path)


@pytest.mark.parametrize("blueprint", GUARDED)
def test_the_area_roles_get_in(app, signed_in, blueprint):
    """Does every page of the area let in a signed-in user of each of its roles?"""
    for role in GUARDED[blueprint]:
        browser = signed_in(role)
        for path in pages(app, blueprint):
            response = browser.get(path)
            assert response.status_code not in (401, 403), (role, path)
            assert not response.headers.get("Location", "").startswith("/login"), (role, path)


@pytest.mark.parametrize("blueprint", GUARDED)
def test_nobody_outside_the_area_can_post_to_it(app, client, signed_in, blueprint):
    """Does every POST route of the area send an anonymous visitor to sign in and answer 403
    to a signed-in user of another role, before anything is read from the form?"""
    paths = pages(app, blueprint, "POST")
    for path in paths:
        response = client.post(path, data={"status": "cancelled"})
        assert response.status_code == 302, path
        assert urlsplit(response.headers["Location"]).path == "/login", path
    for role in set(ROLES) - GUARDED[blueprint]:
        browser = signed_in(role)
        for path in paths:
            assert browser.post(path, data={"status": "cancelled"}).status_code == 403, (role, path)


def test_one_browsers_sign_in_never_reaches_another_browser(admin, client):
    """Does a browser that never signed in stay anonymous after another signed in and opened
    a page in the same test (each request its own `g`, as each is in production)?"""
    assert admin.get("/admin/").status_code == 200
    anonymous = client.get("/admin/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
