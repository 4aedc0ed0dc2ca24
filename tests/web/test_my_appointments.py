"""Can a client see, download, cancel and move their own appointments — until the clinic's
window, and never anyone else's?"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from helpers import MONDAY, during, fresh, text

from clinic.extensions import db
from clinic.kernel.clock import to_aware
from clinic.models import Appointment, AppointmentStatus, Client, ClinicSettings, TimeOff
from clinic.scheduling import cancel_appointment, change_status


@pytest.fixture
def mine(patient, monday, book):
    """The client's appointment on MONDAY at 10:00."""
    return book(monday.doctor, patient.user.client, "10:00", type="Check-up")


def test_upcoming_and_past_appointments_are_listed_with_their_status(
    patient, clock, monday, book, mine
):
    """Are upcoming appointments listed with what may be done, and past and cancelled ones
    below with their status (never the cancel reason, which staff may have written)?"""
    past = book(
        monday.doctor,
        patient.user.client,
        "09:00",
        day=MONDAY - timedelta(7),
        now=datetime(2026, 12, 1),
    )
    change_status(db.session, past.id, "arrived", now=during(past))
    change_status(db.session, past.id, "completed", now=during(past))
    dropped = book(monday.doctor, patient.user.client, "11:00")
    cancel_appointment(db.session, dropped.id, reason="Feeling better")
    page = text(patient.get("/me/appointments"))
    upcoming, history = page.split("Past and cancelled")
    assert "Monday 4 January 2027 at 10:00" in upcoming and "Check-up" in upcoming
    assert f"/me/appointments/{mine.id}/cancel" in upcoming
    assert "Monday 28 December 2026 at 09:00" in history and "Completed" in history
    assert "Cancelled" in history and "Feeling better" not in history


def test_the_list_costs_the_same_queries_with_few_or_many_appointments(
    patient, clock, monday, book, count_queries
):
    """Is the number of queries of My appointments the same with 2 and 6 appointments?"""

    def queries() -> int:
        with count_queries() as statements:
            assert patient.get("/me/appointments").status_code == 200
        return len(statements)

    for clock_time in ("09:00", "09:30"):
        book(monday.doctor, patient.user.client, clock_time)
    few = queries()
    for clock_time in ("10:00", "10:30", "11:00", "11:30"):
        book(monday.doctor, patient.user.client, clock_time)
    assert queries() == few


def test_each_appointment_downloads_as_a_calendar_file(patient, clock, mine):
    """Is the .ics a calendar file with the appointment's stable UID and time?"""
    response = patient.get(f"/me/appointments/{mine.id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    body = text(response)
    assert body.startswith("BEGIN:VCALENDAR")
    event = icalendar.Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert "METHOD:PUBLISH" in body
    assert event.decoded("dtstart") == to_aware(datetime(2027, 1, 4, 10, 0))
    assert f"UID:appointment-{mine.id}@" in body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/me/appointments/{id}.ics"),
        ("GET", "/me/appointments/{id}/cancel"),
        ("POST", "/me/appointments/{id}/cancel"),
        ("GET", "/me/appointments/{id}/move"),
        ("GET", "/me/appointments/{id}/move/confirm?start=2027-01-04T11:00"),
        ("POST", "/me/appointments/{id}/move/confirm?start=2027-01-04T11:00"),
    ],
)
def test_another_clients_appointment_is_not_found(
    signed_in, clock, monday, book, make, method, path
):
    """Does every page of another client's appointment answer 404 and change nothing?"""
    theirs = book(monday.doctor, make(Client, first_name="Secretname"), "10:00")
    response = signed_in("client").open(path.format(id=theirs.id), method=method)
    assert response.status_code == 404
    assert "Secretname" not in text(response)
    assert (fresh(Appointment, theirs.id).status, fresh(Appointment, theirs.id).starts_at) == (
        AppointmentStatus.BOOKED,
        datetime(2027, 1, 4, 10, 0),
    )


def test_a_client_cancels_with_a_reason_inside_the_window(patient, clock, mine):
    """Does cancelling days ahead work, keeping the reason, and say so?"""
    assert "Cancel the appointment" in text(patient.get(f"/me/appointments/{mine.id}/cancel"))
    response = patient.post(f"/me/appointments/{mine.id}/cancel", data={"reason": "Away"})
    assert response.headers["Location"] == "/me/appointments"
    assert (fresh(Appointment, mine.id).status, fresh(Appointment, mine.id).cancel_reason) == (
        AppointmentStatus.CANCELLED,
        "Away",
    )
    assert "is cancelled" in text(patient.get("/me/appointments"))


