"""Do the pages and the API answer a rule alike? Each rule lives in the domain once; the doors
only say its answer (the API: 400, 403 or 409 with the same words)."""

from __future__ import annotations

import pytest
from flask_jwt_extended import create_access_token
from flask_login import AnonymousUserMixin
from helpers import MONDAY, NOW, PASSWORD, at_the_visit

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel.errors import Invalid, NotAllowed, NotFound
from clinic.models import Appointment, Client, User
from clinic.scheduling.agenda import NO_PATIENT_RECORD

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def recordless(app, make):
    """A verified client account the desk has not linked to any patient record."""
    return make(User, role="client", username="norecord")


def test_an_account_without_a_patient_record_gets_one_answer(app, monday, recordless):
    """Is booking by a client account without a patient record refused alike — the rules'
    NotAllowed, 403 on the page and 403 from the API, in the same words?"""
    with pytest.raises(NotAllowed, match="no patient record"):
        scheduling.book_appointment(
            db.session,
            specialist_id=monday.doctor.id,
            date=MONDAY,
            start_time="10:00",
            actor=recordless,
            now=NOW,
        )
    browser = app.test_client()
    browser.post("/login", data={"username": "norecord", "password": PASSWORD})
    page = browser.get(f"/me/book/{monday.doctor.id}?start={MONDAY}T10:00")
    assert page.status_code == 403
    assert NO_PATIENT_RECORD in page.get_data(as_text=True)
    token = create_access_token(identity=recordless)
    answer = app.test_client().post(
        "/api/v1/appointments/",
        headers={"Authorization": f"Bearer {token}"},
        json={"worker": monday.doctor.id, "date": MONDAY.isoformat(), "start_time": "10:00"},
    )
    assert answer.status_code == 403 and answer.get_json()["message"] == NO_PATIENT_RECORD
    assert db.session.query(Appointment).count() == 0


def test_staff_booking_without_a_client_are_told_to_choose_one(monday, make):
    """Is a staff booking naming no client refused on the client field (400 in the API)?"""
    with pytest.raises(Invalid) as refused:
        scheduling.book_appointment(
            db.session,
            specialist_id=monday.doctor.id,
            date=MONDAY,
            start_time="10:00",
            actor=make(User, role="manager"),
            now=NOW,
        )
    assert "client_id" in refused.value.errors


def test_an_appointments_client_never_changes(monday, book, make):
    """Is moving an appointment to another client refused by the rules themselves (not only by
    the API), leaving it as it was?"""
    appointment = book(monday.doctor, monday.patient, "10:00")
    other = make(Client)
    with pytest.raises(Invalid, match="client cannot change"):
        scheduling.update_appointment(
            db.session, appointment.id, {"client_id": other.id, "type": "Changed"}, now=NOW
        )
    db.session.expire_all()
    assert (appointment.client_id, appointment.type) == (monday.patient.id, "")
    same = scheduling.update_appointment(
        db.session, appointment.id, {"client_id": str(monday.patient.id), "type": "Kept"}, now=NOW
    )
    assert same.type == "Kept"


def test_the_api_says_the_rules_words_for_a_new_client(call, clinic_for_api):
    """Does the API answer a PATCH naming another client 400 on `client`, in the rules' words?"""
    ids = clinic_for_api.ids
    answer = call(
        "PATCH",
        f"/api/v1/appointments/{ids.appointment}/",
        as_="manager",
        json={"client": ids.other_client},
    )
    assert answer.status_code == 400
    assert answer.get_json()["errors"] == {
        "client": ["An appointment's client cannot change; book anew."]
    }


def test_a_check_in_a_week_early_is_refused_by_both_doors(call, clinic_for_api, signed_in):
    """Is marking next week's appointment arrived refused alike: 409 from the API, "not
    changed" with the same reason at the desk; and allowed by both on its day?"""
    path = f"/api/v1/appointments/{clinic_for_api.ids.appointment}/"
    desk = signed_in("manager")
    page = f"/desk/appointments/{clinic_for_api.ids.appointment}/status"
    answer = call("PATCH", path, as_="manager", json={"status": "arrived"})
    assert answer.status_code == 409
    reason = answer.get_json()["message"]
    assert "on the day of the appointment only" in reason
    shown = desk.post(page, data={"status": "arrived"}, follow_redirects=True)
    assert f"The status was not changed: {reason}" in shown.get_data(as_text=True)
    with at_the_visit(clinic_for_api):
        desk.post(page, data={"status": "arrived"})
        assert call("GET", path, as_="manager").get_json()["status"] == "arrived"
        undone = call("PATCH", path, as_="manager", json={"status": "booked"})
        assert undone.status_code == 200


@pytest.mark.parametrize("stranger", ["client", None])
def test_the_rules_let_no_one_change_another_patients_appointment(monday, book, make, stranger):
    """Is cancelling, moving or noting another patient's appointment refused by the rules
    themselves (NotFound, as the doors answer 404), to another client and to an anonymous
    visitor, leaving it as it was?"""
    appointment = book(monday.doctor, monday.patient, "10:00")
    actor = make(User, role="client") if stranger else None
    changes = [{"status": "cancelled"}, {"start_time": "11:00"}, {"patient_note": "mine"}]
    for change in changes:
        with pytest.raises(NotFound):
            scheduling.update_appointment(
                db.session,
                appointment.id,
                change,
                actor=actor if actor else AnonymousUserMixin(),
                now=NOW,
            )
    db.session.expire_all()
    assert (appointment.status, f"{appointment.starts_at:%H:%M}", appointment.patient_note) == (
        scheduling.Status.BOOKED,
        "10:00",
        "",
    )
