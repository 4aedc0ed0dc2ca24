"""The response cache cannot be poisoned: under gunicorn, as the site is served, no request's
headers (a script root, a forwarded prefix, host or scheme) or doubled slash put foreign or
broken links into the page the next plain visitor is given."""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlsplit

import pytest
from helpers import gunicorn

EVIL = "//evil.example"
ATTACKS = [
    ("SCRIPT_NAME", EVIL, {"SCRIPT_NAME": EVIL}),
    ("SCRIPT_NAME /x", "/x", {"SCRIPT_NAME": "/x"}),
    ("X-Forwarded-Prefix", "", {"X-Forwarded-Prefix": EVIL}),
    ("X-Forwarded-Host", "", {"X-Forwarded-Host": "evil.example"}),
    ("X-Forwarded-Proto", "", {"X-Forwarded-Proto": "https"}),
    ("Forwarded", "", {"Forwarded": "for=1.2.3.4;host=evil.example;proto=https"}),
    ("doubled slash", EVIL, {}),
]
"""(what, the path prefix the request is sent under, its headers)."""
LINK = re.compile(r'(?:href|action|src)="([^"]*)"')


def fetch(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """One GET on a new connection (so that either worker may answer), the path sent as it is."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    finally:
        connection.close()


def foreign_links(page: str) -> list[str]:
    """The links on a page that are not the site's own paths."""
    own = re.compile(r"#|/(?!/|x/)")  # a fragment, or one slash (and not the /x prefix)
    return [link for link in LINK.findall(page) if not own.match(link)]


@pytest.fixture(params=["0", "1"], ids=["no proxy", "PROXY_FIX_HOPS=1"])
def site(request, app, database_url, tmp_path, clinic_for_api):
    """The clinic under gunicorn (2 workers, caching in memory), as deployed directly or behind
    one proxy; its base URL (BASE_URL) and the paths a visitor reads."""
    settings = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "JWT_SECRET_KEY": app.config["JWT_SECRET_KEY"],
        "INSTANCE_PATH": str(tmp_path),
        "PROXY_FIX_HOPS": request.param,
        "WEB_CONCURRENCY": "2",
    }
    with gunicorn(settings, workers=2) as base:
        yield base, ["/", f"/specialists/{clinic_for_api.ids.doctor}"]


@pytest.mark.parametrize(("what", "prefix", "headers"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_a_plain_visitors_next_page_has_only_the_sites_own_links(site, what, prefix, headers):
    """Attack: send each page a few times (both workers answer some) with the header or the
    doubled slash, so that the poisoned answer is kept; then read it as a plain visitor."""
    base, paths = site
    for path in paths:
        for _ in range(4):
            fetch(base, prefix + path, headers)
    for path in paths:
        for _ in range(4):
            status, page = fetch(base, path)
            assert status == 200
            assert LINK.findall(page), "the page has links to check"
            assert foreign_links(page) == [], what
            assert "evil.example" not in page
