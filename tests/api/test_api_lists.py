"""Do the API's lists keep the contract — filters, pagination only when asked, ranges of slots —
answer errors as JSON, and cost the same queries whatever the data size?"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from helpers import booking_body, count
from sqlalchemy import func, insert, select

from clinic.extensions import db
from clinic.models import Appointment, Client, Location, Shift, Specialist

# --- filters and pagination -------------------------------------------------------------------


def test_appointment_filters(call, clinic_for_api):
    """Do ?date, ?from/?to, ?worker, ?client, ?location and ?updated_since narrow the list?"""
    ids = clinic_for_api.ids
    second = call("POST", "/api/v1/appointments/", as_="manager", json=booking_body(ids)).get_json()
    day = date.fromisoformat(ids.week_ahead)

    def listed(query: str) -> list[int]:
        return [
            a["pk"] for a in call("GET", "/api/v1/appointments/?" + query, as_="manager").get_json()
        ]

    both = [ids.appointment, second["pk"]]
    assert listed(f"date={day}") == both
    assert listed(f"date={day + timedelta(days=1)}") == []
    assert listed(f"from={day}&to={day}") == both
    assert listed(f"to={day - timedelta(days=1)}") == []
    assert listed(f"client={ids.other_client}") == [second["pk"]]
    assert listed(f"worker={ids.doctor}&location={ids.room}") == both
    assert listed("updated_since=2000-01-01T00:00:00Z") == both
    assert listed("updated_since=2999-01-01T00:00:00%2B02:00") == []


def test_pagination_only_when_asked(call, clinic_for_api, make):
    """Is the list plain without ?page=, and a page with X-Pagination when asked?"""
    for _ in range(5):
        make(Client)
    plain = call("GET", "/api/v1/clients/", as_="manager")
    assert "X-Pagination" not in plain.headers and len(plain.get_json()) == 8
    paged = call("GET", "/api/v1/clients/?page=2&page_size=3", as_="manager")
    assert len(paged.get_json()) == 3
    assert json.loads(paged.headers["X-Pagination"]) == {
        "total": 8,
        "total_pages": 3,
        "first_page": 1,
        "last_page": 3,
        "page": 2,
        "previous_page": 1,
        "next_page": 3,
    }


def test_slots_of_a_range(call, clinic_for_api):
    """Does /workers/{id}/slots/ give each day's free times, and refuse more than 62 days?"""
    ids = clinic_for_api.ids
    day = date.fromisoformat(ids.week_ahead)
    days = call(
        "GET", f"/api/v1/workers/{ids.doctor}/slots/?from={day}&to={day + timedelta(days=1)}"
    ).get_json()
    assert list(days) == [str(day), str(day + timedelta(days=1))]
    assert "10:00" not in days[str(day)] and "10:00" in days[str(day + timedelta(days=1))]
    too_long = call(
        "GET", f"/api/v1/workers/{ids.doctor}/slots/?from={day}&to={day + timedelta(days=62)}"
    )
    assert too_long.status_code == 400


# --- errors -----------------------------------------------------------------------------------


def test_unknown_api_urls_are_json_and_pages_are_html(client):
    """Is a 404 under /api/ JSON, and elsewhere a page?"""
    api = client.get("/api/v1/nothing-here/")
    assert api.status_code == 404 and api.get_json()["code"] == 404
    page = client.get("/nothing-here")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_a_wrong_method_is_405_with_allow(call):
    """Does a wrong method answer 405 in the error shape with the Allow header?"""
    response = call("DELETE", "/api/v1/workers/", as_="admin")
    assert response.status_code == 405
    assert response.get_json()["code"] == 405
    assert {"GET", "POST"} <= set(response.headers["Allow"].replace(" ", "").split(","))


def test_an_unknown_item_is_404(call):
    """Is an unknown id in the URL a 404 in the error shape?"""
    for path in ("/api/v1/workers/999/", "/api/v1/appointments/999/", "/api/v1/clients/999/"):
        response = call("GET", path, as_="admin")
        assert response.status_code == 404 and response.get_json()["message"]


def test_a_server_error_is_500_json_under_the_api(app, call, monkeypatch):
    """Does an unexpected failure answer 500 in the error shape, not a page?"""
    from clinic.api import workers

    monkeypatch.setattr(workers, "with_slots", lambda *a: 1 / 0)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = call("GET", "/api/v1/workers/")
    assert response.status_code == 500
    assert response.get_json()["code"] == 500


def test_the_docs_are_served_offline(client):
    """Is the spec OpenAPI 3 with bearer security and public operations, and is the docs page
    served with its assets from the app?"""
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["paths"]["/api/v1/workers/"]["get"]["security"] == []
    for login in ("/api/v1/login/", "/api/v1/workers/login/", "/api/v1/auth/login/"):
        assert list(spec["paths"][login]) == ["post"], "documented as the POST it is"
        assert spec["paths"][login]["post"]["security"] == []
    assert "security" not in spec["paths"]["/api/v1/appointments/"]["get"]
    item = spec["paths"]["/api/v1/appointments/{pk}/"]
    for method in ("get", "put", "patch", "delete"):
        assert {"401", "404"} <= set(item[method]["responses"])
    page = client.get("/api/v1/docs/").get_data(as_text=True)
    assert "http" not in page.split("<body>")[1].replace("http-equiv", "")
    for asset in (
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
        "/static/js/api-docs.js",
    ):
        assert asset in page
        assert client.get(asset).status_code == 200
    assert "<script>" not in page, "no inline script"


# --- bounded queries --------------------------------------------------------------------------


def test_listing_workers_costs_the_same_for_5_and_50(call, clinic_for_api, make, count_queries):
    """Is GET /workers/?date= a fixed number of queries, whatever the number of workers?"""
    day = clinic_for_api.ids.week_ahead
    shifts = [make(Shift, weekday=d, start_time=time(9), end_time=time(17)) for d in range(7)]

    def queries_with(total: int) -> int:
        while db.session.scalar(select(func.count()).select_from(Specialist)) < total:
            make(Specialist, default_location=make(Location, shifts=shifts), shifts=shifts)
        with count_queries() as queries:
            assert len(call("GET", f"/api/v1/workers/?date={day}").get_json()) == total
        return len(queries)

    # specialists, shifts, default rooms, their shifts, all rooms and their shifts (one
    # specialist has no default), settings, time off, appointments
    assert queries_with(5) == queries_with(50) <= 9


def test_listing_a_days_appointments_costs_the_same_for_10_and_1000(
    call, clinic_for_api, make, count_queries
):
    """Is GET /appointments/?date= a fixed number of queries, whatever the bookings?"""
    ids = clinic_for_api.ids
    day = date.fromisoformat(ids.week_ahead)
    clients = [make(Client).id for _ in range(50)]

    free_minutes = [m for m in range(24 * 60) if not 600 <= m < 630]  # 10:00-10:30 is taken

    def queries_with(total: int) -> int:
        midnight = datetime.combine(day, time(0))
        rows = [
            {
                "specialist_id": ids.doctor,
                "client_id": clients[n % 50],
                "location_id": ids.room,
                "type": "",
                "starts_at": midnight + timedelta(minutes=free_minutes[n]),
                "ends_at": midnight + timedelta(minutes=free_minutes[n] + 1),
            }
            for n in range(count(Appointment) - 1, total - 1)
        ]
        if rows:
            db.session.execute(insert(Appointment), rows)
            db.session.commit()
        with count_queries() as queries:
            listed = call("GET", f"/api/v1/appointments/?date={day}", as_="manager").get_json()
        assert len(listed) == total
        return len(queries)

    assert queries_with(10) == queries_with(1000)
