"""Names and phones hold what people see: no line breaks (extra email headers), NUL,
right-to-left overrides or zero-width characters. Notes may run over several lines."""

from __future__ import annotations

import pytest

from clinic import accounts, setup
from clinic.extensions import db
from clinic.kernel.errors import Invalid
from clinic.models import Client, Location, Specialist, User

HIDDEN = {
    "line break": "Eve\r\nBcc: victim@example.com",
    "NUL": "Eve\x00",
    "right-to-left override": "Eve\u202egpj.exe",
    "zero-width space": "Ad\u200bmin",
    "zero-width joiner": "Eve\u200d",
    "byte order mark": "\ufeffEve",
    "line separator": "Eve\u2028Smith",
    "escape": "Eve\x1b[31m",
}


@pytest.mark.parametrize("value", HIDDEN.values(), ids=HIDDEN.keys())
def test_the_api_refuses_hidden_characters_in_a_clients_name(call, value):
    """A client named with a control or invisible character is refused (400), none saved."""
    body = {"first_name": value, "last_name": "Smith"}
    response = call("POST", "/api/v1/clients/", as_="manager", json=body)
    assert response.status_code == 400
    assert "first_name" in response.get_json()["errors"]
    assert db.session.query(Client).filter_by(last_name="Smith").count() == 0


@pytest.mark.parametrize("value", ["+380 44\r\n123", "+380\u200b44", "call me\x07", "555-1234 ☎"])
def test_the_api_refuses_a_phone_that_is_not_a_phone(call, clinic_for_api, value):
    """A phone number carrying a line break, an invisible or a stray character is refused."""
    path = f"/api/v1/clients/{clinic_for_api.ids.spare_client}/"
    response = call("PATCH", path, as_="manager", json={"phone": value})
    assert response.status_code == 400
    assert "phone" in response.get_json()["errors"]


@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/v1/workers/", "first_name"), ("/api/v1/locations/", "name")],
)
def test_the_api_refuses_hidden_characters_in_setup_names(call, path, field):
    """A specialist or room named with a right-to-left override is refused (400)."""
    body = {"first_name": "A", "last_name": "B", "name": "Room", field: "Dr \u202eevil"}
    response = call("POST", path, as_="admin", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]
    assert db.session.query(Specialist).filter_by(first_name="Dr \u202eevil").count() == 0
    assert db.session.query(Location).filter_by(name="Dr \u202eevil").count() == 0


@pytest.mark.parametrize("value", HIDDEN.values(), ids=HIDDEN.keys())
def test_the_domain_refuses_hidden_characters_in_names(app, value):
    """The rules themselves (behind every form) refuse a hidden character in a name."""
    with pytest.raises(Invalid):
        setup.save_client(db.session, None, {"first_name": value, "last_name": "Smith"})
    with pytest.raises(Invalid):
        accounts.read_name(value, "first_name")


def test_the_register_form_refuses_hidden_characters(client):
    """Registering on the web with a right-to-left override in the name is refused."""
    response = client.post(
        "/register",
        data={
            "first_name": "Eve\u202e",
            "last_name": "Smith",
            "email": "eve@example.com",
            "password": "password123",
            "confirm": "password123",
        },
    )
    assert response.status_code == 200
    assert db.session.query(User).filter_by(email="eve@example.com").count() == 0


def test_notes_keep_their_lines_but_not_control_characters(app, make):
    """A client's notes keep line breaks; a NUL or an override in them is refused."""
    record = make(Client)
    setup.save_client(db.session, record, {"notes": "Line one\r\nLine two"})
    assert record.notes == "Line one\nLine two"
    for value in ("Line\x00", "Line\u202e", "Line\x1b"):
        with pytest.raises(Invalid):
            setup.save_client(db.session, record, {"notes": value})


def test_appointment_notes_keep_their_lines(call, clinic_for_api):
    """Staff notes over several lines are kept; a NUL or a bidi override in them is refused."""
    path = f"/api/v1/appointments/{clinic_for_api.ids.appointment}/"
    ok = call("PATCH", path, as_="manager", json={"notes": "One\nTwo"})
    assert ok.get_json()["notes"] == "One\nTwo"
    refused = call("PATCH", path, as_="manager", json={"notes": "One\u202eTwo"})
    assert refused.status_code == 400
    assert "notes" in refused.get_json()["errors"]


def test_a_registration_phone_with_control_characters_is_refused(client):
    """A NUL or line break smuggled in through the registration's phone is refused (400)."""
    response = client.post(
        "/api/v1/register/",
        json={
            "username": "anna",
            "email": "anna@example.com",
            "password": "long enough",
            "phone": "+380\x00\r\n1",
        },
    )
    assert response.status_code == 400
    assert "phone" in response.get_json()["errors"]
