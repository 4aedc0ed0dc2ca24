"""Can the front desk book a client from a free slot — finding the client by name or phone or
creating them inline — and is every refusal of the booking rules a form error that keeps what
was typed and writes nothing?"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from helpers import MONDAY, count, text
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Appointment, Client, Location, Shift, Specialist, TimeOff

NEW = "/desk/appointments/new"


def booking(monday, **changes) -> dict[str, str]:
    """The booking form as posted for the `monday` patient with the doctor at 10:00."""
    return {
        "specialist_id": str(monday.doctor.id),
        "date": MONDAY.isoformat(),
        "start_time": "10:00",
        "client_id": str(monday.patient.id),
        "type": "Check-up",
        "notes": "Bring the X-rays",
        **changes,
    }


def assert_refused_keeping_values(response, status: int, appointments: int) -> str:
    """The answer has the status, a summary at the top, the values typed, and nothing new
    is written; the page's text."""
    page = text(response)
    assert response.status_code == status
    assert 'role="alert"' in page
    assert 'value="Check-up"' in page and "Bring the X-rays</textarea>" in page
    assert count(Appointment) == appointments
    return page


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_a_free_slot_link_prefills_the_form_and_books(role, signed_in, clock, monday):
    """Does the agenda's free-slot link prefill the form, and does booking from it save the
    appointment, say so and open the appointment (for a manager and an admin alike)?"""
    staff = signed_in(role)
    query = (
        f"specialist_id={monday.doctor.id}&date=2027-01-04&start_time=10:00"
        f"&client_id={monday.patient.id}"
    )
    form = text(staff.get(f"{NEW}?{query}"))
    assert f'<option selected value="{monday.doctor.id}">' in form
    assert 'value="2027-01-04"' in form and 'value="10:00"' in form
    assert re.search(rf'value="{monday.patient.id}"\s+checked', form)
    assert "30 minutes after the start" in form
    response = staff.post(NEW, data=booking(monday))
    appointment = db.session.scalars(select(Appointment)).one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/desk/appointments/{appointment.id}"
    assert (appointment.starts_at, appointment.ends_at) == (
        datetime(2027, 1, 4, 10),
        datetime(2027, 1, 4, 10, 30),
    )
    assert (appointment.location_id, appointment.type, appointment.notes) == (
        monday.room.id,
        "Check-up",
        "Bring the X-rays",
    )
    assert appointment.created_by_id == staff.user.id
    page = text(staff.get(response.headers["Location"]))
    assert (
        "Booked: Monday 4 January 2027 at 10:00 with Iryna Bondarenko for "
        f"{monday.patient.full_name}." in page
    )


def test_a_specialists_visit_types_are_suggested_and_free_text_is_kept(desk, clock, monday, book):
    """Are the specialist's visit types offered as suggestions, while a type of the desk's
    own still books?"""
    monday.doctor.visit_types = ["First visit", "Follow-up"]
    db.session.commit()
    form = text(desk.get(f"{NEW}?specialist_id={monday.doctor.id}"))
    datalist = form.split('<datalist id="visit-types">')[1].split("</datalist>")[0]
    assert '<option value="First visit">' in datalist and '<option value="Follow-up">' in datalist
    assert desk.post(NEW, data=booking(monday, type="Urgent, by phone")).status_code == 302
    assert db.session.scalars(select(Appointment.type)).one() == "Urgent, by phone"


def test_a_booking_with_a_busy_specialist_names_the_other_appointment(
    desk, clock, monday, book, make
):
    """Does a booking that collides with the specialist's other appointment name it (time,
    client, link) and offer the nearest free times, each taking its time and keeping every
    other value typed (the notes never in an address)?"""
    other = book(monday.doctor, make(Client, first_name="Olena", last_name="Kovalenko"), "10:00")
    response = desk.post(NEW, data=booking(monday))
    page = assert_refused_keeping_values(response, 409, 1)
    assert "Iryna Bondarenko has another appointment then" in page
    assert f'href="/desk/appointments/{other.id}"' in page
    assert (
        "Monday 4 January 2027 at 10:00\N{EN DASH}10:30: Olena Kovalenko with Iryna Bondarenko"
        in page
    )
    suggestions = re.findall(r'name="take_time" value="([^"]+)"', page)
    assert "2027-01-04T09:30" in suggestions
    assert "X-rays" not in "".join(re.findall(r'href="([^"]*)"', page))
    again = desk.post(NEW, data=booking(monday, take_time="2027-01-04T09:30"))
    kept = text(again)
    assert again.status_code == 200 and count(Appointment) == 1, "taking a time books nothing"
    assert 'value="09:30"' in kept and 'value="2027-01-04"' in kept
    assert 'value="Check-up"' in kept and "Bring the X-rays</textarea>" in kept
    assert f'value="{monday.patient.id}" checked' in kept


