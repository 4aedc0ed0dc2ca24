"""Setting the clinic up through the API: the refusals of specialists, locations and staff."""

from __future__ import annotations

from datetime import date

import pytest
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


@pytest.mark.parametrize(
    ("role", "seen"),
    [(None, False), ("client", False), ("manager", False), ("admin", True)],
)
def test_a_retired_worker_is_seen_alike_as_an_item_in_the_list_and_through_slots(
    call, clinic_for_api, role, seen
):
    """Is a switched-off worker seen by admins only, and alike everywhere: as the item, in
    the list and through their slots (one reader decides, for both doors)?"""
    ids = clinic_for_api.ids
    call("PATCH", f"/api/v1/workers/{ids.spare_doctor}/", as_="admin", json={"active": False})
    item = call("GET", f"/api/v1/workers/{ids.spare_doctor}/", as_=role).status_code
    slots = call("GET", f"/api/v1/workers/{ids.spare_doctor}/slots/", as_=role).status_code
    listed = ids.spare_doctor in [
        worker["pk"] for worker in call("GET", "/api/v1/workers/", as_=role).get_json()
    ]
    assert (item, slots, listed) == ((200, 200, True) if seen else (404, 404, False))
