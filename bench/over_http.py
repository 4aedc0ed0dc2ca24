"""The HTTP part of `make bench`: the clinic served by gunicorn, measured with a load tool.

One run serves the clinic on a throwaway database built with the migrations, whose admin and
manager come from `flask create-user`, and loads the dataset (bench/dataset.py) through the API,
timed. Each row's queries per request are then counted in this process with the Flask test
client against the same database. Then the floor (a bare Flask app answering "ok") is served
too, with the same gunicorn settings (2 workers, `--no-control-socket`, 127.0.0.1), and the
rows are measured with 8 connections for a few seconds each, the floor again after each of the
clinic's rows: a row's ratio is to the mean of the floor runs on either side of it, so that
other work on the machine moves both alike. Any answer that is not 2xx
is counted and shown: a fast refusal is not a result.

The served clinic is configured through its environment: rate limits raised far out of reach
(so the bench measures work, not refusals), mail on the console backend with its log lines
dropped (bench/apps.py), CLINIC_TIMEZONE and the cache as the environment says.

"after a change": each of the 8 connections changes the clinic's notes on an appointment of
its own (PATCH, as the manager: a change to the data, which a response cache must not survive)
and then reads the workers list anonymously, each connection for a working day of its own, so
that no read can be answered from an entry another connection's read just made; only the
reads are timed, and their req/s is the connections over the reads' mean latency.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import time as clock
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from clinic import create_app
from clinic.extensions import db

from . import bookings
from . import dataset as data
from .databases import create_user, kind, throwaway, upgrade
from .in_process import queries
from .load import CONNECTIONS, Measured, Step, python_load, repeat, wrk
from .serve import Server, gunicorn, inherited_environment

SECRET_KEY = "bench-only-secret-key"
JWT_SECRET_KEY = "bench-only-jwt-secret-key-of-32-bytes"
ADMIN = ("bench-admin", "bench-admin-password")
MANAGER = ("bench-manager", "bench-manager-password")
UNREACHABLE = "1000000 per minute"
RATE_LIMITS = dict.fromkeys(
    (
        "LOGIN_LIMIT_PER_IP",
        "LOGIN_LIMIT_PER_IP_ACCOUNT",
        "LOGIN_FAILURES_PER_ACCOUNT",
        "SELF_BOOKING_LIMIT",
    ),
    UNREACHABLE,
)
MEASURED_DAY = 7
"""The working day of the dataset the reads ask for (the Wednesday of its second week)."""
CHANGED_DAYS = range(5, 5 + CONNECTIONS)
"""The working days read "after a change", one per connection."""


@dataclass
class Row:
    """One measured request: how to send it, and how to count its queries in process."""

    name: str
    path: str
    headers: dict[str, str]
    bookings: int = 0
    """The first of the free working days this row books into (0: not a booking row)."""
    connections: int = CONNECTIONS
    after_change: bool = False
    signed_in: bool = False
    """Signed in to the web as the manager (the Cookie header over HTTP; in process, the test
    client signs in itself, since a session is bound to its browser)."""


def served_environment(database_url: str, folder: Path) -> dict[str, str]:
    """The served clinic's environment: its database, keys, mail, and unreachable limits."""
    return {
        **inherited_environment(),
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(folder / "instance"),
        "SECRET_KEY": SECRET_KEY,
        "JWT_SECRET_KEY": JWT_SECRET_KEY,
        "MAIL_BACKEND": "console",
        **RATE_LIMITS,
    }


