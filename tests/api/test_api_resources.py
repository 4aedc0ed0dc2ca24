"""Do the API's resources keep the contract: fields, bodies (JSON and form), validation and
conflicts, and deletes? (Lists, errors and bounded queries: test_api_lists.)"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from helpers import at_the_visit, booking_body, count

from clinic.extensions import db
from clinic.models import Appointment, AuditEntry, Client, Specialist

# --- fields and bodies ------------------------------------------------------------------------


def test_a_worker_has_the_original_fields(call, clinic_for_api):
    """Does a worker carry pk, names, phone, specialty, available_slots and work_schedule?"""
    ids = clinic_for_api.ids
    worker = call("GET", f"/api/v1/workers/{ids.doctor}/?date={ids.week_ahead}").get_json()
    assert set(worker) >= {
        "pk",
        "first_name",
        "last_name",
        "phone",
        "specialty",
        "available_slots",
        "work_schedule",
        "slot_minutes",
        "active",
        "default_location",
    }
    assert "10:00" not in worker["available_slots"], "the booked slot is taken"
    assert worker["available_slots"][0] == "09:00"
    assert worker["work_schedule"][0] == {
        "pk": ids.shift,
        "weekday": "Monday",
        "from_hour": "09:00:00",
        "to_hour": "17:00:00",
    }


def test_a_workers_about_text_and_visit_types_are_set_and_read_by_the_api(call, clinic_for_api):
    """May an admin set a worker's about text and visit types (each once, trimmed), and do
    too many or over-long ones answer 400 writing nothing?"""
    path = f"/api/v1/workers/{clinic_for_api.ids.doctor}/"
    body = {"about": "Hearts.", "visit_types": [" ECG ", "Consultation", "ecg"]}
    saved = call("PATCH", path, as_="admin", json=body)
    assert saved.status_code == 200
    assert (saved.get_json()["about"], saved.get_json()["visit_types"]) == (
        "Hearts.",
        ["ECG", "Consultation"],
    )
    for bad in ({"visit_types": ["x"] * 21}, {"visit_types": ["x" * 101]}, {"about": "x" * 1001}):
        assert call("PATCH", path, as_="admin", json=bad).status_code == 400
    assert call("GET", path).get_json()["visit_types"] == ["ECG", "Consultation"]
    assert call("PATCH", path, as_="manager", json=body).status_code == 403


def test_an_appointment_has_the_original_fields_and_iso_times(app, call, clinic_for_api):
    """Does an appointment carry the original fields plus start/end with the clinic's offset?"""
    app.config["CLINIC_TIMEZONE"] = "Europe/Kyiv"
    ids = clinic_for_api.ids
    body = call("GET", f"/api/v1/appointments/{ids.appointment}/", as_="manager").get_json()
    assert {
        k: body[k]
        for k in (
            "pk",
            "type",
            "date",
            "start_time",
            "end_time",
            "worker",
            "client",
            "location",
            "status",
            "notes",
        )
    } == {
        "pk": ids.appointment,
        "type": "",
        "date": ids.week_ahead,
        "start_time": "10:00:00",
        "end_time": "10:30:00",
        "worker": ids.doctor,
        "client": ids.own_client,
        "location": ids.room,
        "status": "booked",
        "notes": "",
    }
    start = datetime.fromisoformat(body["start"])
    assert start.utcoffset() in (timedelta(hours=2), timedelta(hours=3))
    assert start.replace(tzinfo=None) == datetime.fromisoformat(f"{ids.week_ahead}T10:00:00")


