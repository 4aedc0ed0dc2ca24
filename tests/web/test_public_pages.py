"""What do visitors see on the directory and a specialist's week — and never see?"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from helpers import MONDAY, NOW

from clinic.demo import BusyClinic
from clinic.extensions import db
from clinic.models import Client, ClinicSettings, Location, Specialist, TimeOff

WEEK = f"/specialists/{{}}?date={MONDAY.isoformat()}"


def at(clock: str, day=MONDAY) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock))


@pytest.fixture
def clinic_details(app):
    settings = ClinicSettings.get()
    settings.name, settings.address, settings.phone = "Riverside", "12 River St", "+380 44 555"
    db.session.commit()
    return settings


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_the_directory_shows_the_clinic_and_each_specialists_card(
    client, clock, monday, clinic_details
):
    """Does the home page give the clinic's name, address and phone, and a card with the
    specialty, room, about text and a next-free-time link into the right week?"""
    monday.doctor.specialty, monday.doctor.about = "Cardiology", "Twenty years of hearts."
    db.session.commit()
    html = page(client, "/")
    for text in (
        "Riverside",
        "12 River St",
        "+380 44 555",
        "Cardiology",
        "Room 1",
        "Twenty years of hearts.",
    ):
        assert text in html
    assert "Next free time:" in html
    assert f'href="/specialists/{monday.doctor.id}?date=2027-01-04">Monday 4 January, 09:00' in html


def test_the_directory_searches_and_filters_with_a_plain_get_form(client, clock, make):
    """Do the search box, the specialty and the location filters narrow the cards, and a
    search with no match say so?"""
    room = make(Location, name="Room Blue")
    make(
        Specialist,
        first_name="Iryna",
        last_name="Bondarenko",
        specialty="Cardiology",
        default_location=room,
    )
    make(Specialist, first_name="Taras", last_name="Melnyk", specialty="Dentistry")
    assert "Taras" not in page(client, "/?q=iryna")
    assert "Iryna" not in page(client, "/?specialty=Dentistry")
    by_room = page(client, f"/?location={room.id}")
    assert "Iryna" in by_room and "Taras" not in by_room
    assert "No specialist matches" in page(client, "/?q=nobody")


def test_bad_search_input_is_explained_and_ignored(client, clock, make):
    """Are an unknown specialty, a made-up location and control characters shown as errors
    (not a 500), with everyone still listed?"""
    make(Specialist, first_name="Iryna")
    html = page(client, "/?specialty=Astrology&location=abc&q=a%00b")
    for field in ("specialty", "location", "q"):
        assert f'id="{field}-error"' in html
    assert "Iryna" in html


@pytest.mark.parametrize("blank", ["%20", "%09", "+"])
def test_a_blank_location_means_any(client, clock, make, blank):
    """Is a location of only spaces or a tab taken as any location (not a 500)?"""
    make(Specialist, first_name="Iryna")
    assert "Iryna" in page(client, f"/?location={blank}")


def test_the_week_lists_free_times_and_says_why_other_days_have_none(client, clock, monday, make):
    """Does the week show Monday's free times as booking links, "Clinic closed" and "Not
    working" on other days — and never the reason staff wrote?"""
    make(
        TimeOff,
        starts_at=at("00:00", MONDAY + timedelta(7)),
        ends_at=at("00:00", MONDAY + timedelta(8)),
        reason="Boiler repair",
    )
    html = page(client, WEEK.format(monday.doctor.id))
    assert f"/me/book/{monday.doctor.id}?start=2027-01-04T09:00" in html
    assert html.count('class="slot"') == 6
    assert "Not working" in html
    next_week = page(client, f"/specialists/{monday.doctor.id}?date=2027-01-11")
    assert "Clinic closed" in next_week and "Boiler repair" not in next_week


def test_the_week_never_lists_a_past_booked_or_too_early_time(client, clock, monday, book):
    """At 10:10 on Monday with an hour's notice, and 11:30 taken, is nothing offered that day
    (the week points to the next free time instead)?"""
    book(monday.doctor, monday.patient, "11:30")
    clock.move_to(at("10:10").replace(tzinfo=UTC))
    html = page(client, WEEK.format(monday.doctor.id))
    assert 'class="slot"' not in html
    assert "No free times" in html
    assert "The next one is" in html and "Monday 11 January 2027 at 09:00" in html


def test_today_is_marked_and_the_weeks_link_to_each_other(client, clock, monday):
    """Is today marked, and do previous/next week and the date jump lead to other weeks?"""
    clock.move_to(at("08:00").replace(tzinfo=UTC))
    html = page(client, f"/specialists/{monday.doctor.id}")
    assert 'aria-current="date"' in html and "Today" in html
    assert f"/specialists/{monday.doctor.id}?date=2026-12-28" in html
    assert f"/specialists/{monday.doctor.id}?date=2027-01-11" in html
    assert 'type="date"' in html


