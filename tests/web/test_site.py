"""Does the site answer: the health check and the home page's specialist list?"""

from __future__ import annotations

from sqlalchemy import text

from clinic import config, create_app
from clinic.extensions import db
from clinic.models import Location, Specialist


def test_healthz_answers_after_querying_the_database(client):
    """Does /healthz say ok, having asked the database? (That it asks is shown by
    tests/security/test_health.py: a database refusing writes makes it answer 503.)"""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_healthz_says_unavailable_when_the_database_cannot_answer(tmp_path):
    """Does /healthz answer 503, not 200, when the database cannot be opened?"""
    unopenable = tmp_path / "a-folder-not-a-database"
    unopenable.mkdir()
    app = create_app(config.testing(f"sqlite:///{unopenable}"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable"}


def test_the_home_page_lists_active_specialists_only(client, make):
    """Does the home page show active specialists with specialty and room, and hide others?"""
    room = make(Location, name="Room 7")
    make(
        Specialist,
        first_name="Iryna",
        last_name="Bondarenko",
        specialty="Cardiologist",
        default_location=room,
    )
    make(Specialist, first_name="Gone", last_name="Away", active=False)
    page = client.get("/").get_data(as_text=True)
    assert "Iryna Bondarenko" in page
    assert "Cardiologist" in page and "Room 7" in page
    assert "Gone Away" not in page


def test_the_home_page_costs_the_same_queries_for_5_and_50_specialists(client, make, count_queries):
    """Is the home page's query count independent of how many specialists there are?"""

    def queries_with(total: int) -> int:
        while db.session.scalar(text("SELECT count(*) FROM specialists")) < total:
            make(Specialist, default_location=make(Location))
        with count_queries() as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    assert queries_with(5) == queries_with(50)
