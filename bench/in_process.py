"""The in-process part of `make bench`: how long the booking rules take, as ratios to a bare
Flask request.

Builds a throwaway clinic with the migrations (`clinic.demo.BusyClinic`: 50 specialists, each
with a room and a client, and 5,000 appointments), then times each operation as the best of
several runs and prints it next to the time of one request to a bare Flask app measured in the
same run, so the figures compare across machines. Queries are counted too.
Nothing here is a test: it measures.
"""

from __future__ import annotations

import statistics
import time as clock
from collections.abc import Callable
from datetime import date, datetime, timedelta

import flask_migrate
from flask import Flask
from sqlalchemy import event

from clinic import config, create_app, notifications, scheduling, setup
from clinic.demo import BusyClinic
from clinic.extensions import db

from .databases import kind

SPECIALISTS = 50
APPOINTMENTS = 5000
MONDAY = date(2027, 1, 4)
NOW = datetime(2027, 1, 1, 8)


def best(operation: Callable[[], object], runs: int = 30) -> float:
    """The fastest of `runs` timings of `operation`, in seconds (less noise than the mean)."""
    timings = []
    for _ in range(runs):
        started = clock.perf_counter()
        operation()
        timings.append(clock.perf_counter() - started)
    return min(timings)


def bare_flask_request() -> float:
    """One request to a one-route Flask app through the test client."""
    bare = Flask("bare")
    bare.get("/")(lambda: "ok")
    client = bare.test_client()
    return best(lambda: client.get("/"), runs=300)


def queries(operation: Callable[[], object]) -> int:
    """How many statements `operation` sends to the database."""
    statements: list[str] = []

    def collect(*args) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", collect)
    try:
        operation()
    finally:
        event.remove(db.engine, "before_cursor_execute", collect)
    return len([s for s in statements if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))])


def run(database_url: str) -> list[dict]:
    """Measure on an empty database at `database_url`; print the table and answer its rows."""
    # Pages are measured as worked out (the HTTP table has the cached answers).
    app = create_app({**config.testing(database_url), "CACHE_TYPE": "NullCache"})
    rows = []
    with app.app_context():
        flask_migrate.upgrade()
        BusyClinic(db.session, MONDAY, SPECIALISTS).fill(APPOINTMENTS)
        baseline = bare_flask_request()
        client = app.test_client()
        desk = signed_in_desk(app)
        operations = {
            "bare Flask request (the unit)": None,
            "GET /healthz": lambda: client.get("/healthz"),
            "GET / (50 specialists, uncached)": lambda: client.get("/"),
            "GET /specialists/1 (a week, uncached)": lambda: client.get(
                f"/specialists/1?date={MONDAY.isoformat()}"
            ),
            "GET /desk/ (a day, 50 specialists)": lambda: desk.get(
                f"/desk/?date={MONDAY.isoformat()}"
            ),
            "GET /desk/ (a free day, 800 free times)": lambda: desk.get(
                f"/desk/?date={(MONDAY + timedelta(days=7)).isoformat()}"
            ),
            "free slots, 1 specialist, 28 days": lambda: scheduling.free_slots_range(
                db.session, 1, MONDAY, MONDAY + timedelta(days=27), now=NOW
            ),
            "free slots, 50 specialists, 1 day": lambda: scheduling.free_slots_by_specialist(
                db.session, MONDAY, now=NOW
            ),
            "next free slot, 1 specialist": lambda: scheduling.next_free_slot(
                db.session, 1, now=NOW
            ),
        }
        print(f"In process: {APPOINTMENTS} appointments, {SPECIALISTS} specialists, ", end="")
        print(kind(database_url))
        print(f"{'operation':40} {'ms':>9} {'x bare':>8} {'queries':>8}")
        for name, operation in operations.items():
            if operation is None:
                seconds, count = baseline, 0
            else:
                seconds = best(operation)
                count = queries(operation)
                db.session.rollback()
            rows.append(_printed(_row(name, seconds, baseline, count)))
        with notifications.quiet():
            alone = min(booking_alone(n) for n in range(30))
        rows.append(_printed(_row("a booking (the rules, no email)", alone, baseline, None)))
        booking = [best(lambda n=n: book_and_cancel(100 + n), runs=1) for n in range(20)]
        median = statistics.median(booking)
        rows.append(_printed(_row("book + cancel (through the rules)", median, baseline, None)))
        db.session.remove()
        db.engine.dispose()
    return rows


def _row(name: str, seconds: float, baseline: float, count: int | None) -> dict:
    return {
        "part": "in-process",
        "name": name,
        "ms": seconds * 1000,
        "x_bare": seconds / baseline,
        "queries": count,
    }


def _printed(row: dict) -> dict:
    count = "" if row["queries"] is None else row["queries"]
    print(f"{row['name']:40} {row['ms']:9.3f} {row['x_bare']:8.1f} {count:>8}", flush=True)
    return row


def signed_in_desk(app: Flask):
    """A test client signed in as a manager (the desk's pages need one)."""
    setup.create_user(db.session, username="bench", role="manager", password="bench-password")
    desk = app.test_client()
    desk.post("/login", data={"username": "bench", "password": "bench-password"})
    return desk


def booking_alone(n: int) -> float:
    """Seconds to book a far-off slot through the rules (cancelled again, untimed)."""
    day = MONDAY + timedelta(days=300 + n)
    started = clock.perf_counter()
    appointment = scheduling.book_appointment(
        db.session, specialist_id=1, client_id=1, date=day, start_time="10:00", now=NOW
    )
    seconds = clock.perf_counter() - started
    scheduling.cancel_appointment(db.session, appointment.id, now=NOW)
    return seconds


def book_and_cancel(n: int) -> None:
    """Book a far-off slot and cancel it again, as the desk would."""
    day = MONDAY + timedelta(days=300 + n)
    appointment = scheduling.book_appointment(
        db.session, specialist_id=1, client_id=1, date=day, start_time="09:00", now=NOW
    )
    scheduling.cancel_appointment(db.session, appointment.id, now=NOW)
