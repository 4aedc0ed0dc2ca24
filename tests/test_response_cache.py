"""The response cache (clinic/http/caching.py) and the data version it keys on: visitors' reads are
answered from memory until the clinic's data changes or the minute turns, and nothing stale or
someone's own is ever served from it."""

from __future__ import annotations

import json
import os
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from helpers import PASSWORD, gunicorn
from sqlalchemy import select

from clinic import setup
from clinic.extensions import db
from clinic.kernel.database import read_data_version, writing
from clinic.kernel.errors import Invalid
from clinic.models import ClinicSettings, DataVersion, Specialist

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
"""The throwaway Redis .ci/run starts, in the rate limiter's spelling (redis+unix://...)."""


def version() -> int:
    db.session.rollback()
    return db.session.scalar(select(DataVersion.version))


def workers(client, day: str) -> dict[int, list[str]]:
    """The anonymous workers list: each specialist's free times on `day`."""
    answer = client.get(f"/api/v1/workers/?date={day}")
    assert answer.status_code == 200
    return {worker["pk"]: worker["available_slots"] for worker in answer.get_json()}


# --- the data version ---------------------------------------------------------------------


def test_each_committed_change_moves_the_data_version_on_once(app, clinic_for_api):
    """Does a unit of work with a change add exactly one, and a refused one nothing?"""
    before = version()
    setup.save_settings(db.session, {"name": "Riverside Clinic"})
    assert version() == before + 1
    with pytest.raises(Invalid):
        setup.save_settings(db.session, {"name": "Riverside", "max_days_ahead": "-1"})
    assert version() == before + 1
    assert ClinicSettings.get().name == "Riverside Clinic"


def test_a_commit_outside_a_unit_of_work_moves_it_on_too(app, clinic_for_api):
    """Is a change committed by anything else (a command, a script) counted all the same?"""
    before = version()
    db.session.get(Specialist, clinic_for_api.ids.doctor).about = "Knees and shoulders."
    db.session.commit()
    assert version() == before + 1


def test_a_unit_that_is_rolled_back_leaves_the_version_be(app, clinic_for_api):
    """Does a change that never commits leave no trace in the version?"""
    before = version()
    with pytest.raises(RuntimeError), writing(db.session):
        db.session.get(Specialist, clinic_for_api.ids.doctor).about = "Never saved."
        raise RuntimeError("refused")
    assert version() == before
    assert db.session.get(Specialist, clinic_for_api.ids.doctor).about != "Never saved."


def test_a_savepoint_rolled_back_keeps_what_the_transaction_changed_before_it(app, clinic_for_api):
    """Does a refusal caught inside a transaction (its savepoint rolled back) leave the earlier
    change counted, so that the commit still moves the version on?"""
    before = version()
    db.session.get(Specialist, clinic_for_api.ids.doctor).about = "Counted."
    db.session.flush()
    savepoint = db.session.begin_nested()
    db.session.get(Specialist, clinic_for_api.ids.doctor).about = "Undone."
    savepoint.rollback()
    db.session.commit()
    assert version() == before + 1


def test_signing_in_is_not_a_change_of_the_clinics_data(client, clinic_for_api):
    """Is a sign-in (bookkeeping no visitor sees) left out of the version?"""
    before = version()
    response = client.post("/login", data={"username": "manager", "password": PASSWORD})
    assert response.status_code == 302
    assert version() == before


# --- what is cached ------------------------------------------------------------------------


@pytest.fixture
def one_minute():
    """The clock stopped early in the current minute: a read answered from the cache in these
    tests must not turn into a fresh one because the minute turned between two requests."""
    with time_machine.travel(datetime.now(UTC).replace(second=1, microsecond=0), tick=False):
        yield


def test_a_visitors_second_read_is_answered_from_the_cache_alike(
    client, clinic_for_api, count_queries, one_minute
):
    """Is the same anonymous read answered from the cache: the same answer, nothing read
    through the ORM (only the data version, on a raw connection of its own)?"""
    for path in ("/", f"/specialists/{clinic_for_api.ids.doctor}", "/api/v1/workers/"):
        first = client.get(path)
        kept_under = read_data_version(db.engine)
        with count_queries() as queries:
            second = client.get(path)
        assert read_data_version(db.engine) == kept_under, "a read changed nothing"
        assert (second.status_code, second.data) == (200, first.data), path
        assert queries == [], path
        assert "Set-Cookie" not in second.headers


def test_a_change_is_seen_by_the_very_next_read(client, call, clinic_for_api):
    """Is a booking through the API gone from the visitors' free times at once?"""
    ids = clinic_for_api.ids
    assert "11:00" in workers(client, ids.week_ahead)[ids.doctor]
    booked = call(
        "POST",
        "/api/v1/appointments/",
        as_="manager",
        json={
            "worker": ids.doctor,
            "client": ids.other_client,
            "date": ids.week_ahead,
            "start_time": "11:00",
        },
    )
    assert booked.status_code == 201
    assert "11:00" not in workers(client, ids.week_ahead)[ids.doctor]


def test_a_setting_changed_on_the_admin_page_shows_at_once(client, signed_in, clinic_for_api):
    """Does the directory show the clinic's new name on the next visitor's read?"""
    assert "Riverside Clinic" not in client.get("/").get_data(as_text=True)
    admin = signed_in("admin")
    fields = {
        "name": "Riverside Clinic",
        "address": "",
        "phone": "",
        "self_booking": "y",
        "min_notice_minutes": "60",
        "max_days_ahead": "60",
        "cancellation_window_hours": "24",
        "default_slot_minutes": "30",
        "max_client_bookings": "5",
    }
    assert admin.post("/admin/settings", data=fields).status_code == 302
    assert "Riverside Clinic" in client.get("/").get_data(as_text=True)


