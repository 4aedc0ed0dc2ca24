"""The pages emailed links open: the web side's builder of `links.EmailLinks`, handed to the
app at start-up."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """The full address of a page, under BASE_URL (which may carry a path prefix)."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


class PageLinks:
    """Emailed links to the sign-in area's pages, under BASE_URL."""

    def verify_email(self, token: str) -> str:
        """The page that verifies an address (and signs the user in)."""
        return external_url("auth.verify_email", token=token)

    def reset_password(self, token: str) -> str:
        """The page where a reset link's user chooses a new password."""
        return external_url("auth.reset_password", token=token)

    def confirm_email(self, token: str) -> str:
        """The page that makes a new address the account's."""
        return external_url("auth.confirm_email", token=token)

    def request_reset(self) -> str:
        """The page that sends a reset link."""
        return external_url("auth.request_reset")

    def sign_in(self) -> str:
        """The sign-in page."""
        return external_url("auth.login")

    def register(self) -> str:
        """The page where a patient registers."""
        return external_url("auth.register")
