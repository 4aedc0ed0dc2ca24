"""Links for emails: the site's own address (BASE_URL) and the path of a page, never the Host
header of whatever request happens to be running; they work inside a request, in the API and
from the command line alike.

The domain says what a link is for (`EmailLinks`: verify an address, reset a password, ...);
the web side, whose pages they open, hands in the builder when the app starts (`use`), so that
no module below the doors names a page.
"""

from __future__ import annotations

from typing import Protocol

from flask import Flask, current_app

KEY = "clinic.email_links"


class EmailLinks(Protocol):
    """The pages an email to an account holder may link to, as full addresses."""

    def verify_email(self, token: str) -> str:
        """The page that verifies an address (and signs the user in)."""

    def reset_password(self, token: str) -> str:
        """The page where a reset link's user chooses a new password."""

    def confirm_email(self, token: str) -> str:
        """The page that makes a new address the account's."""

    def request_reset(self) -> str:
        """The page that sends a reset link."""

    def sign_in(self) -> str:
        """The sign-in page."""

    def register(self) -> str:
        """The page where a patient registers."""


def use(app: Flask, builder: EmailLinks) -> None:
    """Give the app the builder of its emailed links (the web side does, at start-up)."""
    app.extensions[KEY] = builder


def for_emails() -> EmailLinks:
    """The builder of the running app's emailed links."""
    try:
        return current_app.extensions[KEY]
    except KeyError:
        raise RuntimeError(
            "no emailed-link builder: the web side hands it in (links.use)"
        ) from None
