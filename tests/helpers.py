"""What several test modules share: the booking tests' fixed moments and the browser's path.

Tests import these from here, never from conftest.py (pytest advises against it)."""

from __future__ import annotations

import html
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import time_machine

PROJECT_ROOT = Path(__file__).resolve().parent.parent

MONDAY = date(2027, 1, 4)
"""A Monday after the `now` of booking tests."""
NOW = datetime(2027, 1, 1, 8, 0)
"""The `now` of booking tests: the Friday before MONDAY."""

MOVED_CLOCK = "TEST_CLOCK_AT"
"""Set while the run's clock is moved (`pytest --clock-at`): where it started, for the servers
the tests start (tests/moved_clock.py)."""
LAUNCHED_AT = "TEST_CLOCK_LAUNCHED_AT"
"""The real time a server was launched at, so that its clock also counts the seconds its own
start took (a token made meanwhile would otherwise be "issued in the future" for it)."""


def during(appointment) -> datetime:
    """Five minutes into an appointment (clinic time): when its patient is checked in, or
    found missing, and it may be completed."""
    return appointment.starts_at + timedelta(minutes=5)


def account_of(client, make):
    """A new client account (user) for a patient record that has none, as the patient."""
    from clinic.extensions import db
    from clinic.models import User

    user = make(User, role="client")
    client.user = user
    db.session.commit()
    return user


@contextmanager
def at_the_visit(clinic_for_api, clock_time: str = "10:05") -> Iterator[None]:
    """The clock stopped on the day of the API clinic's appointment (a week ahead, 10:00) at
    `clock_time`, clinic time, with each user's token issued anew then (those of a week before
    have ended)."""
    import time_machine
    from flask_jwt_extended import create_access_token

    from clinic.kernel.clock import clinic_zone

    moment = datetime.fromisoformat(f"{clinic_for_api.ids.week_ahead}T{clock_time}")
    with time_machine.travel(moment.replace(tzinfo=clinic_zone()), tick=False):
        for name, user in clinic_for_api.users.items():
            clinic_for_api.tokens[name] = create_access_token(identity=user)
        yield


PASSWORD = "password123"
"""The password of every user the `make` fixture creates."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(settings: dict[str, str], workers: int) -> Iterator[str]:
    """The app served by gunicorn with `workers` processes and these settings (environment
    variables) until the block ends; its base URL once /healthz answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    moved = {}
    launcher = ["-m"]
    if os.environ.get(MOVED_CLOCK):  # the server's clock where the run's is now
        real_now = time_machine.escape_hatch.time.time()
        moved = {MOVED_CLOCK: datetime.now(UTC).isoformat(), LAUNCHED_AT: repr(real_now)}
        launcher = [str(PROJECT_ROOT / "tests" / "moved_clock.py")]
    process = subprocess.Popen(
        [
            sys.executable,
            *launcher,
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "--graceful-timeout",
            "5",
            "wsgi:app",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "BASE_URL": base, **settings, **moved},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def assert_accessible(page) -> None:
    """axe-core finds nothing serious or critical on the browser's page, and it fits its width."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"nothing sticks out sideways on {page.url}"
    )


def sign_in_page(page, username: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form the browser's page shows and send it."""
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def text(response) -> str:
    """A page's HTML with its entities read (so that "O'Neil" reads as written)."""
    return html.unescape(response.get_data(as_text=True))


def count(model) -> int:
    """How many rows of `model` the database holds now."""
    from clinic.extensions import db

    db.session.expire_all()
    return db.session.query(model).count()


def fresh(model, row_id: int):
    """The row as the database holds it now, or None once it is gone (asked of the database,
    not of the test's session, which still knows the row a request deleted)."""
    from sqlalchemy import select

    from clinic.extensions import db

    db.session.expire_all()
    return db.session.scalars(select(model).where(model.id == row_id)).one_or_none()


def bearer(token: str) -> dict[str, str]:
    """The header that sends an API token."""
    return {"Authorization": f"Bearer {token}"}


DASH = "\N{EN DASH}"
"""Between the times of a shift in words."""


def audited(entity: str, entity_id: int) -> list[tuple[str, int | None]]:
    """The audit log's (action, actor id) about one thing, oldest first."""
    from sqlalchemy import select

    from clinic.extensions import db
    from clinic.models import AuditEntry

    rows = db.session.execute(
        select(AuditEntry.action, AuditEntry.actor_id)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id)
    )
    return [(action, actor_id) for action, actor_id in rows]


def booking_body(ids, **fields) -> dict:
    """An API booking by staff of the other client with the doctor a week ahead at 11:00
    (`ids` of the clinic_for_api fixture)."""
    return {
        "worker": ids.doctor,
        "client": ids.other_client,
        "date": ids.week_ahead,
        "start_time": "11:00",
        **fields,
    }


def rows_everywhere() -> dict[str, int]:
    """How many rows every table of the clinic holds now, and the data version (which any
    audited change moves on): what a request that writes nothing leaves as it was."""
    from sqlalchemy import func, select

    from clinic.extensions import db
    from clinic.models import DataVersion

    db.session.rollback()
    counts = {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }
    counts["data version"] = db.session.scalar(select(DataVersion.version))
    db.session.rollback()
    return counts
