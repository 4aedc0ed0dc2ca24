"""Can the front desk read an appointment with its history, move it, cancel it, check it in
and through its statuses — only as the rules allow, never with a 500 — and download it?"""

from __future__ import annotations

from datetime import datetime, time

import pytest
from helpers import MONDAY, during, fresh, text
from sqlalchemy import select

from clinic.extensions import db
from clinic.kernel import mail
from clinic.models import Appointment, AppointmentStatus, Client, Location, TimeOff
from clinic.scheduling import change_status, update_appointment


@pytest.fixture
def olena(make):
    """A client with a phone and an email address."""
    return make(
        Client,
        first_name="Olena",
        last_name="Kovalenko",
        phone="+380 67 123 45 67",
        email="olena@example.com",
    )


@pytest.fixture
def visit(monday, olena, book):
    """Olena's appointment with the doctor on MONDAY at 10:00."""
    return book(
        monday.doctor,
        olena,
        "10:00",
        type="Check-up",
        notes="Bring the X-rays",
        patient_note="I may be late",
    )


def page_of(appointment: Appointment) -> str:
    return f"/desk/appointments/{appointment.id}"


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_the_appointment_page_shows_every_detail(role, signed_in, clock, monday, olena, visit):
    """Does the appointment page show the client (with a link to their card), their phone and
    email, the specialist, room, time, type, both notes, status and who booked it — to a
    manager and an admin alike?"""
    page = text(signed_in(role).get(page_of(visit)))
    assert f'href="/desk/clients/{olena.id}"' in page
    for shown in (
        "+380 67 123 45 67",
        "olena@example.com",
        "Iryna Bondarenko",
        "Room 1",
        "Monday 4 January 2027 at 10:00\N{EN DASH}10:30",
        "Check-up",
        "Bring the X-rays",
        "I may be late",
        "Booked",
        "The system",
    ):
        assert shown in page, shown
    assert "Flagged" not in page


def test_a_time_off_covering_the_appointment_flags_it(desk, clock, monday, make, visit):
    """Does the page warn when a time off of the specialist covers the appointment?"""
    make(
        TimeOff,
        specialist=monday.doctor,
        starts_at=datetime.combine(MONDAY, time(9)),
        ends_at=datetime.combine(MONDAY, time(12)),
    )
    assert "Flagged:" in text(desk.get(page_of(visit)))


def test_the_history_says_who_changed_what_in_words(desk, clock, monday, visit):
    """Does the history say each change — when, who, before and after in words — and leave
    the housekeeping out?"""
    moved = desk.post(f"{page_of(visit)}/move", data=move_to(monday, "11:00"))
    assert moved.status_code == 302
    clock.move_to(during(fresh(Appointment, visit.id)))
    desk.post(f"{page_of(visit)}/status", data={"status": "arrived"})
    history = text(desk.get(page_of(visit))).split("<h2>History</h2>")[1]
    assert "Booked</strong>, Friday 1 January 2027 at 08:00, by the system" in history
    assert "Start: Monday 4 January 2027 at 10:00" in history
    manager = desk.user.full_name
    assert f"Moved</strong>, Friday 1 January 2027 at 08:00, by {manager}" in history
    assert "Start: Monday 4 January 2027 at 10:00 → Monday 4 January 2027 at 11:00" in history
    assert "Status: Booked → Arrived" in history
    assert "ics_sequence" not in history and "updated_at" not in history
    assert "Specialist: Iryna Bondarenko" in history and "Client: Olena Kovalenko" in history


def test_the_page_costs_the_same_queries_with_a_long_history(
    desk, clock, monday, visit, count_queries
):
    """Is the number of queries of the appointment page the same with one entry of history
    as with thirty?"""

    def queries() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            assert desk.get(page_of(visit)).status_code == 200
        return len(statements)

    short = queries()
    for n in range(29):
        update_appointment(db.session, visit.id, {"notes": f"Note {n}"}, actor=desk.user)
    assert queries() == short


def move_to(monday, start: str, **changes) -> dict[str, str]:
    """The move form as posted: the doctor on MONDAY at `start`, default room."""
    return {
        "specialist_id": str(monday.doctor.id),
        "location_id": "",
        "date": MONDAY.isoformat(),
        "start_time": start,
        **changes,
    }


