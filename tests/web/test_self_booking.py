"""Can a signed-in client book a free time for themself — and is every refusal a clear page,
never a 500, a double booking or another patient's data?"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from helpers import PASSWORD
from sqlalchemy import func, select

from clinic import config, create_app
from clinic.extensions import db
from clinic.kernel import mail
from clinic.models import Appointment, Client, ClinicSettings, User

TEN = "2027-01-04T10:00"


def booking(doctor, start: str = TEN) -> str:
    return f"/me/book/{doctor.id}?start={start}"


def live_count() -> int:
    """The live appointments now (a fresh read: the test's session may hold an older one)."""
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(Appointment).where(Appointment.status != "cancelled")
    )


def settings(**values) -> None:
    row = ClinicSettings.get()
    for name, value in values.items():
        setattr(row, name, value)
    db.session.commit()


CHOSEN = {"password": "correct horse"}
"""The verification page's answer: the password chosen when registering."""


def register_and_verify(client, path: str) -> str:
    """Register Anna through the form at `path`; the path of the verification link emailed."""
    sent = client.post(
        path,
        data={
            "first_name": "Anna",
            "last_name": "Koval",
            "email": "anna@example.com",
            "password": "correct horse",
            "confirm": "correct horse",
        },
    )
    assert "Check your email" in sent.get_data(as_text=True)
    return re.search(r"https?://\S+(/verify/\S+)", mail.outbox()[-1].get_content()).group(1)


def test_a_client_books_a_free_time_with_a_type_and_a_note(patient, clock, monday):
    """Does the confirmation say who, when and where in words, and does booking it make the
    appointment (the note as the patient's, the client as the booker) and say so?"""
    page = patient.get(booking(monday.doctor)).get_data(as_text=True)
    for text in ("Iryna Bondarenko", "Monday 4 January 2027 at 10:00", "Room 1"):
        assert text in page
    response = patient.post(
        booking(monday.doctor), data={"type": "First visit", "patient_note": "Knee pain"}
    )
    assert response.headers["Location"] == "/me/appointments"
    made = db.session.scalars(select(Appointment)).one()
    assert (made.starts_at, made.type, made.patient_note, made.notes) == (
        datetime(2027, 1, 4, 10, 0),
        "First visit",
        "Knee pain",
        "",
    )
    assert made.client.user_id == patient.user.id and made.created_by_id == patient.user.id
    listed = patient.get("/me/appointments").get_data(as_text=True)
    assert "Booked: Monday 4 January 2027 at 10:00 with Iryna Bondarenko." in listed


def test_the_type_is_chosen_from_the_specialists_list_never_other_patients_words(
    patient, clock, monday, book, make
):
    """With visit types set, is the type a choice among them only (another patient's typed
    type never offered), and is anything else refused without booking?"""
    monday.doctor.visit_types = ["Consultation", "Check-up"]
    db.session.commit()
    book(monday.doctor, make(Client), "11:00", type="Secret biopsy")
    page = patient.get(booking(monday.doctor)).get_data(as_text=True)
    assert "<select" in page and "Check-up" in page and "Secret biopsy" not in page
    refused = patient.post(booking(monday.doctor), data={"type": "Secret biopsy"})
    assert refused.status_code == 200 and "Not a valid choice" in refused.get_data(as_text=True)
    assert live_count() == 1
    assert patient.post(booking(monday.doctor), data={"type": "Check-up"}).status_code == 302


def test_a_time_taken_meanwhile_is_said_in_words_with_the_nearest_free_times(
    patient, clock, monday, book, make
):
    """If someone books the time between the page and the click, is the answer a clear page
    with other times (no 500, no double booking, nothing of the other patient)?"""
    assert patient.get(booking(monday.doctor)).status_code == 200
    book(monday.doctor, make(Client, first_name="Secretname"), "10:00", patient_note="Private")
    response = patient.post(booking(monday.doctor), data={"type": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "That time is taken" in page
    assert booking(monday.doctor, "2027-01-04T09:30") in page
    assert "Secretname" not in page and "Private" not in page
    assert live_count() == 1


def test_a_time_no_longer_free_says_so_before_anything_is_typed(patient, clock, monday, book):
    """Does opening the confirmation of a time already taken say so, offering others?"""
    book(monday.doctor, monday.patient, "10:00")
    response = patient.get(booking(monday.doctor))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "That time is taken" in page and "Book this time" not in page
    assert booking(monday.doctor, "2027-01-04T10:30") in page


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    ("now", "start", "message"),
    [
        (datetime(2027, 1, 4, 9, 30), TEN, "at least 60 minutes ahead"),
        (datetime(2027, 1, 4, 11, 0), TEN, "at least 60 minutes ahead"),
        (datetime(2027, 1, 1, 8, 0), "2027-01-04T09:10", "Choose one of the free times"),
        (datetime(2027, 1, 1, 8, 0), "2027-01-05T10:00", "does not work then"),
    ],
)
def test_times_inside_the_notice_past_or_off_the_grid_are_refused(
    patient, clock, monday, now, start, message, method
):
    """Are a time inside the minimum notice, a past one, one off the slot grid and one on a
    day off refused in words (before typing, and on booking), booking nothing?"""
    clock.move_to(now.replace(tzinfo=UTC))
    response = patient.open(booking(monday.doctor, start), method=method, data={"type": ""})
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert live_count() == 0


def test_a_time_beyond_the_horizon_is_refused(patient, clock, monday):
    """With bookings taken 2 days ahead, is next Monday refused, saying so?"""
    settings(max_days_ahead=2)
    for method in ("GET", "POST"):
        response = patient.open(booking(monday.doctor), method=method, data={"type": ""})
        assert "Book at most 2 days ahead" in response.get_data(as_text=True)
    assert live_count() == 0


def test_the_cap_on_own_bookings_answers_clearly(patient, clock, monday):
    """With a cap of one live booking, does the second booking say why it is refused?"""
    settings(max_client_bookings=1)
    assert patient.post(booking(monday.doctor), data={}).status_code == 302
    response = patient.post(booking(monday.doctor, "2027-01-04T11:00"), data={})
    assert response.status_code == 409
    assert "You already have 1 upcoming appointment booked online, the most the clinic allows" in (
        response.get_data(as_text=True)
    )
    assert live_count() == 1


def test_with_self_booking_off_the_page_says_to_call(patient, clock, monday):
    """With online booking off, does the confirmation say to call, and a post book nothing?"""
    settings(self_booking=False, phone="+380 44 555")
    response = patient.get(booking(monday.doctor))
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Book this time" not in page
    assert "Online booking is switched off" in page and "+380 44 555" in page
    patient.post(booking(monday.doctor), data={})
    assert live_count() == 0


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/me/book/{id}?start=abc", 400),
        ("/me/book/{id}", 400),
        ("/me/book/{id}?start=99999-01-04T10:00", 400),
        ("/me/book/{id}?start=2027-01-04T\uff11\uff10:00", 400),
        ("/me/book/999?start=2027-01-04T10:00", 404),
    ],
)
def test_a_bad_start_or_unknown_specialist_is_a_clear_error(patient, clock, monday, path, status):
    """Are a malformed or missing start (also in fullwidth digits) and an unknown specialist
    clear 400/404 pages?"""
    assert patient.get(path.format(id=monday.doctor.id)).status_code == status


