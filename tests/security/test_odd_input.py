"""Input that used to end in a 500: huge ids, dates at the calendar's ends, lone surrogates,
deep JSON, renames onto taken names, and logging out one token twice. Each is a 4xx in the
usual shape, and nothing is written."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from flask_jwt_extended import create_refresh_token
from helpers import rows_everywhere

from clinic.extensions import db
from clinic.kernel.errors import Invalid
from clinic.kernel.values import parse_id
from clinic.models import Location, RevokedToken, User
from clinic.scheduling import free_slots

SHAPE = {"code", "status", "message", "errors"}


@pytest.fixture
def writes_nothing(app):
    """Hold the test to writing nothing: every table's rows and the data version are as they
    were once it ends (list it after the fixtures that make the clinic)."""
    before = rows_everywhere()
    yield
    assert rows_everywhere() == before


def refused(response, code: int) -> dict:
    """The API's error body, after checking its status and shape."""
    assert response.status_code == code, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) >= SHAPE
    return body


@pytest.mark.parametrize("pk", ["99999999999999999999", str(2**63), str(2**31)])
@pytest.mark.parametrize("path", ["workers", "locations", "work_schedules", "clients"])
def test_an_id_beyond_64_bits_is_not_found(call, writes_nothing, path, pk):
    """An id too big for any database column in an item URL answers 404, not an overflow."""
    refused(call("GET", f"/api/v1/{path}/{pk}/", as_="admin"), 404)


def test_changing_an_appointment_with_a_huge_id_is_not_found(call, writes_nothing):
    """A PATCH of appointment 10**20 answers 404 and writes nothing."""
    response = call("PATCH", "/api/v1/appointments/100000000000000000000/", as_="manager", json={})
    refused(response, 404)


