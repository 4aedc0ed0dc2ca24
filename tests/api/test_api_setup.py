"""Setting the clinic up through the API: the refusals of specialists, locations and staff."""

from __future__ import annotations

from datetime import date

from flask_jwt_extended import create_refresh_token

from clinic.extensions import db
from clinic.models import Location, User


def test_a_default_location_must_exist_and_be_in_use(call, clinic_for_api):
    """Is a worker's default location that does not exist, or is out of use, a 400?"""
    ids = clinic_for_api.ids
    path = f"/api/v1/workers/{ids.doctor}/"
    missing = call("PATCH", path, as_="admin", json={"default_location": 999})
    assert missing.status_code == 400 and "default_location" in missing.get_json()["errors"]
    db.session.get(Location, ids.spare_room).active = False
    db.session.commit()
    unused = call("PATCH", path, as_="admin", json={"default_location": ids.spare_room})
    assert unused.status_code == 400
    assert (
        call("PATCH", path, as_="admin", json={"default_location": None}).get_json()[
            "default_location"
        ]
        is None
    )


def test_location_names_are_unique(call, clinic_for_api):
    """Is a second location called like the first (in any case) a 400?"""
    response = call("POST", "/api/v1/locations/", as_="admin", json={"name": "room 1"})
    assert response.status_code == 400
    assert "already a location" in response.get_json()["errors"]["name"][0]


def test_a_shift_change_that_strands_appointments_lists_them(call, clinic_for_api):
    """Is shortening the worked shift a 409 listing the appointment left outside?"""
    ids = clinic_for_api.ids
    weekday = date.fromisoformat(ids.week_ahead).strftime("%A")
    worker = call("GET", f"/api/v1/workers/{ids.doctor}/").get_json()
    shift = next(s for s in worker["work_schedule"] if s["weekday"] == weekday)
    response = call(
        "PATCH", f"/api/v1/work_schedules/{shift['pk']}/", as_="admin", json={"to_hour": "09:30"}
    )
    assert response.status_code == 409
    assert [a["pk"] for a in response.get_json()["conflict"]["appointments"]] == [ids.appointment]


def test_manager_passwords_are_given_twice_and_checked(call, clinic_for_api, client):
    """Is a manager's new password refused when the two differ, and usable when they match?"""
    path = f"/api/v1/managers/{clinic_for_api.ids.manager}/"
    mismatch = call(
        "PATCH",
        path,
        as_="admin",
        json={"password": "long enough", "repeat_password": "other thing"},
    )
    assert mismatch.status_code == 400
    assert "repeat_password" in mismatch.get_json()["errors"]
    call(
        "PATCH",
        path,
        as_="admin",
        json={"password": "long enough", "repeat_password": "long enough"},
    )
    login = client.post("/api/v1/login/", json={"username": "manager", "password": "long enough"})
    assert login.status_code == 200


def test_admin_accounts_are_not_managers(call, clinic_for_api):
    """Is an admin's account out of reach of the managers endpoints (404)?"""
    own = call("DELETE", f"/api/v1/managers/{clinic_for_api.users['admin'].id}/", as_="admin")
    assert own.status_code == 404


def test_a_deactivated_manager_is_200_with_active_false(call, clinic_for_api):
    """Is deleting a manager whose work refers to them a deactivation (200, active false)?"""
    ids = clinic_for_api.ids
    call("PATCH", f"/api/v1/appointments/{ids.appointment}/", as_="manager", json={"notes": "seen"})
    response = call("DELETE", f"/api/v1/managers/{ids.manager}/", as_="admin")
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert db.session.get(User, ids.manager).active is False


def test_a_refresh_token_of_a_switched_off_account_is_refused(client, clinic_for_api):
    """Does a refresh token stop working once the account is switched off?"""
    user = clinic_for_api.users["manager"]
    refresh = create_refresh_token(identity=user)
    user.active = False
    db.session.commit()
    response = client.post("/api/v1/auth/refresh/", json={"refresh": refresh})
    assert response.status_code == 401


def test_the_slots_of_a_retired_worker_are_not_public(call, clinic_for_api):
    """Are an inactive worker's slots 404 to the public but readable by staff?"""
    ids = clinic_for_api.ids
    call("PATCH", f"/api/v1/workers/{ids.spare_doctor}/", as_="admin", json={"active": False})
    assert call("GET", f"/api/v1/workers/{ids.spare_doctor}/slots/").status_code == 404
    assert (
        call("GET", f"/api/v1/workers/{ids.spare_doctor}/slots/", as_="manager").status_code == 200
    )