def test_staff_are_not_booked_as_patients(signed_in, clock, monday):
    """Is a manager refused the patients' booking page (403), booking nothing?"""
    desk = signed_in("manager")
    assert desk.post(booking(monday.doctor), data={}).status_code == 403
    assert live_count() == 0


def test_a_visitor_signs_in_and_comes_back_to_the_same_confirmation(client, clock, monday, make):
    """Does picking a time while signed out lead to sign-in, and back to that time?"""
    user = make(User, role="client")
    make(Client, email=user.email, user=user)
    asked = client.get(booking(monday.doctor))
    assert asked.status_code == 302
    assert asked.headers["Location"] == f"/login?next={quote(booking(monday.doctor), safe='')}"
    signed = client.post(
        asked.headers["Location"], data={"username": user.username, "password": PASSWORD}
    )
    assert signed.headers["Location"] == booking(monday.doctor)
    assert "Book this time" in client.get(booking(monday.doctor)).get_data(as_text=True)


def test_a_visitor_who_registers_comes_back_after_the_emailed_link(client, clock, monday):
    """Does registering from the sign-in page of a booking, then opening the emailed link in
    the same browser, land on that booking's confirmation?"""
    login = client.get(f"/login?next={quote(booking(monday.doctor), safe='')}")
    register = re.search(r'href="(/register\?next=[^"]+)"', login.get_data(as_text=True))
    path = register.group(1).replace("&amp;", "&")
    verified = client.post(register_and_verify(client, path), data=CHOSEN)
    assert verified.headers["Location"] == booking(monday.doctor)


def test_registering_with_a_foreign_next_goes_nowhere_else(client, clock):
    """Is a `next=` to another site dropped on the way through registration?"""
    link = register_and_verify(client, "/register?next=//evil.example/x")
    assert client.post(link, data=CHOSEN).headers["Location"] == "/me/appointments"


def test_the_booking_rate_limit_answers_with_a_clear_page(database_url, make, monday, clock):
    """With two bookings an hour allowed, are two made and the third a 429 page saying what
    to do, booking nothing?"""
    app = create_app(
        {**config.testing(database_url), "RATELIMIT_ENABLED": True, "SELF_BOOKING_LIMIT": "2/hour"}
    )
    user = make(User, role="client")
    make(Client, email=user.email, user=user)
    browser = app.test_client()

    def post(path, **data):
        with app.app_context():
            return browser.post(path, data=data)

    assert post("/login", username=user.username, password=PASSWORD).status_code == 302
    answers = [
        post(booking(monday.doctor, f"2027-01-04T{clock_time}"))
        for clock_time in ("09:00", "09:30", "10:00")
    ]
    assert [answer.status_code for answer in answers] == [302, 302, 429]
    assert "booked online many times" in answers[2].get_data(as_text=True)
    assert live_count() == 2


def test_the_web_and_the_api_share_one_booking_limit(database_url, make, monday, clock):
    """With two bookings an hour allowed, does one made through the API and one on the web
    use up the client's allowance, so that the next on the web is a 429?"""
    app = create_app(
        {**config.testing(database_url), "RATELIMIT_ENABLED": True, "SELF_BOOKING_LIMIT": "2/hour"}
    )
    user = make(User, role="client")
    make(Client, email=user.email, user=user)
    browser = app.test_client()

    def post(path, **kwargs):
        with app.app_context():
            return browser.post(path, **kwargs)

    login = {"username": user.username, "password": PASSWORD}
    token = post("/api/v1/login/", json=login).get_json()["access"]
    by_api = post(
        "/api/v1/appointments/",
        json={"worker": monday.doctor.id, "date": "2027-01-04", "start_time": "09:00"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert by_api.status_code == 201
    assert post("/login", data=login).status_code == 302
    assert post(booking(monday.doctor, "2027-01-04T09:30")).status_code == 302
    assert post(booking(monday.doctor, "2027-01-04T10:00")).status_code == 429
    assert live_count() == 2
