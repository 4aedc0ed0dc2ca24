"""`make bench`: how long the booking rules take, as ratios to a bare Flask request.

Builds a throwaway SQLite clinic with the migrations (`clinic.demo.BusyClinic`: 50
specialists, each with a room and a client, and 5,000 appointments), then times each operation
as the best of several runs and prints it next to the time of one request to a bare Flask app
measured in the same run, so the figures compare across machines. Queries are counted too.
Nothing here is a test: it measures.
"""

from __future__ import annotations

import statistics
import tempfile
import time as clock
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import flask_migrate
from flask import Flask
from sqlalchemy import event

from clinic import config, create_app, scheduling, setup
from clinic.demo import BusyClinic
from clinic.extensions import db

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


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(config.testing(f"sqlite:///{Path(folder) / 'bench.sqlite3'}"))
        with app.app_context():
            flask_migrate.upgrade()
            BusyClinic(db.session, MONDAY, SPECIALISTS).fill(APPOINTMENTS)
            baseline = bare_flask_request()
            client = app.test_client()
            desk = signed_in_desk(app)
            operations = {
                "bare Flask request (the unit)": None,
                "GET /healthz": lambda: client.get("/healthz"),
                "GET / (50 specialists)": lambda: client.get("/"),
                "GET /specialists/1 (a week)": lambda: client.get(
                    f"/specialists/1?date={MONDAY.isoformat()}"
                ),
                "GET /desk/ (a day, 50 specialists)": lambda: desk.get(
                    f"/desk/?date={MONDAY.isoformat()}"
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
            print(f"{APPOINTMENTS} appointments, {SPECIALISTS} specialists, SQLite")
            print(f"{'operation':40} {'ms':>9} {'x bare':>8} {'queries':>8}")
            for name, operation in operations.items():
                if operation is None:
                    print(f"{name:40} {baseline * 1000:9.3f} {1:8.1f} {0:8}")
                    continue
                seconds = best(operation)
                count = queries(operation)
                db.session.rollback()
                print(f"{name:40} {seconds * 1000:9.3f} {seconds / baseline:8.1f} {count:8}")
            booking = [best(lambda n=n: book_and_cancel(n), runs=1) for n in range(20)]
            median = statistics.median(booking)
            print(
                f"{'book + cancel (through the rules)':40} {median * 1000:9.3f} "
                f"{median / baseline:8.1f} {'':>8}"
            )


def signed_in_desk(app: Flask):
    """A test client signed in as a manager (the desk's pages need one)."""
    setup.create_user(db.session, username="bench", role="manager", password="bench-password")
    desk = app.test_client()
    desk.post("/login", data={"username": "bench", "password": "bench-password"})
    return desk


def book_and_cancel(n: int) -> None:
    """Book a far-off slot and cancel it again, as the desk would."""
    day = MONDAY + timedelta(days=300 + n)
    appointment = scheduling.book_appointment(
        db.session, specialist_id=1, client_id=1, date=day, start_time="09:00", now=NOW
    )
    scheduling.cancel_appointment(db.session, appointment.id, now=NOW)


if __name__ == "__main__":
    main()
