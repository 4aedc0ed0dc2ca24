"""Who may call what? Every operation of the API against every kind of caller."""

from __future__ import annotations

from contextlib import nullcontext

import pytest
from helpers import at_the_visit

ROLES = ("anonymous", "client", "other", "manager", "admin")


def booking(ids):
    return {
        "worker": ids.doctor,
        "client": ids.own_client,
        "date": ids.week_ahead,
        "start_time": "11:00",
    }


# operation, method, path, body (from the ids), statuses for ROLES
MATRIX = [
    ("list workers", "GET", "/workers/", None, (200, 200, 200, 200, 200)),
    ("read worker", "GET", "/workers/{doctor}/", None, (200, 200, 200, 200, 200)),
    ("read slots", "GET", "/workers/{doctor}/slots/", None, (200, 200, 200, 200, 200)),
    (
        "add worker",
        "POST",
        "/workers/",
        lambda ids: {"first_name": "A", "last_name": "B"},
        (401, 403, 403, 403, 201),
    ),
    (
        "change worker",
        "PATCH",
        "/workers/{doctor}/",
        lambda ids: {"phone": "1"},
        (401, 403, 403, 403, 200),
    ),
    (
        "replace worker",
        "PUT",
        "/workers/{doctor}/",
        lambda ids: {"first_name": "A", "last_name": "B"},
        (401, 403, 403, 403, 200),
    ),
    ("delete worker", "DELETE", "/workers/{spare_doctor}/", None, (401, 403, 403, 403, 204)),
    ("list locations", "GET", "/locations/", None, (200, 200, 200, 200, 200)),
    ("read location", "GET", "/locations/{room}/", None, (200, 200, 200, 200, 200)),
    (
        "add location",
        "POST",
        "/locations/",
        lambda ids: {"name": "Room 9"},
        (401, 403, 403, 403, 201),
    ),
    (
        "change location",
        "PATCH",
        "/locations/{room}/",
        lambda ids: {"address": "Up"},
        (401, 403, 403, 403, 200),
    ),
    ("delete location", "DELETE", "/locations/{spare_room}/", None, (401, 403, 403, 403, 204)),
    ("list shifts", "GET", "/work_schedules/", None, (200, 200, 200, 200, 200)),
    ("read shift", "GET", "/work_schedules/{shift}/", None, (200, 200, 200, 200, 200)),
    (
        "add shift",
        "POST",
        "/work_schedules/",
        lambda ids: {"weekday": "Sunday", "from_hour": "07:00", "to_hour": "08:00"},
        (401, 403, 403, 403, 201),
    ),
    (
        "change shift",
        "PATCH",
        "/work_schedules/{spare_shift}/",
        lambda ids: {"to_hour": "07:30"},
        (401, 403, 403, 403, 200),
    ),
    ("delete shift", "DELETE", "/work_schedules/{spare_shift}/", None, (401, 403, 403, 403, 204)),
    ("list clients", "GET", "/clients/", None, (401, 200, 200, 200, 200)),
    ("read client", "GET", "/clients/{own_client}/", None, (401, 200, 404, 200, 200)),
    (
        "add client",
        "POST",
        "/clients/",
        lambda ids: {"first_name": "N", "last_name": "M"},
        (401, 403, 403, 201, 201),
    ),
    (
        "change client",
        "PATCH",
        "/clients/{own_client}/",
        lambda ids: {"phone": "2"},
        (401, 200, 404, 200, 200),
    ),
    (
        "replace client",
        "PUT",
        "/clients/{own_client}/",
        lambda ids: {"first_name": "N", "last_name": "M"},
        (401, 200, 404, 200, 200),
    ),
    ("delete client", "DELETE", "/clients/{spare_client}/", None, (401, 403, 403, 403, 204)),
    ("list appointments", "GET", "/appointments/", None, (401, 200, 200, 200, 200)),
    ("read appointment", "GET", "/appointments/{appointment}/", None, (401, 200, 404, 200, 200)),
    ("book", "POST", "/appointments/", booking, (401, 201, 400, 201, 201)),
    (
        "edit notes",
        "PATCH",
        "/appointments/{appointment}/",
        lambda ids: {"notes": "Allergy"},
        (401, 200, 404, 200, 200),
    ),
    (
        "check in",
        "PATCH",
        "/appointments/{appointment}/",
        lambda ids: {"status": "arrived"},
        (401, 403, 404, 200, 200),
    ),
    ("move", "PUT", "/appointments/{appointment}/", booking, (401, 200, 404, 200, 200)),
    ("cancel", "DELETE", "/appointments/{appointment}/", None, (401, 204, 404, 204, 204)),
    ("list managers", "GET", "/managers/", None, (401, 403, 403, 403, 200)),
    ("read manager", "GET", "/managers/{manager}/", None, (401, 403, 403, 403, 200)),
    (
        "add manager",
        "POST",
        "/managers/",
        lambda ids: {
            "username": "desk2",
            "password": "long enough",
            "repeat_password": "long enough",
        },
        (401, 403, 403, 403, 201),
    ),
    (
        "change manager",
        "PATCH",
        "/managers/{manager}/",
        lambda ids: {"first_name": "Desk"},
        (401, 403, 403, 403, 200),
    ),
    ("delete manager", "DELETE", "/managers/{idle_manager}/", None, (401, 403, 403, 403, 204)),
    ("who am I", "GET", "/me/", None, (401, 200, 200, 200, 200)),
    ("sign out", "POST", "/auth/logout/", None, (401, 200, 200, 200, 200)),
]

ON_THE_DAY = {"check in"}
"""Operations called on the appointment's day (a patient is checked in on the day only)."""

CASES = [
    pytest.param(name, method, path, body, role, expected, id=f"{name} as {role}")
    for name, method, path, body, statuses in MATRIX
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("name", "method", "path", "body", "role", "expected"), CASES)
def test_who_may_call_what(call, clinic_for_api, name, method, path, body, role, expected):
    """Does each operation answer each kind of caller as the design says?"""
    ids = clinic_for_api.ids
    with at_the_visit(clinic_for_api) if name in ON_THE_DAY else nullcontext():
        response = call(
            method,
            "/api/v1" + path.format(**vars(ids)),
            as_=None if role == "anonymous" else role,
            json=body(ids) if body else None,
        )
    assert response.status_code == expected, response.get_json()
    if expected >= 400:
        assert set(response.get_json()) >= {"code", "status", "message", "errors"}
