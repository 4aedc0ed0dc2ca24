"""Fixtures: a migrated database per test (SQLite file, or PostgreSQL with TEST_DATABASE_URL),
the app and its clients (`signed_in(role)` for one signed in), one factory `make(Model, **fields)`
for the clinic's things, and a query counter.

Test databases are built by the migrations, never `create_all`, so the triggers and exclusion
constraints are what the tests exercise. Each test gets a copy of one migrated template.
"""

from __future__ import annotations

import functools
import itertools
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import TypeVar

import flask_migrate
import pytest
import time_machine
from flask import has_app_context
from flask.testing import FlaskClient
from helpers import CHROMIUM, CHROMIUM_ARGS, MONDAY, MOVED_CLOCK, NOW, PASSWORD
from sqlalchemy import event
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from clinic import config, create_app
from clinic.extensions import db
from clinic.kernel.clock import clinic_now, clinic_zone
from clinic.models import (
    Appointment,
    Client,
    Location,
    Role,
    Shift,
    Specialist,
    TimeOff,
    User,
)
from clinic.scheduling import book_appointment

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
POSTGRES_ONLY = "PostgreSQL only: set TEST_DATABASE_URL=postgresql+psycopg://... to run it"
SQLITE_ONLY = "SQLite only: this run uses PostgreSQL (TEST_DATABASE_URL)"
M = TypeVar("M")


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--clock-at`: run the whole suite as if it ran at another moment."""
    parser.addoption(
        "--clock-at",
        metavar="INSTANT",
        help="start the clock of every test at this ISO 8601 instant (e.g. 2028-01-10T09:00Z), "
        "ticking on from there, also in the servers the tests start: no test may depend on the "
        "day it runs",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Move the clock for the whole run when `--clock-at` says so (time-machine, in this
    process and, through helpers.gunicorn, in the servers it starts)."""
    instant = config.getoption("--clock-at")
    if not instant:
        return
    moment = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise pytest.UsageError("--clock-at needs an instant with its offset (e.g. ...T09:00Z)")
    config.moved_clock = time_machine.travel(moment, tick=True)
    config.moved_clock.start()
    os.environ[MOVED_CLOCK] = moment.isoformat()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Give the real clock back."""
    if getattr(config, "moved_clock", None) is not None:
        config.moved_clock.stop()
        os.environ.pop(MOVED_CLOCK, None)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which database the run uses, and the clock when it is moved."""
    if POSTGRES_URL:
        lines = [f"database: PostgreSQL at {make_url(POSTGRES_URL).render_as_string()}"]
    else:
        lines = ["database: SQLite files (set TEST_DATABASE_URL to run on PostgreSQL too)"]
    lines.append(f"clinic time zone: {os.environ.get('CLINIC_TIMEZONE', 'UTC')}")
    if config.getoption("--clock-at"):
        lines.append(f"clock moved: the run starts at {config.getoption('--clock-at')}")
    return lines


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip tests of the other database, and browser tests without Chromium, saying why."""
    for item in items:
        if item.get_closest_marker("e2e") and not Path(CHROMIUM).exists():
            item.add_marker(
                pytest.mark.skip(
                    reason=f"browser test: no Chromium at {CHROMIUM} (apt-get install -y chromium)"
                )
            )
        if item.get_closest_marker("postgres") and not POSTGRES_URL:
            item.add_marker(pytest.mark.skip(reason=POSTGRES_ONLY))
        if item.get_closest_marker("sqlite") and POSTGRES_URL:
            item.add_marker(pytest.mark.skip(reason=SQLITE_ONLY))


class Databases:
    """Makes throwaway databases on the run's server (PostgreSQL) or as files (SQLite)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.names = (f"clinic_test_{uuid.uuid4().hex[:8]}_{n}" for n in itertools.count())
        self.created: list[str] = []
        self.template_url = ""

    def empty(self, template: str | None = None) -> str:
        """The URL of a new database, empty or a copy of `template`."""
        name = next(self.names)
        if not POSTGRES_URL:
            path = self.folder / f"{name}.sqlite3"
            if template:
                _copy_sqlite(make_url(template).database, path)
            return f"sqlite:///{path}"
        clause = f" TEMPLATE {make_url(template).database}" if template else ""
        self._admin(f"CREATE DATABASE {name}{clause}")
        self.created.append(name)
        return (
            make_url(config.database_uri(POSTGRES_URL))
            .set(database=name)
            .render_as_string(hide_password=False)
        )

    def migrated(self) -> str:
        """The URL of a new database built by the migrations (a copy of one built once)."""
        if not self.template_url:
            self.template_url = self.empty()
            app = create_app(config.testing(self.template_url))
            with app.app_context():
                flask_migrate.upgrade()
                db.engine.dispose()
        return self.empty(template=self.template_url)

    def drop_all(self) -> None:
        """Drop every PostgreSQL database made (files go with pytest's tmp folder)."""
        for name in self.created:
            self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def _admin(self, statement: str) -> None:
        """Run a statement that cannot run in a transaction, on the server's own database."""
        import psycopg

        url = make_url(config.database_uri(POSTGRES_URL)).set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(statement)


def _copy_sqlite(source: str | None, target: Path) -> None:
    """A consistent copy of a SQLite database file."""
    original, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        original.backup(copy)
    finally:
        original.close()
        copy.close()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """The run's throwaway databases."""
    made = Databases(tmp_path_factory.mktemp("databases"))
    yield made
    made.drop_all()


@pytest.fixture
def database_url(databases: Databases) -> str:
    """A fresh migrated database for one test."""
    return databases.migrated()


class OwnContextClient(FlaskClient):
    """A browser whose every request runs in an app context of its own, as each request does in
    production: `g` (flask-login's user, the token flask-jwt-extended read) never carries from
    one request or browser to the next, and the request has its own database session. The
    test's own session ends its read transaction on either side, as another process's would
    (SQLite refuses a write from a snapshot older than the last commit)."""

    def open(self, *args, **kwargs):
        if not has_app_context():  # a thread of the test's own: nothing of the test's to end
            with self.application.app_context():
                return super().open(*args, **kwargs)
        db.session.rollback()
        try:
            with self.application.app_context():
                return super().open(*args, **kwargs)
        finally:
            db.session.rollback()


@pytest.fixture
def app(database_url: str) -> Iterator:
    """The app on a fresh migrated database, its app context pushed for the test's own queries
    (each test-client request gets one of its own: OwnContextClient)."""
    app = create_app(config.testing(database_url))
    app.test_client_class = OwnContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A browser-like test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Runs the app's `flask` commands."""
    return app.test_cli_runner()


@pytest.fixture
def count_queries(app) -> Callable:
    """`with count_queries() as queries:` collects the SQL statements run inside the block."""

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def collect(_conn, _cursor, statement, *_args) -> None:
            if statement.lstrip().split(None, 1)[0].upper() in (
                "SELECT",
                "INSERT",
                "UPDATE",
                "DELETE",
                "WITH",
            ):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", collect)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", collect)

    return counting


@functools.cache
def quick_hash(password: str) -> str:
    """A password hash cheap to make and check: tests make many users, and the real work
    factor (werkzeug's default) would cost a tenth of a second each."""
    return generate_password_hash(password, method="pbkdf2:sha256:1000")


def _get_or_add_shift(fields: dict) -> Shift:
    """Shifts are unique by weekday and times: the one already there, or a new one."""
    return db.session.query(Shift).filter_by(**fields).one_or_none() or Shift(**fields)


_DEFAULTS: dict[type, Callable[[int], dict]] = {
    User: lambda n: {
        "username": f"user{n}",
        "email": f"user{n}@example.com",
        "email_verified_at": datetime.now(UTC),
        "role": Role.CLIENT,
        "password_hash": quick_hash(PASSWORD),
    },
    Shift: lambda n: {"weekday": 0, "start_time": time(9), "end_time": time(18)},
    Location: lambda n: {"name": f"Room {n}"},
    Specialist: lambda n: {"first_name": f"Specialist{n}", "last_name": f"Surname{n}"},
    Client: lambda n: {"first_name": f"Client{n}", "last_name": f"Patient{n}"},
    TimeOff: lambda n: {"reason": f"Reason {n}"},
}


@pytest.fixture
def make(app) -> Callable:
    """`make(Model, **fields)`: a committed row with defaults for what is not given.

    Users are verified and active, of role client, with the password PASSWORD; a shift is
    Monday 09:00-18:00, and an existing identical shift is returned rather than duplicated.
    """
    counters: dict[type, itertools.count] = {}

    def create(model: type[M], **fields) -> M:
        n = next(counters.setdefault(model, itertools.count(1)))
        fields = {**_DEFAULTS[model](n), **fields}
        if model is User:
            fields["role"] = Role(fields["role"])
        row = _get_or_add_shift(fields) if model is Shift else model(**fields)
        db.session.add(row)
        db.session.commit()
        return row

    return create


@pytest.fixture
def signed_in(request, app, make) -> Callable:
    """`signed_in(role)`: a test client signed in through the /login form as a fresh verified
    user of that role ("admin", "manager", "client"; a client also gets a client record).
    The user is `.user` on the client. In a test that stops the clock, the sign-in happens
    once it is stopped (a session cookie signed later than "now" would not open anything)."""
    if "clock" in request.fixturenames:
        request.getfixturevalue("clock")

    def sign_in(role: Role | str) -> FlaskClient:
        user = make(User, role=role)
        if user.role is Role.CLIENT:
            make(Client, email=user.email, user=user)
        browser = app.test_client()
        response = browser.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, f"signing in as {user.username} failed"
        browser.user = user
        return browser

    return sign_in


@pytest.fixture
def book(app) -> Callable[..., Appointment]:
    """Book through the booking rules on MONDAY (now being NOW) unless told otherwise."""

    def make(specialist, client, start: str, end: str | None = None, *, day=MONDAY, **fields):
        fields.setdefault("now", NOW)
        return book_appointment(
            db.session,
            specialist_id=specialist.id,
            client_id=client.id,
            date=day,
            start_time=start,
            end_time=end,
            **fields,
        )

    return make


@pytest.fixture
def clock(app) -> Iterator[time_machine.Coordinates]:
    """The clock stopped at NOW in the clinic's zone, for pages, which read it themselves;
    `clock.move_to(datetime)` moves it (a naive datetime is clinic time)."""
    zone = clinic_zone()
    with time_machine.travel(NOW.replace(tzinfo=zone), tick=False) as traveller:
        move_to = traveller.move_to
        traveller.move_to = lambda moment: move_to(
            moment if moment.tzinfo else moment.replace(tzinfo=zone)
        )
        yield traveller


@pytest.fixture
def monday(make) -> SimpleNamespace:
    """A room open every day 08:00-20:00; a doctor working Monday 09:00-12:00 in 30-minute
    slots with that room as default; a patient."""
    room = make(
        Location,
        name="Room 1",
        shifts=[
            make(Shift, weekday=day, start_time=time(8), end_time=time(20)) for day in range(7)
        ],
    )
    doctor = make(
        Specialist,
        first_name="Iryna",
        last_name="Bondarenko",
        slot_minutes=30,
        default_location=room,
        shifts=[make(Shift, weekday=0, start_time=time(9), end_time=time(12))],
    )
    return SimpleNamespace(room=room, doctor=doctor, patient=make(Client))


@pytest.fixture
def clinic_for_api(app, make):
    """Everything the API tests touch: users of each role (the clients with client records),
    a specialist and room working every day 09:00-17:00, spare things nothing refers to, and
    an appointment of `client` a week from now at 10:00."""
    from flask_jwt_extended import create_access_token

    every_day = [
        make(Shift, weekday=day, start_time=time(9), end_time=time(17)) for day in range(7)
    ]
    room = make(Location, name="Room 1", shifts=every_day)
    users = {role: make(User, role=role, username=role) for role in ("admin", "manager")}
    for name in ("client", "other"):
        users[name] = make(User, role="client", username=name)
        make(Client, first_name=name.capitalize(), email=f"{name}@example.com", user=users[name])
    doctor = make(
        Specialist,
        first_name="Iryna",
        last_name="Bondarenko",
        slot_minutes=30,
        default_location=room,
        shifts=every_day,
    )
    week_ahead = clinic_now().date() + timedelta(days=7)
    appointment = book_appointment(
        db.session,
        specialist_id=doctor.id,
        client_id=users["client"].client.id,
        date=week_ahead,
        start_time="10:00",
    )
    ids = SimpleNamespace(
        doctor=doctor.id,
        room=room.id,
        shift=every_day[0].id,
        appointment=appointment.id,
        own_client=users["client"].client.id,
        other_client=users["other"].client.id,
        spare_doctor=make(Specialist).id,
        spare_room=make(Location).id,
        spare_shift=make(Shift, weekday=2, start_time=time(6), end_time=time(7)).id,
        spare_client=make(Client).id,
        manager=users["manager"].id,
        idle_manager=make(User, role="manager").id,
        week_ahead=week_ahead.isoformat(),
    )
    tokens = {name: create_access_token(identity=user) for name, user in users.items()}
    return SimpleNamespace(ids=ids, users=users, tokens=tokens)


@pytest.fixture
def call(client, clinic_for_api):
    """`call("GET", "/api/v1/...", as_="manager", json=...)`: a request with that role's token."""

    def request(method: str, path: str, as_: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if as_:
            headers["Authorization"] = f"Bearer {clinic_for_api.tokens[as_]}"
        return client.open(path, method=method, headers=headers, **kwargs)

    return request


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium (its own browser download cannot work here)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def live_server(app):
    """The app served from a thread on 127.0.0.1 (same app object, so the outbox is readable);
    its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app.config["BASE_URL"]
    server.shutdown()
    thread.join(timeout=10)
