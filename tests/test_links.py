"""Do emailed links start with the site's own address, whatever the request's Host says?"""

from __future__ import annotations

import re

import pytest

from clinic import config, links, mail
from clinic.models import User


def emailed_link() -> str:
    """The one link in the last email sent."""
    body = mail.outbox()[-1].get_body(("plain",)).get_content()
    return re.search(r"https?://\S+", body).group(0)


def test_a_reset_asked_for_under_another_host_links_to_base_url(app, client, make):
    """Does a reset requested with Host: evil.example still mail a link to BASE_URL?"""
    user = make(User, role="client")
    client.post("/reset", data={"email": user.email}, headers={"Host": "evil.example"})
    assert emailed_link().startswith("http://127.0.0.1:5000/reset/")


def test_links_work_outside_a_request_and_keep_a_path_prefix(app):
    """From the command line too, and under a prefix, is a link BASE_URL + the page's path?"""
    assert links.verify_email_link("abc") == "http://127.0.0.1:5000/verify/abc"
    app.config["BASE_URL"] = "https://clinic.example/booking"
    assert links.reset_password_link("abc") == "https://clinic.example/booking/reset/abc"


@pytest.mark.parametrize(
    "value",
    ["clinic.example", "ftp://clinic.example", "https://", "https://clinic.example/?next=x"],
)
def test_a_base_url_that_is_no_site_address_stops_the_app(value):
    """Is BASE_URL without http(s) and a host, or with a query, refused at start?"""
    with pytest.raises(config.ConfigError, match="BASE_URL"):
        config.base_url(value)