@pytest.mark.parametrize("slash", ["/", ""])
def test_the_trailing_slash_is_optional(call, clinic_for_api, slash):
    """Do list and item URLs answer with and without the trailing slash (no redirect)?"""
    ids = clinic_for_api.ids
    for path in ("/api/v1/workers", f"/api/v1/appointments/{ids.appointment}", "/api/v1/me"):
        assert call("GET", path + slash, as_="admin").status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/v1/workers/",
            {
                "first_name": "Taras",
                "last_name": "Melnyk",
                "slot_minutes": "45",
                "work_schedule": json.dumps(
                    [{"weekday": "Friday", "from_hour": "10:00", "to_hour": "14:00:00"}]
                ),
            },
        ),
        (
            "/api/v1/locations/",
            {"name": "Room 5", "address": "Second floor", "work_schedule": "[]"},
        ),
        (
            "/api/v1/clients/",
            {
                "first_name": "Anna",
                "last_name": "Koval",
                "phone": "+380",
                "email": "anna@example.com",
            },
        ),
        (
            "/api/v1/managers/",
            {
                "username": "desk2",
                "email": "desk2@example.com",
                "password": "long enough",
                "repeat_password": "long enough",
            },
        ),
    ],
)
def test_form_data_is_taken_where_the_original_took_it(call, path, body):
    """Do workers, locations, clients and managers accept form data as well as JSON?"""
    response = call("POST", path, as_="admin", data=body)
    assert response.status_code == 201, response.get_json()


def test_work_schedule_takes_objects_pks_and_replaces_the_set(call, clinic_for_api):
    """Can shifts be given as objects (made when new) or pks, and does PATCH replace them?"""
    ids = clinic_for_api.ids
    response = call(
        "PATCH",
        f"/api/v1/workers/{ids.spare_doctor}/",
        as_="admin",
        json={
            "work_schedule": [
                ids.shift,
                {"weekday": "Saturday", "from_hour": "08:00", "to_hour": "12:00"},
            ]
        },
    )
    assert response.status_code == 200
    assert [(s["weekday"], s["from_hour"]) for s in response.get_json()["work_schedule"]] == [
        ("Monday", "09:00:00"),
        ("Saturday", "08:00:00"),
    ]
    again = call(
        "PATCH",
        f"/api/v1/workers/{ids.spare_doctor}/",
        as_="admin",
        json={"work_schedule": [ids.shift]},
    )
    assert len(again.get_json()["work_schedule"]) == 1


def test_repeated_form_pks_are_a_work_schedule(call, clinic_for_api):
    """In a form, does work_schedule=1&work_schedule=2 give both shifts?"""
    ids = clinic_for_api.ids
    response = call(
        "PATCH",
        f"/api/v1/locations/{ids.spare_room}/",
        as_="admin",
        data={"work_schedule": [str(ids.shift), str(ids.spare_shift)]},
    )
    assert len(response.get_json()["work_schedule"]) == 2


