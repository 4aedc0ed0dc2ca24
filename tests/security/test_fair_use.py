"""Fair use of self-service booking through the API: a cap on the live future appointments a
client books for themself (409), and a rate limit on their booking requests (429)."""

from __future__ import annotations

import pytest

from clinic import config, create_app
from clinic.extensions import db
from clinic.models import ClinicSettings

TIMES = ("11:00", "11:30", "12:00", "12:30", "13:00", "13:30", "14:00", "14:30")


@pytest.fixture
def booking(clinic_for_api):
    """`booking(http, as_, start)`: POST an appointment with the doctor a week ahead; the answer."""
    ids = clinic_for_api.ids

    def post(http, as_: str, start: str):
        body = {"worker": ids.doctor, "date": ids.week_ahead, "start_time": start}
        if as_ == "manager":
            body["client"] = ids.own_client
        token = clinic_for_api.tokens[as_]
        return http.post(
            "/api/v1/appointments/", json=body, headers={"Authorization": f"Bearer {token}"}
        )

    return post


def test_a_client_cannot_book_out_a_specialists_week(client, booking):
    """Attack: a client books slot after slot of one specialist until nobody else can."""
    db.session.get_one(ClinicSettings, 1).max_client_bookings = 3
    db.session.commit()
    answers = [booking(client, "client", start) for start in TIMES[:4]]
    assert [answer.status_code for answer in answers] == [201, 201, 201, 409]
    assert "3 upcoming appointments booked online" in answers[-1].get_json()["message"]
    assert booking(client, "manager", TIMES[4]).status_code == 201, "the desk is not capped"


def test_self_booking_requests_are_rate_limited_per_client(database_url, booking):
    """Attack: a client scripts booking requests as fast as the server answers them."""
    limited = create_app(
        {**config.testing(database_url), "RATELIMIT_ENABLED": True, "SELF_BOOKING_LIMIT": "3/hour"}
    ).test_client()
    answers = [booking(limited, "client", start).status_code for start in TIMES[:4]]
    assert answers == [201, 201, 201, 429]
    assert booking(limited, "other", TIMES[4]).status_code == 201, "counted per client"
    staff = [booking(limited, "manager", start).status_code for start in (TIMES[3], *TIMES[5:])]
    assert staff == [201] * 4, "staff booking for clients are not limited"