def test_a_booking_in_a_busy_room_is_refused(desk, clock, monday, book, make):
    """Is a time when the room is taken by another specialist's appointment refused,
    naming that appointment?"""
    colleague = make(
        Specialist,
        first_name="Taras",
        last_name="Melnyk",
        default_location=monday.room,
        shifts=[make(Shift, weekday=0, start_time=time(9), end_time=time(12))],
    )
    book(colleague, make(Client), "10:00")
    page = assert_refused_keeping_values(desk.post(NEW, data=booking(monday)), 409, 1)
    assert "Room 1 has another appointment then" in page
    assert "with Taras Melnyk" in page


def test_a_client_already_booked_elsewhere_then_is_refused(desk, clock, monday, book, make):
    """Is a client who has another appointment at that time (another specialist, another
    room) refused?"""
    other_room = make(
        Location, shifts=[make(Shift, weekday=0, start_time=time(8), end_time=time(20))]
    )
    colleague = make(
        Specialist,
        default_location=other_room,
        shifts=[make(Shift, weekday=0, start_time=time(9), end_time=time(12))],
    )
    book(colleague, monday.patient, "10:00")
    page = assert_refused_keeping_values(desk.post(NEW, data=booking(monday)), 409, 1)
    assert f"{monday.patient.full_name} has another appointment then" in page


@pytest.mark.parametrize(
    ("time_off_of", "changes", "said"),
    [
        (None, {"start_time": "13:00"}, "Iryna Bondarenko does not work then"),
        ("specialist", {}, "Iryna Bondarenko is away then (Conference)"),
        ("clinic", {}, "The clinic is closed then (Holiday)"),
        (None, {"date": "2026-12-28"}, "That time has passed."),
    ],
    ids=["outside-the-shift", "specialist-time-off", "clinic-time-off", "in-the-past"],
)
def test_a_time_the_rules_refuse_is_an_error_beside_the_start(
    desk, clock, monday, make, time_off_of, changes, said
):
    """Is a time outside the shift, in a time off of the specialist or the clinic, or in the
    past an error beside the start (400), values kept, nothing written?"""
    if time_off_of:
        make(
            TimeOff,
            specialist=monday.doctor if time_off_of == "specialist" else None,
            starts_at=datetime.combine(MONDAY, time(9)),
            ends_at=datetime.combine(MONDAY, time(12)),
            reason="Conference" if time_off_of == "specialist" else "Holiday",
        )
    response = desk.post(NEW, data=booking(monday, **changes))
    page = assert_refused_keeping_values(response, 400, 0)
    assert f'<p class="error" id="start_time-error">{said}' in page
    assert f'<a href="#start_time">Start: {said}' in page


def test_a_booking_without_a_client_or_specialist_says_so_beside_them(desk, clock, monday):
    """Does a booking with no client chosen and no specialist answer 400 with both errors,
    keeping the rest?"""
    response = desk.post(NEW, data=booking(monday, client_id="", specialist_id=""))
    page = assert_refused_keeping_values(response, 400, 0)
    assert "Choose a client, or a new client." in page
    assert "Choose a specialist." in page


def test_a_new_client_is_created_with_the_booking(desk, clock, monday):
    """Does choosing "a new client" create the record with the booking?"""
    response = desk.post(
        NEW,
        data=booking(
            monday,
            client_id="new",
            **{
                "new_client-first_name": "Mykola",
                "new_client-last_name": "Hnatyuk",
                "new_client-phone": "+380 50 111 22 33",
                "new_client-email": "mykola@example.com",
            },
        ),
    )
    assert response.status_code == 302
    client = db.session.scalars(select(Client).where(Client.last_name == "Hnatyuk")).one()
    assert (client.phone, client.email) == ("+380 50 111 22 33", "mykola@example.com")
    assert db.session.scalars(select(Appointment.client_id)).one() == client.id


def test_a_new_client_needs_names(desk, clock, monday):
    """Does a new client without names answer 400 with the errors beside those fields?"""
    response = desk.post(NEW, data=booking(monday, client_id="new"))
    page = assert_refused_keeping_values(response, 400, 0)
    assert 'id="new_client-first_name-error"' in page
    assert count(Client) == 1