# --- validation and conflicts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"date": "2026-02-30"}, "date"),
        ({"start_time": "25:99"}, "start_time"),
        ({"start_time": "9am"}, "start_time"),
        ({"end_time": "10:00"}, "end_time"),
        ({"worker": 999}, "worker"),
        ({"worker": "one"}, "worker"),
        ({"client": 999}, "client"),
        ({"location": 999}, "location"),
        ({"notes": "x" * 10_000}, "notes"),
        ({"type": "x" * 101}, "type"),
        ({"date": "2020-01-06"}, "start_time"),
        ({"start_time": "07:00"}, "start_time"),
        ({"notes": "nul\x00"}, "notes"),
        ({"worker": None}, "worker"),
        ({"start_time": None}, "start_time"),
    ],
)
def test_bad_bookings_are_400_by_field_and_write_nothing(call, clinic_for_api, fields, field):
    """Is each kind of bad booking a 400 naming the field, with nothing written?"""
    appointments, entries = count(Appointment), count(AuditEntry)
    response = call(
        "POST",
        "/api/v1/appointments/",
        as_="manager",
        json=booking_body(clinic_for_api.ids, **fields),
    )
    assert response.status_code == 400
    body = response.get_json()
    assert field in body["errors"] and body["code"] == 400 and body["message"]
    assert (count(Appointment), count(AuditEntry)) == (appointments, entries)


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"'])
def test_a_body_that_is_not_a_json_object_is_400(call, body):
    """Is malformed JSON, or JSON that is not an object, a 400 in the error shape?"""
    response = call(
        "POST", "/api/v1/appointments/", as_="manager", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == 400


def test_a_double_booking_is_409_naming_the_appointment_and_offering_slots(call, clinic_for_api):
    """Does booking a taken time answer 409 with the collision and the nearest free times?"""
    ids = clinic_for_api.ids
    response = call(
        "POST", "/api/v1/appointments/", as_="manager", json=booking_body(ids, start_time="10:00")
    )
    assert response.status_code == 409
    conflict = response.get_json()["conflict"]
    assert conflict["appointment"]["pk"] == ids.appointment
    assert [s[11:16] for s in conflict["suggestions"]] == ["09:00", "09:30", "10:30"]
    assert count(Appointment) == 1


def test_a_move_into_a_taken_time_is_409_and_changes_nothing(call, clinic_for_api):
    """Is moving another appointment onto a taken time a 409, leaving it where it was?"""
    ids = clinic_for_api.ids
    other = call("POST", "/api/v1/appointments/", as_="manager", json=booking_body(ids)).get_json()
    response = call(
        "PATCH",
        f"/api/v1/appointments/{other['pk']}/",
        as_="manager",
        json={"start_time": "10:00", "notes": "moved"},
    )
    assert response.status_code == 409
    again = call("GET", f"/api/v1/appointments/{other['pk']}/", as_="manager").get_json()
    assert (again["start_time"], again["notes"]) == ("11:00:00", "")


def test_status_changes_follow_the_table(call, clinic_for_api):
    """On the appointment's day, does PATCH status go booked → arrived → completed, back to
    booked (an undo), and refuse arrived → no_show and an unknown status?"""
    path = f"/api/v1/appointments/{clinic_for_api.ids.appointment}/"
    with at_the_visit(clinic_for_api):
        assert call("PATCH", path, as_="manager", json={"status": "arrived"}).status_code == 200
        assert call("PATCH", path, as_="manager", json={"status": "completed"}).status_code == 200
        undone = call("PATCH", path, as_="manager", json={"status": "booked"})
        assert (undone.status_code, undone.get_json()["status"]) == (200, "booked")
        call("PATCH", path, as_="manager", json={"status": "arrived"})
        refused = call("PATCH", path, as_="manager", json={"status": "no_show"})
        assert refused.status_code == 409
        assert "cannot become no show" in refused.get_json()["message"]
        assert call("PATCH", path, as_="manager", json={"status": "lost"}).status_code == 400


@pytest.mark.parametrize("status", ["arrived", "no_show", "completed"])
def test_a_future_appointment_is_not_marked_arrived_no_show_or_completed(
    call, clinic_for_api, status
):
    """A week before the visit, is marking it arrived, a no-show or completed refused with
    409 saying when it may be, as the desk refuses it?"""
    path = f"/api/v1/appointments/{clinic_for_api.ids.appointment}/"
    refused = call("PATCH", path, as_="manager", json={"status": status})
    assert refused.status_code == 409, refused.get_json()
    assert call("GET", path, as_="manager").get_json()["status"] == "booked"


def test_a_no_show_is_marked_once_the_visit_has_started_and_undone_that_day(call, clinic_for_api):
    """At 09:59 on the day is a no-show refused (409), at 10:05 made, and undone (back to
    booked) the same day, as on the desk's pages?"""
    path = f"/api/v1/appointments/{clinic_for_api.ids.appointment}/"
    with at_the_visit(clinic_for_api, "09:59"):
        early = call("PATCH", path, as_="manager", json={"status": "no_show"})
        assert early.status_code == 409 and "once it has started" in early.get_json()["message"]
    with at_the_visit(clinic_for_api, "10:05"):
        assert call("PATCH", path, as_="manager", json={"status": "no_show"}).status_code == 200
        undone = call("PATCH", path, as_="manager", json={"status": "booked"})
        assert undone.get_json()["status"] == "booked"


def test_delete_cancels_and_keeps_the_appointment(call, clinic_for_api):
    """Is DELETE a cancellation (204, again 204), listed only with ?status=cancelled or all?"""
    ids = clinic_for_api.ids
    path = f"/api/v1/appointments/{ids.appointment}/"
    assert call("DELETE", path, as_="manager").status_code == 204
    assert call("DELETE", path, as_="manager").status_code == 204
    assert call("GET", path, as_="manager").get_json()["status"] == "cancelled"

    def listed(query: str) -> list[int]:
        answer = call("GET", f"/api/v1/appointments/{query}", as_="manager")
        return [appointment["pk"] for appointment in answer.get_json()]

    assert listed("") == []
    assert listed("?status=cancelled") == listed("?status=all") == [ids.appointment]


def test_deleting_a_completed_appointment_is_409(call, clinic_for_api):
    """Is cancelling a completed appointment refused with 409?"""
    path = f"/api/v1/appointments/{clinic_for_api.ids.appointment}/"
    with at_the_visit(clinic_for_api):
        call("PATCH", path, as_="manager", json={"status": "arrived"})
        call("PATCH", path, as_="manager", json={"status": "completed"})
        assert call("DELETE", path, as_="manager").status_code == 409


def test_a_worker_with_upcoming_appointments_cannot_be_removed(call, clinic_for_api):
    """Does DELETE of a worker with appointments still to come answer 409, listing them?"""
    ids = clinic_for_api.ids
    response = call("DELETE", f"/api/v1/workers/{ids.doctor}/", as_="admin")
    assert response.status_code == 409
    assert [a["pk"] for a in response.get_json()["conflict"]["appointments"]] == [ids.appointment]
    assert db.session.get(Specialist, ids.doctor).active


def test_a_referenced_worker_is_deactivated_not_deleted(call, clinic_for_api):
    """Does DELETE of a worker whose appointments are all cancelled answer 200, inactive?"""
    ids = clinic_for_api.ids
    call("DELETE", f"/api/v1/appointments/{ids.appointment}/", as_="manager")
    response = call("DELETE", f"/api/v1/workers/{ids.doctor}/", as_="admin")
    assert response.status_code == 200
    assert response.get_json()["active"] is False
    assert db.session.get(Specialist, ids.doctor) is not None
    public = [w["pk"] for w in call("GET", "/api/v1/workers/").get_json()]
    assert ids.doctor not in public


def test_a_client_with_appointments_cannot_be_deleted(call, clinic_for_api):
    """Is deleting a client with appointments a 409 with the reason?"""
    response = call("DELETE", f"/api/v1/clients/{clinic_for_api.ids.own_client}/", as_="admin")
    assert response.status_code == 409
    assert "has appointments" in response.get_json()["message"]
    assert count(Client) >= 3


def test_a_shift_in_use_cannot_be_deleted(call, clinic_for_api):
    """Is deleting a shift someone works a 409 naming them?"""
    response = call("DELETE", f"/api/v1/work_schedules/{clinic_for_api.ids.shift}/", as_="admin")
    assert response.status_code == 409
    assert "Iryna Bondarenko" in response.get_json()["message"]


def test_a_client_books_for_themself_by_the_online_rules(call, clinic_for_api):
    """Does a client's booking go to their own record, refusing one off the slot grid?"""
    ids = clinic_for_api.ids
    body = {"worker": ids.doctor, "date": ids.week_ahead, "start_time": "12:00"}
    made = call("POST", "/api/v1/appointments/", as_="client", json=body)
    assert made.status_code == 201
    assert made.get_json()["client"] == ids.own_client
    off_grid = call(
        "POST", "/api/v1/appointments/", as_="client", json={**body, "start_time": "12:10"}
    )
    assert off_grid.status_code == 400


def test_a_client_books_only_for_their_own_record(call, clinic_for_api):
    """Is a client's booking for another client's record a 400 on `client`, as if unknown?"""
    ids = clinic_for_api.ids
    response = call(
        "POST",
        "/api/v1/appointments/",
        as_="client",
        json={
            "worker": ids.doctor,
            "date": ids.week_ahead,
            "start_time": "12:00",
            "client": ids.other_client,
        },
    )
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"client": [f"There is no client {ids.other_client}."]}


def test_a_client_changes_their_note_but_not_the_type(call, clinic_for_api):
    """May a client PATCH the note of their appointment (200) but not its type (403)?"""
    path = f"/api/v1/appointments/{clinic_for_api.ids.appointment}/"
    assert call("PATCH", path, as_="client", json={"notes": "Late"}).status_code == 200
    assert call("PATCH", path, as_="client", json={"type": "Surgery"}).status_code == 403


def test_a_client_lists_only_their_own(call, clinic_for_api):
    """Do clients see only their own record and appointments?"""
    assert [c["pk"] for c in call("GET", "/api/v1/clients/", as_="client").get_json()] == [
        clinic_for_api.ids.own_client
    ]
    assert call("GET", "/api/v1/appointments/", as_="other").get_json() == []