def run(
    folder: Path, seconds: float, use_wrk: bool, appointments: int = data.APPOINTMENTS
) -> tuple[list[dict], dict]:
    """Measure over HTTP; print the table; answer its rows and the run's facts."""
    tool = "wrk" if use_wrk else "Python threads"
    with throwaway(folder, "http") as url:
        environ = served_environment(url, folder)
        upgrade(environ)
        create_user(environ, ADMIN[0], "admin", ADMIN[1])
        create_user(environ, MANAGER[0], "manager", MANAGER[1])
        log = folder / "gunicorn.log"
        print(f"\nOver HTTP: gunicorn, 2 workers, {CONNECTIONS} connections, {tool}, ", end="")
        print(f"{seconds:g} s a row, {kind(url)}", flush=True)
        with gunicorn("bench.apps:clinic()", environ, log, ready_path="/healthz") as server:
            api = data.Api(server.host, server.port)
            api.login(*ADMIN)
            started = clock.perf_counter()
            dataset = data.load(api, datetime.now(UTC).date(), appointments)
            load_seconds = clock.perf_counter() - started
            api.close()
            print(
                f"dataset loaded through the API, one request after another: {load_seconds:.1f} s"
                f" for {dataset.requests} requests ("
                + ", ".join(f"{name} {s:.1f} s" for name, s in dataset.seconds.items())
                + ")",
                flush=True,
            )
            manager = data.Api(server.host, server.port)
            token = manager.login(*MANAGER)
            manager.close()
            specs = _rows(dataset, token, web_sign_in(server, *MANAGER))
            counts = _count_queries(url, specs, dataset, token)
            print(HEADER)
            with gunicorn("bench.apps:floor()", environ, log) as floor:
                floors = [_measure(floor, FLOOR, seconds, use_wrk)]
                rows = [_result(FLOOR.name, floors[0], floors[0].rps, 0, floor)]
                _print(rows[0])
                for spec in specs:
                    measured = _measure(server, spec, seconds, use_wrk, dataset)
                    floors.append(_measure(floor, FLOOR, seconds, use_wrk))
                    beside = (floors[-2].rps + floors[-1].rps) / 2
                    rows.append(_result(spec.name, measured, beside, counts[spec.name], server))
                    _print(rows[-1])
                rows.append(_result(FLOOR_AGAIN, floors[-1], floors[0].rps, 0, floor))
                _print(rows[-1])
        facts = {
            "database": kind(url),
            "load_seconds": load_seconds,
            "load_requests": dataset.requests,
            "load_seconds_by_kind": dataset.seconds,
            "first_day": dataset.first_day.isoformat(),
            "seconds_a_row": seconds,
            "tool": tool,
            "floor_rps": [measured.rps for measured in floors],
        }
    print(NOTES)
    return rows, facts


FLOOR = Row('floor: bare Flask GET / ("ok")', "/", {})
FLOOR_AGAIN = "floor again, at the end (noise check)"


def _rows(dataset: data.Dataset, token: str, cookies: dict[str, str]) -> list[Row]:
    """The clinic's rows: reads as a visitor, as the manager, and bookings."""
    day = dataset.working_days[MEASURED_DAY].isoformat()
    staff = {"Authorization": f"Bearer {token}"}
    json_staff = {**staff, "Content-Type": "application/json"}
    desk = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
    specialist = dataset.specialists[0]
    workers = "/api/v1/workers/"
    appointments = "/api/v1/appointments/"
    return [
        Row("GET /healthz", "/healthz", {}),
        Row("GET /api/v1/workers/?date= (anonymous)", f"{workers}?date={day}", {}),
        Row("GET /api/v1/workers/?date= after a change", workers, json_staff, after_change=True),
        Row("GET /api/v1/appointments/?date= (manager)", f"{appointments}?date={day}", staff),
        Row("POST /api/v1/appointments/ 1 at a time", appointments, json_staff, 1, 1),
        Row("POST /api/v1/appointments/ 8 at once", appointments, json_staff, 1 + bookings.DAYS),
        Row("GET / (directory, anonymous)", "/", {}),
        Row("GET /specialists/<id>?date= (anonymous)", f"/specialists/{specialist}?date={day}", {}),
        Row("GET /desk/?date= (manager, signed in)", f"/desk/?date={day}", desk, signed_in=True),
    ]


