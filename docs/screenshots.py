"""`make screenshots`: the README's pictures, taken of the demo clinic in Debian's Chromium.

Loads the demo clinic into a throwaway SQLite database, serves it from a thread on 127.0.0.1,
and saves PNG files beside this script: the directory, a specialist's week (desktop and phone),
the desk's agenda, the desk's booking form and the admin area. Needs the test dependencies
(Playwright) and /usr/bin/chromium, as the browser tests do.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import flask_migrate
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from clinic import config, create_app
from clinic.demo import load_demo
from clinic.extensions import db

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "tests"))
from helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (the browser tests' launch settings)

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 780}


@contextmanager
def demo_clinic() -> Iterator[str]:
    """The demo clinic served on a free port until the block ends; its base URL."""
    with tempfile.TemporaryDirectory() as folder:
        settings = config.testing(f"sqlite:///{Path(folder) / 'demo.sqlite3'}")
        settings.update(TESTING=False, WTF_CSRF_ENABLED=True)
        app = create_app(settings)
        with app.app_context():
            flask_migrate.upgrade()
            load_demo(db.session)
            db.session.remove()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=10)


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def next_working_day() -> date:
    """The first Monday-to-Friday after today: the demo clinic has bookings then."""
    day = date.today() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def shoot(page: Page, name: str, whole: bool = False) -> None:
    path = DOCS / f"{name}.png"
    page.screenshot(path=str(path), full_page=whole)
    print(f"wrote {path.relative_to(DOCS.parent)}")


def main() -> None:
    with demo_clinic() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        visitor = browser.new_page(viewport=DESKTOP)
        visitor.goto(f"{base}/")
        shoot(visitor, "directory")
        visitor.locator("a[href*='/specialists/'][href*='date=']").first.click()
        visitor.wait_for_load_state()
        shoot(visitor, "week")
        phone = browser.new_page(viewport=PHONE)
        phone.goto(visitor.url)
        shoot(phone, "week-phone", whole=True)

        desk = browser.new_context(viewport=DESKTOP).new_page()
        sign_in(desk, base, "manager", "12345")
        desk.goto(f"{base}/desk/?date={next_working_day().isoformat()}")
        shoot(desk, "desk-agenda")
        desk.locator("a.entry-free").first.click()
        desk.wait_for_load_state()
        shoot(desk, "desk-booking", whole=True)

        admin = browser.new_context(viewport=DESKTOP).new_page()
        sign_in(admin, base, "admin", "admin")
        admin.goto(f"{base}/admin/")
        shoot(admin, "admin")
        admin.goto(f"{base}/admin/specialists/")
        shoot(admin, "admin-specialists")
        browser.close()


if __name__ == "__main__":
    main()