@pytest.mark.parametrize("path", ["/specialists/999", "/specialists/0"])
def test_an_unknown_specialist_is_not_found(client, clock, path):
    """Is an unknown specialist's week a 404 page?"""
    page(client, path, 404)


def test_a_switched_off_specialist_is_not_found(client, clock, monday):
    """Is the week of an inactive specialist a 404 page (and are they off the directory)?"""
    monday.doctor.active = False
    db.session.commit()
    page(client, WEEK.format(monday.doctor.id), 404)
    assert "Bondarenko" not in page(client, "/")


def test_a_bad_date_is_a_clear_400(client, clock, monday):
    """Is ?date=2027-02-30 answered with a page saying what is wrong?"""
    assert "is not a date" in page(client, f"/specialists/{monday.doctor.id}?date=2027-02-30", 400)


def test_the_first_and_last_weeks_of_the_calendar_lead_nowhere_beyond(client, clock, monday):
    """Do the weeks at 1900-01-01 and 2999-12-31 open (no 400), without a link past the
    dates the clinic reads?"""
    first = page(client, f"/specialists/{monday.doctor.id}?date=1900-01-01")
    assert 'rel="prev"' not in first and 'rel="next"' in first
    last = page(client, f"/specialists/{monday.doctor.id}?date=2999-12-31")
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_with_self_booking_off_a_slot_says_to_call(client, clock, monday, clinic_details):
    """With online booking off, are the free times shown without links, with the phone?"""
    clinic_details.self_booking = False
    db.session.commit()
    html = page(client, WEEK.format(monday.doctor.id))
    assert "/me/book/" not in html
    assert "Online booking is switched off" in html and "+380 44 555" in html


def test_staff_are_sent_to_the_desk_from_a_week(signed_in, clock, monday):
    """Does a manager looking at a week get no booking links but a way to the desk?"""
    html = page(signed_in("manager"), WEEK.format(monday.doctor.id))
    assert "/me/book/" not in html and 'href="/desk/"' in html


def test_no_patient_data_reaches_public_pages(client, clock, monday, book, make):
    """With a booking carrying a name, phone, note and type, do the directory and the week
    stay free of all of it?"""
    patient = make(
        Client,
        first_name="Secretname",
        last_name="Hiddenova",
        phone="+380 99 111",
        email="hidden@example.com",
    )
    book(
        monday.doctor,
        patient,
        "10:00",
        type="Biopsy results",
        notes="Clinic only",
        patient_note="Private words",
    )
    for path in ("/", WEEK.format(monday.doctor.id), f"/?q={monday.doctor.first_name}"):
        html = page(client, path)
        for secret in (
            "Secretname",
            "Hiddenova",
            "+380 99 111",
            "hidden@example.com",
            "Biopsy",
            "Clinic only",
            "Private words",
        ):
            assert secret not in html, (path, secret)


def test_the_directory_and_week_cost_the_same_queries_with_10_or_5000_appointments(
    client, signed_in, clock, count_queries
):
    """Are the query counts of the directory (50 specialists), a week (to a visitor and to a
    signed-in client) and a week without free times fixed however many appointments there
    are?"""
    busy = BusyClinic(db.session, NOW.date(), 50)
    patient = signed_in("client")
    week = f"/specialists/{busy.specialists[0].id}?date={MONDAY.isoformat()}"
    empty_week = f"/specialists/{busy.specialists[0].id}?date=2026-12-01"
    pages = [(client, "/"), (client, week), (patient, week), (client, empty_week)]

    def counts() -> list[int]:
        found = []
        for browser, path in pages:
            with count_queries() as queries:
                assert browser.get(path).status_code == 200
            found.append(len(queries))
        return found

    busy.fill(10)
    few = counts()
    busy.fill(5000)
    assert counts() == few
    assert max(few) <= 12, few
    assert few[0] <= 11, f"the directory of 50 specialists: {few}"


def test_another_client_sees_nothing_of_a_patients_booking(signed_in, clock, monday, book):
    """Does a signed-in client see on the week no trace of another patient's booking?"""
    monday.patient.first_name = "Secretname"
    db.session.commit()
    book(monday.doctor, monday.patient, "10:00", patient_note="Private words")
    html = page(signed_in("client"), WEEK.format(monday.doctor.id))
    assert "Secretname" not in html and "Private words" not in html
    assert "2027-01-04T10:00" not in html