def _measure(
    server: Server, spec: Row, seconds: float, use_wrk: bool, dataset: data.Dataset | None = None
) -> Measured:
    """Check that the row's request answers 2xx (bookings excepted: each takes a slot), then
    put the row's load on the server."""
    if spec.after_change:
        return python_load(server.host, server.port, _after_change(spec, dataset), seconds)
    if not spec.bookings and (status := _check(server, spec)) is not None:
        sys.stderr.write(f"{spec.name} answered {status}; the server's log ends:\n")
        sys.stderr.write("".join(server.log.read_text(errors="replace").splitlines(True)[-40:]))
        return Measured(1, 0.0, float("nan"), float("nan"), 0.0, Counter({status: 1}))
    if spec.bookings:
        days = bookings.free_days(dataset, spec.bookings)
        if use_wrk:
            return wrk(
                f"http://{server.host}:{server.port}{spec.path}",
                seconds,
                spec.connections,
                "POST",
                spec.headers,
                bookings.lua(dataset, days),
            )

        def scenario(thread: int) -> Iterator[Step]:
            for turn in range(10**9):
                body = bookings.body(dataset, days, thread + spec.connections * turn)
                yield Step("POST", spec.path, spec.headers, json.dumps(body).encode())

        return python_load(server.host, server.port, scenario, seconds, spec.connections)
    if use_wrk:
        url = f"http://{server.host}:{server.port}{spec.path}"
        return wrk(url, seconds, spec.connections, headers=spec.headers)
    step = Step("GET", spec.path, spec.headers)
    return python_load(server.host, server.port, repeat(step), seconds, spec.connections)


def _after_change(spec: Row, dataset: data.Dataset) -> Callable[[int], Iterator[Step]]:
    def scenario(thread: int) -> Iterator[Step]:
        appointment = dataset.appointments[thread]
        day = dataset.working_days[CHANGED_DAYS[thread]].isoformat()
        for turn in range(10**9):
            body = json.dumps({"notes": f"bench change {turn}"}).encode()
            yield Step("PATCH", f"/api/v1/appointments/{appointment}/", spec.headers, body, False)
            yield Step("GET", f"{spec.path}?date={day}")

    return scenario


