"""The clinic's notes on an appointment are the staff's; the patient has a note of their own."""

from __future__ import annotations

import pytest
from helpers import MONDAY

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel.errors import NotAllowed
from clinic.models import Appointment

STAFF_NOTE = "Allergic to penicillin; owes 200"


@pytest.fixture
def noted(call, clinic_for_api) -> str:
    """The client's appointment with the clinic's notes on it; its API path."""
    path = f"/api/v1/appointments/{clinic_for_api.ids.appointment}/"
    assert call("PATCH", path, as_="manager", json={"notes": STAFF_NOTE}).status_code == 200
    return path


def test_a_client_never_reads_the_clinics_notes(call, noted):
    """A client reading their appointment (item and list) does not get the staff's notes."""
    for path in (noted, "/api/v1/appointments/"):
        response = call("GET", path, as_="client")
        assert response.status_code == 200
        assert STAFF_NOTE not in response.get_data(as_text=True)
    body = call("GET", noted, as_="client").get_json()
    assert body["notes"] == ""
    assert "patient_note" not in body


def test_a_client_cannot_wipe_the_clinics_notes(call, noted, clinic_for_api):
    """A client's PATCH of `notes` writes their own note and leaves the staff's notes be."""
    response = call("PATCH", noted, as_="client", json={"notes": "Running late"})
    assert response.status_code == 200
    assert response.get_json()["notes"] == "Running late"
    appointment = db.session.get(Appointment, clinic_for_api.ids.appointment)
    db.session.refresh(appointment)
    assert (appointment.notes, appointment.patient_note) == (STAFF_NOTE, "Running late")


def test_staff_see_both_notes(call, noted):
    """Staff get the clinic's `notes` and the patient's `patient_note` apart."""
    call("PATCH", noted, as_="client", json={"notes": "Running late"})
    body = call("GET", noted, as_="manager").get_json()
    assert (body["notes"], body["patient_note"]) == (STAFF_NOTE, "Running late")
    listed = call("GET", "/api/v1/appointments/", as_="manager").get_json()
    assert {item["patient_note"] for item in listed} == {"Running late"}


def test_a_clients_booking_note_is_their_own(call, clinic_for_api):
    """A client booking with `notes` writes their own note, never the clinic's."""
    body = {
        "worker": clinic_for_api.ids.doctor,
        "date": clinic_for_api.ids.week_ahead,
        "start_time": "14:00",
        "notes": "First visit",
    }
    response = call("POST", "/api/v1/appointments/", as_="client", json=body)
    assert response.status_code == 201, response.get_json()
    appointment = db.session.get(Appointment, response.get_json()["pk"])
    assert (appointment.notes, appointment.patient_note) == ("", "First visit")


def test_staff_do_not_rewrite_the_patients_note(call, noted):
    """A manager's PATCH of `patient_note` is refused (403): the note is the patient's."""
    response = call("PATCH", noted, as_="manager", json={"patient_note": "edited"})
    assert response.status_code == 403


def test_the_booking_rules_keep_the_clinics_notes_from_clients(clinic_for_api):
    """A client calling the domain directly cannot set the clinic's notes."""
    client = clinic_for_api.users["client"]
    with pytest.raises(NotAllowed):
        scheduling.update_appointment(
            db.session, clinic_for_api.ids.appointment, {"notes": "hacked"}, actor=client
        )


def test_the_patients_page_never_shows_the_clinics_notes(signed_in, book, monday, clock):
    """A client's own appointments page shows their note, never the staff's notes."""
    browser = signed_in("client")
    appointment = book(monday.doctor, browser.user.client, "10:00", patient_note="Call me")
    scheduling.update_appointment(db.session, appointment.id, {"notes": STAFF_NOTE})
    page = browser.get("/me/appointments").get_data(as_text=True)
    assert "Call me" in page
    assert STAFF_NOTE not in page


def test_the_desk_sees_the_patients_note(signed_in, book, monday):
    """The desk's day page shows what the patient wrote."""
    desk = signed_in("manager")
    book(monday.doctor, monday.patient, "10:00", patient_note="Wheelchair access please")
    page = desk.get(f"/desk/?date={MONDAY.isoformat()}")
    assert "Wheelchair access please" in page.get_data(as_text=True)
