"""A refused booking tells a patient that the time is taken, never whose appointment took it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from clinic.extensions import db
from clinic.kernel.clock import clinic_now
from clinic.models import Appointment, Client, Specialist
from clinic.scheduling import SYSTEM, Policy, Span
from clinic.scheduling.placing import Booking, _database_refusal
from clinic.scheduling.policy import Actor


def booking(clinic_for_api, **extra) -> dict:
    """A booking of the time the fixture's appointment takes."""
    ids = clinic_for_api.ids
    return {"worker": ids.doctor, "date": ids.week_ahead, "start_time": "10:00", **extra}


def test_a_client_learns_only_that_the_time_is_taken(call, clinic_for_api):
    """Another patient booking a taken time learns neither its appointment, id nor time."""
    response = call("POST", "/api/v1/appointments/", as_="other", json=booking(clinic_for_api))
    assert response.status_code == 409
    body = response.get_json()
    assert body["conflict"]["appointment"] is None
    assert body["conflict"]["suggestions"]
    assert "10:00" not in body["message"]
    assert '"pk"' not in response.get_data(as_text=True)


def test_staff_see_what_collided(call, clinic_for_api):
    """The desk booking a taken time is told which appointment holds it."""
    body = booking(clinic_for_api, client=clinic_for_api.ids.spare_client)
    response = call("POST", "/api/v1/appointments/", as_="manager", json=body)
    assert response.status_code == 409
    assert response.get_json()["conflict"]["appointment"]["pk"] == clinic_for_api.ids.appointment
    assert "10:00" in response.get_json()["message"]


def test_a_lost_race_tells_a_client_nothing_of_the_winner(app, clinic_for_api):
    """When the database refuses a client's booking (another process won), the Conflict names
    no appointment; staff still get the one that collided."""
    appointment = db.session.get(Appointment, clinic_for_api.ids.appointment)
    booking = Booking(
        specialist=db.session.get(Specialist, clinic_for_api.ids.doctor),
        client=db.session.get(Client, clinic_for_api.ids.other_client),
        location=appointment.location,
        span=Span(appointment.starts_at, appointment.ends_at),
    )
    error = IntegrityError("INSERT", {}, Exception("appointments overlap"))
    now = clinic_now() - timedelta(days=1)  # the clock the fixture booked by, in clinic time
    client = Policy(Actor.CLIENT, clinic_for_api.users["other"].id)
    refusal = _database_refusal(db.session, error, booking, client, now)
    assert refusal.appointment is None
    assert _database_refusal(db.session, error, booking, SYSTEM, now).appointment == appointment