def _check(server: Server, spec: Row) -> int | None:
    """The status of one request of the row when it is not 2xx (None when it is)."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
    try:
        connection.request("GET", spec.path, headers=spec.headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return None if 200 <= response.status < 300 else response.status


def _csrf_token(page: str) -> str:
    """The CSRF token of the sign-in form."""
    token = re.search(r'name="csrf_token"[^>]*value="([^"]*)"', page)
    if token is None:
        raise SystemExit("the sign-in page has no CSRF token")
    return token.group(1)


def web_sign_in(server: Server, username: str, password: str) -> dict[str, str]:
    """Sign in with the web form as a browser would (the CSRF token from the page); answer the
    cookies that keep the session."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
    jar: dict[str, str] = {}

    def send(method: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, "/login", body=body, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            jar.update({name: morsel.value for name, morsel in cookie.items()})
        return response.status, response.read().decode()

    try:
        _status, page = send("GET")
        form = {"username": username, "password": password, "csrf_token": _csrf_token(page)}
        status, _page = send("POST", urlencode(form))
    finally:
        connection.close()
    if status != 302:
        raise SystemExit(f"signing in to the web answered {status}, not a redirect")
    return jar


def _count_queries(url: str, specs: list[Row], dataset: data.Dataset, token: str) -> dict:
    """Count each row's queries per request in this process, on the same database (a cached
    row after one request has filled the cache, as under load). A request that does not
    answer 2xx is shown as its status in brackets instead."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET_KEY,
            "JWT_SECRET_KEY": JWT_SECRET_KEY,
            "MAIL_BACKEND": "memory",
            "RATELIMIT_ENABLED": False,
        }
    )
    staff = {"Authorization": f"Bearer {token}"}
    far = bookings.free_days(dataset, 1 + 2 * bookings.DAYS)
    counts: dict[str, int | str] = {}
    with app.app_context():
        for number, spec in enumerate(specs):
            client = app.test_client()
            headers = {name: value for name, value in spec.headers.items() if name != "Cookie"}
            if spec.signed_in:
                page = client.get("/login").get_data(as_text=True)
                form = {"username": MANAGER[0], "password": MANAGER[1]}
                client.post("/login", data={**form, "csrf_token": _csrf_token(page)})
            if spec.after_change:
                day = dataset.working_days[CHANGED_DAYS[0]].isoformat()
                appointment = f"/api/v1/appointments/{dataset.appointments[0]}/"
                client.patch(appointment, json={"notes": "bench count"}, headers=staff)
                counts[spec.name] = _counted(client, "GET", f"{spec.path}?date={day}", {})
            elif spec.bookings:
                body = bookings.body(dataset, far, number)
                counts[spec.name] = _counted(client, "POST", spec.path, staff, body)
            else:
                client.get(spec.path, headers=headers)
                counts[spec.name] = _counted(client, "GET", spec.path, headers)
        db.session.remove()
        db.engine.dispose()
    return counts


def _counted(client, method: str, path: str, headers: dict, body: dict | None = None):
    """The queries of one test-client request, or "(status)" when it does not answer 2xx."""
    answers = []
    count = queries(
        lambda: answers.append(client.open(path, method=method, headers=headers, json=body))
    )
    status = answers[0].status_code
    return count if 200 <= status < 300 else f"({status})"


def _result(
    name: str, measured: Measured, floor_rps: float, count: int | None, server: Server
) -> dict:
    return {
        "part": "http",
        "name": name,
        "rps": measured.rps,
        "mean_ms": measured.mean_ms,
        "p99_ms": measured.p99_ms,
        "floor_rps": floor_rps,
        "x_floor": measured.rps / floor_rps,
        "queries": count,
        "peak_mb": server.peak_memory_mb(),
        "requests": measured.requests,
        "non_2xx": {str(code): n for code, n in sorted(measured.non_2xx.items(), key=str)},
        "socket_errors": measured.socket_errors,
    }


HEADER = (
    f"{'request':46} {'req/s':>8} {'mean ms':>8} {'p99 ms':>8} {'floor':>7} {'x floor':>8} "
    f"{'queries':>7} {'peak MB':>7}  non-2xx"
)


def _print(row: dict) -> None:
    failed = ", ".join(f"{n} x {code}" for code, n in row["non_2xx"].items())
    if row["socket_errors"]:
        failed += f"{', ' if failed else ''}{row['socket_errors']} socket errors"
    print(
        f"{row['name']:46} {row['rps']:8.1f} {row['mean_ms']:8.2f} {row['p99_ms']:8.2f} "
        f"{row['floor_rps']:7.0f} {row['x_floor']:8.3f} {row['queries']!s:>7} "
        f"{row['peak_mb']:7.1f}  {failed or '0'}",
        flush=True,
    )


NOTES = f"""\
floor: the floor's req/s beside the row: the floor is measured again after each row, and a
  row is compared with the mean of the floor just before and just after it (other work on the
  machine moves both alike); x floor: req/s over that. The last row is the last floor run,
  compared with the first.
queries: per request, counted in this process with the test client on the same database (a
  cached row after one request has filled the cache): the statements sent through SQLAlchemy;
  any sent on a raw driver connection (the SQLite /healthz probe, the cache's data-version
  read) are not seen.
peak MB: the largest VmHWM of a gunicorn worker so far. non-2xx: answers that were not 2xx
  (wrk counts 4xx and 5xx of the reads; every status of the bookings), and socket errors.
after a change: each read follows, on its connection, a PATCH of an appointment's notes (not
  timed); each connection reads a day of its own; req/s = 8 / the reads' mean latency.
served with: LOGIN_LIMIT_PER_IP, LOGIN_LIMIT_PER_IP_ACCOUNT, LOGIN_FAILURES_PER_ACCOUNT and
  SELF_BOOKING_LIMIT set to {UNREACHABLE!r} (out of reach); MAIL_BACKEND=console with the
  clinic.kernel.mail logger at WARNING (each booking builds its email; none is written)."""