def test_the_move_form_starts_from_the_current_time_or_the_suggested_one(
    desk, clock, monday, visit
):
    """Is the move form prefilled with the appointment's values, or with the date and start
    of a suggested time?"""
    current = text(desk.get(f"{page_of(visit)}/move"))
    assert 'value="2027-01-04"' in current and 'value="10:00"' in current
    assert f'<option selected value="{monday.room.id}">' in current
    assert "empty keeps its length (30 minutes)" in current
    suggested = text(desk.get(f"{page_of(visit)}/move?date=2027-01-04&start_time=11:30"))
    assert 'value="11:30"' in suggested


def test_moving_keeps_the_length_and_says_so(desk, clock, monday, visit):
    """Does a move to a free time keep the length, and say where it went?"""
    response = desk.post(f"{page_of(visit)}/move", data=move_to(monday, "11:00"))
    assert response.status_code == 302
    assert response.headers["Location"] == page_of(visit)
    moved = fresh(Appointment, visit.id)
    assert (moved.starts_at, moved.ends_at) == (
        datetime(2027, 1, 4, 11),
        datetime(2027, 1, 4, 11, 30),
    )
    assert "Moved: Monday 4 January 2027 at 11:00 with Iryna Bondarenko for Olena" in text(
        desk.get(page_of(visit))
    )


def test_moving_onto_another_appointment_names_it(desk, clock, monday, visit, book, make):
    """Does a move onto another appointment answer 409 naming it, with the nearest free
    times as links back to the move form, values kept and nothing changed?"""
    other = book(monday.doctor, make(Client, first_name="Petro"), "11:00")
    response = desk.post(f"{page_of(visit)}/move", data=move_to(monday, "11:00"))
    page = text(response)
    assert response.status_code == 409
    assert "Iryna Bondarenko has another appointment then" in page
    assert f'href="/desk/appointments/{other.id}"' in page
    assert f"/desk/appointments/{visit.id}/move?date=2027-01-04&amp;start_time=" in (
        response.get_data(as_text=True)
    )
    assert 'value="11:00"' in page
    assert fresh(Appointment, visit.id).starts_at == datetime(2027, 1, 4, 10)


def test_only_booked_appointments_move(desk, clock, monday, visit):
    """Is moving an appointment that is no longer booked refused with the reason (409)?"""
    change_status(db.session, visit.id, "arrived", now=during(visit))
    page = text(desk.get(page_of(visit)))
    assert "Only booked appointments can be moved; this one is arrived." in page
    assert f"{page_of(visit)}/move" not in page
    response = desk.post(f"{page_of(visit)}/move", data=move_to(monday, "11:00"))
    assert response.status_code == 409
    assert "Only booked appointments can be moved; this one is arrived." in text(response)


def test_cancelling_frees_the_time_and_emails_the_client(desk, clock, monday, visit, make):
    """Does cancelling with a reason keep the reason, email the client a cancellation, and
    free the time for another booking?"""
    assert "olena@example.com" in text(desk.get(f"{page_of(visit)}/cancel"))
    mail.outbox().clear()
    response = desk.post(f"{page_of(visit)}/cancel", data={"reason": "Called to cancel"})
    assert response.status_code == 302
    assert response.headers["Location"] == page_of(visit)
    cancelled = fresh(Appointment, visit.id)
    assert (cancelled.status, cancelled.cancel_reason) == (
        AppointmentStatus.CANCELLED,
        "Called to cancel",
    )
    assert [(m["To"], m["Subject"]) for m in mail.outbox()] == [
        ("olena@example.com", "Your appointment is cancelled")
    ]
    assert "Cancelled: Monday 4 January 2027 at 10:00" in text(desk.get(page_of(visit)))
    someone = make(Client)
    again = desk.post(
        "/desk/appointments/new",
        data={
            "specialist_id": str(monday.doctor.id),
            "date": MONDAY.isoformat(),
            "start_time": "10:00",
            "client_id": str(someone.id),
        },
    )
    assert again.status_code == 302


def test_a_finished_appointment_cannot_be_cancelled(desk, clock, visit):
    """Does a completed appointment's cancel page say it cannot be, and a cancel posted by
    hand answer 409 changing nothing?"""
    change_status(db.session, visit.id, "arrived", now=during(visit))
    change_status(db.session, visit.id, "completed", now=during(visit))
    assert "it cannot be cancelled" in text(desk.get(f"{page_of(visit)}/cancel"))
    response = desk.post(f"{page_of(visit)}/cancel", data={"reason": "Oops"})
    assert response.status_code == 409
    assert "cannot become cancelled" in text(response)
    assert fresh(Appointment, visit.id).status is AppointmentStatus.COMPLETED


def status_buttons(page: str) -> list[str]:
    """The statuses the page's buttons offer."""
    if 'class="status-buttons"' not in page:
        return []
    form = page.split('class="status-buttons"')[1].split("</form>")[0]
    return [part.split('"')[0] for part in form.split('name="status" value="')[1:]]


