"""Served for real: does gunicorn with 4 worker processes give exactly one of 64 simultaneous
bookings of one slot? (On a SQLite file here; on PostgreSQL in the CI's second run.)"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from helpers import gunicorn
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Appointment, AppointmentStatus, Client

REQUESTS = 64


@pytest.fixture
def server(app, database_url, tmp_path):
    """The app under gunicorn, 4 worker processes, on the test's database; its base URL."""
    settings = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "JWT_SECRET_KEY": app.config["JWT_SECRET_KEY"],
        "CLINIC_TIMEZONE": app.config["CLINIC_TIMEZONE"],
        "INSTANCE_PATH": str(tmp_path),
    }
    with gunicorn(settings, workers=4) as base:
        yield base


def post(url: str, token: str, body: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_64_simultaneous_bookings_over_http_make_one(server, clinic_for_api, make):
    """Of 64 bookings of one slot sent at once to 4 processes, is one 201 and 63 409?"""
    ids, token = clinic_for_api.ids, clinic_for_api.tokens["manager"]
    clients = [make(Client).id for _ in range(REQUESTS)]
    db.session.commit()
    start = Barrier(REQUESTS)

    def book(client_id: int) -> int:
        start.wait()
        return post(
            f"{server}/api/v1/appointments/",
            token,
            {
                "worker": ids.doctor,
                "client": client_id,
                "date": ids.week_ahead,
                "start_time": "14:00",
            },
        )

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        outcomes = Counter(pool.map(book, clients))
    assert outcomes == {201: 1, 409: REQUESTS - 1}
    live = db.session.scalar(
        select(func.count())
        .select_from(Appointment)
        .where(Appointment.status != AppointmentStatus.CANCELLED)
    )
    assert live == 2, "the fixture's appointment and the one winner"