@pytest.mark.parametrize(
    ("path", "as_"),
    [
        ("/api/v1/workers/?date=9999-12-31", None),
        ("/api/v1/workers/?date=0001-01-01", None),
        ("/api/v1/workers/{doctor}/?date=9999-12-31", None),
        ("/api/v1/workers/{doctor}/slots/?from=9999-12-30", None),
        ("/api/v1/workers/{doctor}/slots/?from=0001-01-01&to=0001-01-02", None),
        ("/api/v1/appointments/?date=9999-12-31", "manager"),
        ("/api/v1/appointments/?from=0001-01-01&to=9999-12-31", "manager"),
        ("/api/v1/appointments/?updated_since=9999-12-31T23:59:59-12:00", "manager"),
        ("/api/v1/appointments/?updated_since=0001-01-01T00:00:00%2B01:00", "manager"),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_refused(
    call, clinic_for_api, writes_nothing, path, as_
):
    """A ?date= at year 1 or 9999 (whose neighbour days overflow) answers 400."""
    refused(call("GET", path.format(doctor=clinic_for_api.ids.doctor), as_=as_), 400)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_booking_at_the_ends_of_the_calendar_is_refused(call, clinic_for_api, writes_nothing, day):
    """A booking on 9999-12-31 answers 400 and writes nothing."""
    body = {
        "worker": clinic_for_api.ids.doctor,
        "client": clinic_for_api.ids.spare_client,
        "date": day,
        "start_time": "10:00",
    }
    refused(call("POST", "/api/v1/appointments/", as_="manager", json=body), 400)
    move = {"date": day, "start_time": "10:00"}
    path = f"/api/v1/appointments/{clinic_for_api.ids.appointment}/"
    refused(call("PATCH", path, as_="manager", json=move), 400)


def test_the_desk_day_at_the_ends_of_the_calendar_shows_today(signed_in):
    """The desk page with ?date=9999-12-31 (next day overflows) shows a day, not a 500."""
    desk = signed_in("manager")
    for day in ("9999-12-31", "0001-01-01"):
        assert desk.get(f"/desk/?date={day}").status_code == 200


def test_the_booking_rules_refuse_the_ends_of_the_calendar(app, monday):
    """The domain itself refuses a day whose neighbours do not exist."""
    with pytest.raises(Invalid):
        free_slots(db.session, monday.doctor.id, date(9999, 12, 31))


@pytest.mark.parametrize("path", ["/api/v1/clients/", "/api/v1/login/"])
def test_a_lone_surrogate_in_json_is_refused(call, writes_nothing, path):
    """A JSON string holding "\\ud800" (no database stores it) answers 400, not a 500."""
    body = '{"first_name": "\\ud800", "last_name": "X", "username": "\\udfff", "password": "p"}'
    response = call("POST", path, as_="manager", data=body, content_type="application/json")
    refused(response, 400)


@pytest.mark.parametrize("path", ["/api/v1/clients/", "/api/v1/login/", "/api/v1/workers/1/"])
def test_deeply_nested_json_is_refused(call, writes_nothing, path):
    """A body of 100,000 nested lists (RecursionError when parsed) answers 400, nothing
    written."""
    body = "[" * 100_000 + "]" * 100_000
    method = "PATCH" if "workers" in path else "POST"
    response = call(method, path, as_="admin", data=body, content_type="application/json")
    refused(response, 400)


def test_renaming_a_location_onto_a_taken_name_is_refused(call, clinic_for_api, writes_nothing):
    """Renaming a room to an existing room's name answers 4xx and changes nothing."""
    spare = clinic_for_api.ids.spare_room
    response = call("PATCH", f"/api/v1/locations/{spare}/", as_="admin", json={"name": "Room 1"})
    assert refused(response, 400)["errors"]
    db.session.expire_all()
    assert db.session.get(Location, spare).name != "Room 1"


@pytest.mark.parametrize("field", ["username", "email"])
def test_renaming_a_manager_onto_a_taken_name_is_refused(
    call, clinic_for_api, writes_nothing, field
):
    """Renaming a manager to another user's username or email answers 4xx, nothing written."""
    idle = clinic_for_api.ids.idle_manager
    taken = {"username": "admin", "email": clinic_for_api.users["admin"].email}[field]
    response = call("PATCH", f"/api/v1/managers/{idle}/", as_="admin", json={field: taken})
    assert refused(response, 400)["errors"]
    db.session.expire_all()
    assert getattr(db.session.get(User, idle), field) != taken


def test_logging_out_the_same_token_twice_in_one_request(call, clinic_for_api):
    """A refresh token sent both as Bearer and in the body is revoked once (200, not a 500)."""
    refresh = create_refresh_token(identity=clinic_for_api.users["client"])
    response = call(
        "POST",
        "/api/v1/auth/logout/",
        headers={"Authorization": f"Bearer {refresh}"},
        json={"refresh": refresh},
    )
    assert response.status_code == 200
    assert db.session.query(RevokedToken).count() == 1


def test_logging_out_a_token_again_says_it_is_revoked(call):
    """Logging out an already revoked token answers 401 (revoked), not a 500."""
    assert call("POST", "/api/v1/auth/logout/", as_="client").status_code == 200
    refused(call("POST", "/api/v1/auth/logout/", as_="client"), 401)
    assert db.session.query(RevokedToken).count() == 1


def test_logging_out_one_token_twice_at_once(app, clinic_for_api):
    """Two logouts of one token at the same moment both end well (200 or 401), no 500."""
    token = clinic_for_api.tokens["client"]
    start, codes = threading.Barrier(2), []

    def log_out() -> None:
        browser = app.test_client()
        start.wait()
        response = browser.post(
            "/api/v1/auth/logout/", headers={"Authorization": f"Bearer {token}"}
        )
        codes.append(response.status_code)

    threads = [threading.Thread(target=log_out) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) in ([200, 200], [200, 401])
    db.session.rollback()
    assert db.session.query(RevokedToken).count() == 1


@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "\uff11"])
def test_an_id_in_other_digits_is_not_an_id(app, value):
    """Is an id written with digits that are not ASCII (a superscript two, an Arabic-Indic
    three, a fullwidth one) refused as no id, never a crash?"""
    with pytest.raises(Invalid, match="is not an id"):
        parse_id(value, "id")