def test_the_next_minute_is_read_afresh(client, clinic_for_api, count_queries):
    """Are free times worked out again once the clinic's minute turns ("now" moved)?"""
    moment = datetime.now(UTC).replace(second=10)
    with time_machine.travel(moment, tick=False) as clock:
        client.get("/api/v1/workers/")
        clock.move_to(moment + timedelta(seconds=30))
        with count_queries() as same_minute:
            client.get("/api/v1/workers/")
        clock.move_to(moment + timedelta(minutes=1))
        with count_queries() as next_minute:
            client.get("/api/v1/workers/")
    assert len(same_minute) == 0 < len(next_minute)


@pytest.mark.parametrize("credentials", ["token", "session"])
def test_someones_request_is_never_answered_from_the_cache(
    client, signed_in, clinic_for_api, count_queries, credentials
):
    """Is a read with a token or a signed-in browser always worked out for them, never
    served from the visitors' cache?"""
    path = "/api/v1/workers/" if credentials == "token" else "/"
    visitors = client.get(path).get_data(as_text=True)  # kept for visitors from now on
    if credentials == "token":
        someone = client
        headers = {"Authorization": f"Bearer {clinic_for_api.tokens['manager']}"}
    else:
        someone = signed_in("client")
        headers = {}
    for _ in range(2):
        with count_queries() as queries:
            answer = someone.get(path, headers=headers)
        assert answer.status_code == 200 and queries
        assert answer.headers["Cache-Control"] == "no-store"
    if credentials == "session":
        assert "My appointments" not in visitors
        assert "My appointments" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "query", ["?date=2027-01-04&junk=1", "?date=2027-01-04&date=2027-01-05", "?utm_source=x"]
)
def test_made_up_or_repeated_parameters_are_worked_out_and_not_kept(
    client, clinic_for_api, count_queries, query
):
    """Can a visitor fill the cache with parameters the page does not read? (No: such a
    request is answered afresh every time.)"""
    path = f"/specialists/{clinic_for_api.ids.doctor}{query}"
    for _ in range(2):
        with count_queries() as queries:
            assert client.get(path).status_code == 200
        assert queries, query


def test_the_parameters_order_does_not_make_another_entry_and_another_host_none(
    client, clinic_for_api, count_queries, one_minute
):
    """Is the same question asked with its parameters reordered answered from the same entry,
    and one asked at another Host than BASE_URL's worked out afresh and kept for nobody?"""
    first = client.get("/?specialty=&location=")
    with count_queries() as queries:
        again = client.get("/?location=&specialty=")
    assert queries == [] and again.data == first.data
    for _ in range(2):
        with count_queries() as queries:
            elsewhere = client.get("/?location=&specialty=", headers={"Host": "evil.example"})
        assert elsewhere.status_code == 200 and queries
    with count_queries() as queries:
        assert client.get("/?specialty=&location=").data == first.data
    assert queries == []


def test_a_visitors_answer_tells_shared_caches_to_ask_again(client, clinic_for_api):
    """Would a proxy in front keep a visitor's page past a change, or hand it to a request
    with a token or a cookie? (It must ask again each time, and keep them apart.)"""
    for _ in range(2):  # worked out, then from the cache
        answer = client.get("/api/v1/workers/")
        assert answer.headers["Cache-Control"] == "no-cache"
        assert {"Cookie", "Authorization"} <= set(answer.vary)


def test_errors_are_not_kept(client, clinic_for_api, count_queries):
    """Is a 404 worked out again each time (nothing is kept but a plain 200)?"""
    for path in ("/specialists/999", "/api/v1/workers/999/"):
        assert client.get(path).status_code == 404
        with count_queries() as queries:
            assert client.get(path).status_code == 404
        assert queries, path


# --- several processes -----------------------------------------------------------------------


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_a_booking_through_one_process_is_seen_by_the_others(
    app, database_url, tmp_path, clinic_for_api, storage
):
    """Under gunicorn with two worker processes, each caching (in its own memory, or in a
    shared Redis), is a booking made through one seen on every later read from either?"""
    if storage == "redis" and not REDIS_URL:
        pytest.skip("needs Redis: set TEST_REDIS_URL (.ci/run starts one)")
    settings = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "JWT_SECRET_KEY": app.config["JWT_SECRET_KEY"],
        "INSTANCE_PATH": str(tmp_path),
        "CACHE_REDIS_URL": REDIS_URL.replace("redis+unix://", "unix://")
        if storage == "redis"
        else "",
    }
    ids = clinic_for_api.ids

    def free_at(base: str) -> list[str]:
        with urllib.request.urlopen(f"{base}/api/v1/workers/?date={ids.week_ahead}") as answer:
            return {w["pk"]: w["available_slots"] for w in json.load(answer)}[ids.doctor]

    with gunicorn(settings, workers=2) as base:
        for _ in range(6):  # new connections: both workers answer, and cache, some of these
            assert "11:00" in free_at(base)
        request = urllib.request.Request(
            f"{base}/api/v1/appointments/",
            data=json.dumps(
                {
                    "worker": ids.doctor,
                    "client": ids.other_client,
                    "date": ids.week_ahead,
                    "start_time": "11:00",
                }
            ).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {clinic_for_api.tokens['manager']}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request) as made:
            assert made.status == 201
        for _ in range(6):
            assert "11:00" not in free_at(base)