@pytest.mark.parametrize(
    ("path", "offered"),
    [
        ([], ["arrived", "no_show"]),
        (["arrived"], ["booked", "completed"]),
        (["arrived", "completed"], ["booked"]),
        (["no_show"], ["booked"]),
        (["cancelled"], []),
    ],
)
def test_only_the_allowed_status_changes_are_offered(desk, clock, visit, path, offered):
    """During the visit, are exactly the changes the status table allows offered as buttons
    (cancelling has its own page; "booked" is the undo)?"""
    for status in path:
        change_status(db.session, visit.id, status, now=during(visit))
    clock.move_to(during(visit))
    page = text(desk.get(page_of(visit)))
    assert status_buttons(page) == offered
    assert ("Undo: back to booked" in page) is ("booked" in offered)


def test_before_the_visit_no_status_but_cancelling_is_offered(desk, clock, visit):
    """On the Friday before Monday's visit, is there no check-in, no-show or completion
    button (cancelling still has its page)?"""
    page = text(desk.get(page_of(visit)))
    assert status_buttons(page) == []
    assert f"{page_of(visit)}/cancel" in page


def test_a_check_in_goes_back_to_the_page_it_came_from(desk, clock, visit):
    """Does a status button change the status and go back to a local `next` — and never to
    another site?"""
    clock.move_to(during(visit))
    response = desk.post(
        f"{page_of(visit)}/status", data={"status": "arrived", "next": "/desk/?date=2027-01-04"}
    )
    assert response.headers["Location"] == "/desk/?date=2027-01-04"
    assert fresh(Appointment, visit.id).status is AppointmentStatus.ARRIVED
    elsewhere = desk.post(
        f"{page_of(visit)}/status", data={"status": "completed", "next": "https://evil.example/"}
    )
    assert elsewhere.headers["Location"] == page_of(visit)
    assert "Completed: Monday 4 January 2027 at 10:00" in text(desk.get(page_of(visit)))


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("completed", "An appointment that is booked cannot become completed."),
        ("bogus", "'bogus' is not a status"),
        ("", "Choose a status."),
    ],
)
def test_a_status_change_posted_by_hand_is_refused_without_a_500(desk, clock, visit, status, said):
    """Is an illegal or unknown status posted by hand refused with the reason, the
    appointment unchanged?"""
    response = desk.post(f"{page_of(visit)}/status", data={"status": status})
    assert response.status_code == 302
    assert said in text(desk.get(response.headers["Location"]))
    assert fresh(Appointment, visit.id).status is AppointmentStatus.BOOKED


def test_the_appointment_downloads_as_a_calendar_file(desk, clock, visit):
    """Is the .ics a calendar file of the appointment?"""
    response = desk.get(f"{page_of(visit)}.ics")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "BEGIN:VEVENT" in body and "20270104T100000" in body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ""),
        ("GET", "/move"),
        ("POST", "/move"),
        ("GET", "/cancel"),
        ("POST", "/cancel"),
        ("POST", "/status"),
        ("GET", ".ics"),
    ],
)
def test_an_unknown_appointment_is_not_found(desk, clock, method, path):
    """Does every appointment URL answer 404 for an id that does not exist?"""
    assert desk.open(f"/desk/appointments/999999{path}", method=method).status_code == 404


def test_the_page_says_who_booked_it(desk, clock, visit):
    """Is an appointment booked at the desk shown as booked by that member of staff?"""
    response = desk.post(
        "/desk/appointments/new",
        data={
            "specialist_id": str(visit.specialist_id),
            "date": MONDAY.isoformat(),
            "start_time": "11:00",
            "client_id": str(visit.client_id),
        },
    )
    made = db.session.scalars(select(Appointment).where(Appointment.id != visit.id)).one()
    assert f"Booked by</dt><dd>{desk.user.full_name}" in text(
        desk.get(response.headers["Location"])
    )
    assert made.created_by_id == desk.user.id


def test_moving_only_to_another_room_says_it_moved(desk, clock, monday, make, visit):
    """Does a move to another room at the same time save it and say it moved (not that nothing
    changed)?"""
    other = make(Location, name="Room 2", shifts=monday.room.shifts)
    response = desk.post(
        f"{page_of(visit)}/move", data=move_to(monday, "10:00", location_id=str(other.id))
    )
    assert response.status_code == 302
    assert fresh(Appointment, visit.id).location_id == other.id
    assert "Moved:" in text(desk.get(page_of(visit)))
