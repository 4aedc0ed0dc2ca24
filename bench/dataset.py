"""The bench's clinic, loaded through the API over HTTP, one request after another, as an
admin: the dataset of issue 13.

56 specialists, each with a room of their own, working Monday to Friday 09:00-18:00 in
30-minute slots; 500 clients, each with an email address (so that every booking builds its
email, as a real clinic's would); 6,300 appointments over the 30 days from the first Monday
after today (the server keeps the real clock, so they must lie in the future). Every
specialist has five or six of the eighteen slots of each working day booked; the clients of one
day are all different, so no client is booked twice at once.
"""

from __future__ import annotations

import http.client
import json
import time as clock
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

SPECIALISTS = 56
CLIENTS = 500
APPOINTMENTS = 6300
DAYS = 30
OPENING_HOUR, SLOT_MINUTES, SLOTS_A_DAY = 9, 30, 18
PER_DAY = 6
"""The rounds of the day's slots the appointments fill, until there are APPOINTMENTS."""
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


class ApiError(RuntimeError):
    """An answer the bench did not expect."""


class Api:
    """A JSON client of /api/v1 over one keep-alive connection."""

    def __init__(self, host: str, port: int) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=60)
        self.token: str | None = None

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """Send a request; answer its JSON (None when empty); raise ApiError unless 2xx."""
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = None if body is None else json.dumps(body).encode()
        self.connection.request(method, f"/api/v1{path}", body=payload, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        if not 200 <= response.status < 300:
            raise ApiError(f"{method} {path} answered {response.status}: {content[:500]!r}")
        return json.loads(content) if content else None

    def login(self, username: str, password: str) -> str:
        """Sign in; later calls carry the access token, which is also returned."""
        self.token = None
        self.token = self.call("POST", "/login/", {"username": username, "password": password})[
            "access"
        ]
        return self.token

    def close(self) -> None:
        self.connection.close()


@dataclass
class Dataset:
    """What was loaded, and how long each kind of thing took (seconds)."""

    first_day: date
    specialists: list[int] = field(default_factory=list)
    locations: list[int] = field(default_factory=list)
    clients: list[int] = field(default_factory=list)
    appointments: list[int] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def working_days(self) -> list[date]:
        """The Monday-to-Friday days of the dataset's 30 days."""
        days = (self.first_day + timedelta(days=n) for n in range(DAYS))
        return [day for day in days if day.weekday() < 5]

    @property
    def requests(self) -> int:
        return (
            len(WEEKDAYS)
            + len(self.locations)
            + len(self.specialists)
            + len(self.clients)
            + len(self.appointments)
        )

    def later_working_days(self, skip: int, count: int) -> list[date]:
        """`count` working days after the dataset's, the first `skip` of them left out (free
        days for bookings made while measuring)."""
        days, day = [], self.first_day + timedelta(days=DAYS)
        while len(days) < skip + count:
            if day.weekday() < 5:
                days.append(day)
            day += timedelta(days=1)
        return days[skip:]


def first_monday(today: date) -> date:
    """The first Monday after today."""
    return today + timedelta(days=7 - today.weekday())


def slot_time(index: int) -> str:
    minutes = OPENING_HOUR * 60 + index * SLOT_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def load(api: Api, today: date, appointments: int = APPOINTMENTS) -> Dataset:
    """Load the dataset through `api` (signed in as an admin), timing each kind of thing;
    `appointments` fewer than APPOINTMENTS makes a quick, smaller run."""
    dataset = Dataset(first_monday(today))
    timer = _Timer(dataset.seconds)
    with timer("shifts"):
        shifts = [
            api.call(
                "POST",
                "/work_schedules/",
                {"weekday": weekday, "from_hour": "09:00", "to_hour": "18:00"},
            )["pk"]
            for weekday in WEEKDAYS
        ]
    with timer("locations"):
        for n in range(SPECIALISTS):
            body = {"name": f"Room {n + 1}", "address": "Bench wing", "work_schedule": shifts}
            dataset.locations.append(api.call("POST", "/locations/", body)["pk"])
    with timer("specialists"):
        for n, location in enumerate(dataset.locations):
            body = {
                "first_name": "Doctor",
                "last_name": f"Bench {n + 1:02d}",
                "specialty": "General practitioner",
                "phone": f"+380 44 555 {n:04d}",
                "slot_minutes": SLOT_MINUTES,
                "default_location": location,
                "work_schedule": shifts,
            }
            dataset.specialists.append(api.call("POST", "/workers/", body)["pk"])
    with timer("clients"):
        for n in range(CLIENTS):
            body = {
                "first_name": "Client",
                "last_name": f"Bench {n + 1:03d}",
                "phone": f"+380 67 555 {n:04d}",
                "email": f"client{n + 1}@example.com",
            }
            dataset.clients.append(api.call("POST", "/clients/", body)["pk"])
    with timer("appointments"):
        for day_index, day, round_, n, specialist in _appointments(dataset, appointments):
            client = (day_index * PER_DAY + round_) * SPECIALISTS + n
            body = {
                "worker": specialist,
                "client": dataset.clients[client % CLIENTS],
                "date": day.isoformat(),
                "start_time": slot_time((n + day_index + 3 * round_) % SLOTS_A_DAY),
                "type": "Check-up",
            }
            dataset.appointments.append(api.call("POST", "/appointments/", body)["pk"])
    return dataset


def _appointments(dataset: Dataset, total: int):
    """(day index, day, round, specialist index, specialist id) of each appointment to book:
    round by round over the working days, until there are `total` (at most PER_DAY a day for
    each specialist). Round r of specialist n on day d takes slot (n + d + 3r) mod 18: six
    different slots a day. The client, (d * PER_DAY + r) * SPECIALISTS + n, takes fewer than
    CLIENTS values within a day, so no client has two appointments on one day."""
    booked = 0
    for round_ in range(PER_DAY):
        for day_index, day in enumerate(dataset.working_days):
            for n, specialist in enumerate(dataset.specialists):
                if booked == total:
                    return
                yield day_index, day, round_, n, specialist
                booked += 1


class _Timer:
    """`with timer(name):` adds the block's seconds to `seconds[name]`."""

    def __init__(self, seconds: dict[str, float]) -> None:
        self.seconds = seconds

    def __call__(self, name: str) -> _Timer:
        self.name = name
        return self

    def __enter__(self) -> None:
        self.started = clock.perf_counter()

    def __exit__(self, *_exc: object) -> None:
        self.seconds[self.name] = clock.perf_counter() - self.started