def test_inside_the_window_the_pages_say_to_call_and_nothing_changes(patient, clock, mine):
    """Ten hours before (the window is 24), do the list, cancel and move pages say to call
    the clinic with its number, and do posts change nothing?"""
    ClinicSettings.get().phone = "+380 44 555"
    db.session.commit()
    clock.move_to(datetime(2027, 1, 4, 0, 0, tzinfo=UTC))
    listed = text(patient.get("/me/appointments"))
    assert "too soon to change online" in listed and "+380 44 555" in listed
    assert f"/me/appointments/{mine.id}/cancel" not in listed
    for path in (f"/me/appointments/{mine.id}/cancel", f"/me/appointments/{mine.id}/move"):
        page = text(patient.get(path))
        assert "call the clinic" in page and "+380 44 555" in page
    refused = patient.post(f"/me/appointments/{mine.id}/cancel", data={"reason": "x"})
    assert refused.status_code == 409 and "24 hours" in text(refused)
    moved = patient.post(f"/me/appointments/{mine.id}/move/confirm?start=2027-01-04T11:00")
    assert moved.status_code == 409
    assert (fresh(Appointment, mine.id).status, fresh(Appointment, mine.id).starts_at) == (
        AppointmentStatus.BOOKED,
        datetime(2027, 1, 4, 10, 0),
    )


def test_a_client_moves_to_another_free_time_of_the_same_specialist(patient, clock, mine):
    """Does the move page show the specialist's week (the current time marked, not offered),
    and confirming a free time move the appointment?"""
    week = text(patient.get(f"/me/appointments/{mine.id}/move"))
    assert "Move to Monday 4 January at 11:00" in week
    assert "(yours now)" in week and "start=2027-01-04T10:00" not in week
    target = f"/me/appointments/{mine.id}/move/confirm?start=2027-01-04T11:00"
    confirm = text(patient.get(target))
    assert (
        "Monday 4 January 2027 at 10:00" in confirm and "Monday 4 January 2027 at 11:00" in confirm
    )
    assert patient.post(target).headers["Location"] == "/me/appointments"
    assert fresh(Appointment, mine.id).starts_at == datetime(2027, 1, 4, 11, 0)
    assert "is moved to Monday 4 January 2027 at 11:00" in text(patient.get("/me/appointments"))


def test_moving_to_a_time_taken_meanwhile_offers_others(patient, clock, monday, book, make, mine):
    """If the chosen time is taken before the click, is it said in words, with other times
    and nothing of the other patient, the appointment staying where it was?"""
    target = f"/me/appointments/{mine.id}/move/confirm?start=2027-01-04T11:00"
    assert patient.get(target).status_code == 200
    book(monday.doctor, make(Client, first_name="Secretname"), "11:00")
    response = patient.post(target)
    assert response.status_code == 409
    page = text(response)
    assert "That time is taken" in page and "Secretname" not in page
    assert "move/confirm?start=2027-01-04T11:30" in page
    assert fresh(Appointment, mine.id).starts_at == datetime(2027, 1, 4, 10, 0)


def test_moving_to_its_own_time_is_refused_in_words(patient, clock, mine):
    """Is a "move" to the appointment's own time answered that it is already then?"""
    response = patient.post(f"/me/appointments/{mine.id}/move/confirm?start=2027-01-04T10:00")
    assert response.status_code == 409
    assert "time already" in text(response) and "Move it here" not in text(response)


def test_time_off_reasons_never_reach_the_patient(patient, clock, monday, make, mine):
    """Moving into the clinic's time off, does the patient read "closed", never the reason
    staff wrote?"""
    make(
        TimeOff,
        starts_at=datetime(2027, 1, 4, 11),
        ends_at=datetime(2027, 1, 4, 12),
        reason="Boiler repair",
    )
    response = patient.get(f"/me/appointments/{mine.id}/move/confirm?start=2027-01-04T11:00")
    assert response.status_code == 409
    assert "The clinic is closed then." in text(response)
    assert "Boiler" not in text(response)


def test_with_self_booking_off_a_client_cancels_but_cannot_move(patient, clock, mine):
    """With online booking off, may the client still cancel but not move (the page saying
    why, no week of dead links)?"""
    ClinicSettings.get().self_booking = False
    db.session.commit()
    listed = text(patient.get("/me/appointments"))
    assert f"/me/appointments/{mine.id}/cancel" in listed
    assert f"/me/appointments/{mine.id}/move" not in listed
    moving = text(patient.get(f"/me/appointments/{mine.id}/move"))
    assert "Online booking is switched off" in moving and "move/confirm" not in moving


def test_a_cancelled_appointment_cannot_be_moved_or_cancelled_again(patient, clock, mine):
    """Do the move and cancel pages of a cancelled appointment say it cannot change?"""
    cancel_appointment(db.session, mine.id)
    moving = text(patient.get(f"/me/appointments/{mine.id}/move"))
    assert "Only booked appointments can be moved; this one is cancelled." in moving
    cancelling = text(patient.get(f"/me/appointments/{mine.id}/cancel"))
    assert "is cancelled; it cannot change any more" in cancelling