@pytest.mark.parametrize(
    ("on_file", "typed"),
    [
        ({"phone": "+380 (67) 000-00-01"}, {"new_client-phone": "380670000001"}),
        ({"email": "Olena.K@Example.com"}, {"new_client-email": "olena.k@example.COM"}),
    ],
    ids=["same-phone-other-spacing", "same-email-other-case"],
)
def test_a_possible_duplicate_is_shown_before_creating(desk, clock, monday, make, on_file, typed):
    """Is a client on file with the same phone (however spaced) or email (whatever the case)
    shown, choosable, before a new record is made — and is nothing written until creating
    anyway is confirmed?"""
    existing = make(Client, first_name="Olena", last_name="Kovalenko", **on_file)
    new_client = {"new_client-first_name": "Olena", "new_client-last_name": "Kovalenko", **typed}
    data = booking(monday, client_id="new", **new_client)
    response = desk.post(NEW, data=data)
    page = text(response)
    assert response.status_code == 200
    assert "This client may already be on file" in page
    assert f'value="{existing.id}"' in page and "(same phone or email)" in page
    assert "Create a new record anyway" in page
    assert (count(Client), count(Appointment)) == (2, 0)
    assert desk.post(NEW, data={**data, "create_anyway": "y"}).status_code == 302
    assert (count(Client), count(Appointment)) == (3, 1)


def test_choosing_the_duplicate_books_the_client_on_file(desk, clock, monday, make):
    """Does choosing the client on file instead of a new one book them, creating nobody?"""
    existing = make(Client, phone="+380 67 000 00 01")
    data = booking(
        monday,
        client_id="new",
        **{
            "new_client-first_name": "A",
            "new_client-last_name": "B",
            "new_client-phone": "0670000001",
        },
    )
    assert desk.post(NEW, data=data).status_code == 200
    assert desk.post(NEW, data={**data, "client_id": str(existing.id)}).status_code == 302
    assert count(Client) == 2
    assert db.session.scalars(select(Appointment.client_id)).one() == existing.id


def test_a_refused_booking_leaves_no_new_client_behind(desk, clock, monday, book, make):
    """When the booking of a new client collides, is the client not created either, and the
    new client's details kept on the page (never in an address)?"""
    book(monday.doctor, make(Client), "10:00")
    clients = count(Client)
    response = desk.post(
        NEW,
        data=booking(
            monday,
            client_id="new",
            **{"new_client-first_name": "Mykola", "new_client-last_name": "Hnatyuk"},
        ),
    )
    page = assert_refused_keeping_values(response, 409, 1)
    assert count(Client) == clients
    assert 'value="Mykola"' in page
    assert "Mykola" not in "".join(re.findall(r'(?:href|action)="([^"]*)"', page))


@pytest.fixture
def clients_on_file(make):
    """Two clients to find."""
    return (
        make(Client, first_name="Olena", last_name="Kovalenko", phone="+380 (67) 123-45-67"),
        make(Client, first_name="Petro", last_name="Shevchenko", email="petro@example.com"),
    )


def test_the_client_search_finds_by_name_keeping_the_prefill(desk, clock, monday, clients_on_file):
    """Does the search on the booking page find clients by name, listing them as choices in
    the live region, while the slot's values stay?"""
    olena, _petro = clients_on_file
    page = text(
        desk.get(
            f"{NEW}?q=kovalenko&specialist_id={monday.doctor.id}&date=2027-01-04&start_time=10:00"
        )
    )
    results = page.split('id="client-results"')[1].split("</div>")[0]
    assert 'aria-live="polite"' in results
    assert f'value="{olena.id}"' in results and "+380 (67) 123-45-67" in results
    assert "Shevchenko" not in results
    assert 'value="10:00"' in page and f'<option selected value="{monday.doctor.id}">' in page
    assert '<input type="hidden" name="start_time" value="10:00">' in page


def test_the_client_search_finds_by_phone_digits(desk, clock, clients_on_file):
    """Does a phone number typed with other spacing find the client?"""
    olena, _petro = clients_on_file
    results = text(desk.get(f"{NEW}?q=067 123 45 67")).split('id="client-results"')[1]
    assert f'value="{olena.id}"' in results.split("</ul>")[0]
    assert "Shevchenko" not in results.split("</ul>")[0]


def test_a_search_matching_nobody_says_so(desk, clock, clients_on_file):
    """Does a search that matches nobody say so, offering a new client?"""
    page = text(desk.get(f"{NEW}?q=nobody"))
    assert "No client matches “nobody”." in page
    assert 'id="client-new"' in page


def test_the_booking_page_loads_its_script_from_a_file(desk, clock):
    """Is the suggest-while-typing script a static file (no inline script)?"""
    page = text(desk.get(NEW))
    assert '<script src="/static/js/desk.js" defer></script>' in page
    assert "<script>" not in page
    assert desk.get("/static/js/desk.js").status_code == 200


def test_a_new_booking_starts_today(desk, clock):
    """Without a date, is the form's date today's?"""
    assert f'value="{(MONDAY - timedelta(days=3)).isoformat()}"' in text(desk.get(NEW))
