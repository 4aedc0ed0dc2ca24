"""Links for emails: the site's own address (BASE_URL) and the path of a page, never the
Host header of whatever request happens to be running. Works inside a request, in the API,
and from the command line alike."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """The full address of a page, under BASE_URL (which may carry a path prefix)."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def verify_email_link(token: str) -> str:
    """The page that verifies an address (and signs the user in)."""
    return external_url("auth.verify_email", token=token)


def reset_password_link(token: str) -> str:
    """The page where the reset link's user chooses a new password."""
    return external_url("auth.reset_password", token=token)
