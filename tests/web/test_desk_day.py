"""The desk's day: does the agenda show each working specialist's bookings and free times, with
counts, filters and flags; is the day's CSV right and inert; is the specialist's week there;
and does recording an absence keep or cancel what it covers?"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta

import pytest
from flask import url_for
from helpers import MONDAY, NOW, during

from clinic import scheduling
from clinic.demo import BusyClinic
from clinic.extensions import db
from clinic.kernel import mail
from clinic.models import (
    Appointment,
    AppointmentStatus,
    Client,
    Location,
    Shift,
    Specialist,
    TimeOff,
)
from clinic.web.desk.agenda import Address

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def day(make, monday, book):
    """Monday with two specialists in two rooms: the doctor (room 1) with a booked, an arrived
    and a cancelled appointment, a dentist (room 2) with a no-show; and a specialist who does not
    work on Mondays."""
    room2 = make(Location, name="Room 2", shifts=monday.room.shifts)
    dentist = make(
        Specialist,
        first_name="Petro",
        last_name="Dentyst",
        specialty="Dentistry",
        slot_minutes=60,
        default_location=room2,
        shifts=[make(Shift, weekday=0, start_time=time(13), end_time=time(17))],
    )
    make(
        Specialist,
        first_name="Olena",
        last_name="Tuesday",
        shifts=[make(Shift, weekday=1, start_time=time(9), end_time=time(12))],
    )
    anna = make(Client, first_name="Anna", last_name="Koval", phone="+380 67 000 0001")
    boris = make(Client, first_name="Boris", last_name="Lys")
    booked = book(monday.doctor, anna, "09:00", type="First visit")
    arrived = book(monday.doctor, boris, "10:00")
    scheduling.change_status(db.session, arrived.id, "arrived", now=during(arrived))
    cancelled = book(monday.doctor, monday.patient, "11:00")
    scheduling.cancel_appointment(db.session, cancelled.id, reason="Ill", now=NOW)
    no_show = book(dentist, anna, "14:00")
    scheduling.change_status(db.session, no_show.id, "no_show", now=during(no_show))
    return {
        "monday": monday,
        "dentist": dentist,
        "booked": booked,
        "arrived": arrived,
        "cancelled": cancelled,
        "no_show": no_show,
        "room2": room2,
    }


def agenda(browser, **args):
    """The agenda page's HTML for these query arguments."""
    response = browser.get("/desk/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_agenda_shows_each_working_specialist_with_bookings_and_free_times(day, signed_in):
    """Does Monday's agenda have a column for each specialist working it (not the one who works
    Tuesdays), their appointments with client, type and status, and free times to book?"""
    page = agenda(signed_in("manager"), date=MONDAY.isoformat())
    assert "Iryna Bondarenko" in page and "Petro Dentyst" in page
    assert "Olena Tuesday" not in page
    assert "Anna Koval" in page and "First visit" in page
    assert "Arrived" in page and "No show" in page
    assert f"/desk/appointments/{day['booked'].id}" in page
    assert "/desk/appointments/new?specialist_id=" in page
    assert f"date={MONDAY.isoformat()}&amp;start_time=09:30" in page
    assert "start_time=09:00" not in page, "a booked time is not offered"


def test_the_agenda_counts_appointments_by_status_and_lists_the_cancelled(day, signed_in):
    """Are the day's appointments counted by status, the cancelled one listed with its reason?"""
    page = agenda(signed_in("admin"), date=MONDAY.isoformat())
    counts = page[page.index('class="status-counts"') : page.index("</dl>")]
    for status, count in (("Booked", 1), ("Arrived", 1), ("No show", 1), ("Cancelled", 1)):
        assert f"<dt>{status}</dt><dd>{count}</dd>" in counts
    cancelled = page[page.index('id="cancelled-heading"') :]
    assert "Ill" in cancelled and day["monday"].patient.full_name in cancelled


def test_the_agenda_filters_by_location_and_specialty(day, signed_in):
    """Does a location or a specialty leave only the specialists (and bookings) there?"""
    browser = signed_in("manager")
    by_room = agenda(browser, date=MONDAY.isoformat(), location=day["room2"].id)
    assert "Petro Dentyst" in by_room and "Iryna Bondarenko" not in by_room
    by_specialty = agenda(browser, date=MONDAY.isoformat(), specialty="Dentistry")
    assert "Petro Dentyst" in by_specialty and "Iryna Bondarenko" not in by_specialty
    assert f"location={day['room2'].id}" in by_room, "the day links keep the filter"


def test_the_calendars_first_and_last_days_have_no_day_beyond(day, signed_in):
    """Do the first and last days of the clinic's calendar show, without a link beyond?"""
    browser = signed_in("manager")
    first, last = agenda(browser, date="1900-01-01"), agenda(browser, date="2999-12-31")
    assert "Monday 1 January 1900" in first and 'rel="prev"' not in first
    assert "Tuesday 31 December 2999" in last and 'rel="next"' not in last


@pytest.mark.parametrize("bad", ["2027-02-30", "yesterday", "0001-01-01", "9999-12-31"])
def test_a_bad_date_shows_today_and_says_why(day, signed_in, bad):
    """Does a date that is no day show today's agenda with the error beside the field?"""
    page = agenda(signed_in("manager"), date=bad)
    assert 'class="error"' in page
    assert "Appointments on Friday 1 January 2027" in page


@pytest.mark.parametrize("blank", ["%20", "%09"])
def test_a_blank_location_filter_means_any_on_the_agenda_and_the_csv(day, signed_in, blank):
    """Is a location of spaces or a tab ignored by the agenda and the CSV (not a 500)?"""
    browser = signed_in("manager")
    page = browser.get(f"/desk/?date={MONDAY.isoformat()}&location={blank}")
    assert page.status_code == 200 and "Petro Dentyst" in page.get_data(as_text=True)
    sheet = browser.get(f"/desk/day.csv?date={MONDAY.isoformat()}&location={blank}")
    assert sheet.status_code == 200 and len(read_csv(sheet)) == 5


def test_the_check_in_button_is_there_today_only(day, signed_in, clock):
    """Is "Arrived" offered for booked appointments on the day itself, and not days ahead?"""
    browser = signed_in("manager")
    assert 'value="arrived"' not in agenda(browser, date=MONDAY.isoformat())
    clock.move_to(datetime(2027, 1, 4, 8, 30, tzinfo=UTC))
    page = agenda(browser)
    assert page.count('value="arrived"') == 2, "in the grid, and in the list for phones"
    assert f'action="/desk/appointments/{day["booked"].id}/status"' in page


def test_an_absence_kept_flags_its_appointments_on_the_agenda(day, signed_in):
    """After recording the doctor's early morning off and keeping what it covers, is the
    appointment still booked, flagged to be moved, and no time free while away?"""
    browser = signed_in("manager")
    form = {
        "specialist": day["monday"].doctor.id,
        "first_day": MONDAY.isoformat(),
        "from_time": "08:00",
        "to_time": "10:00",
        "reason": "Dentist appointment",
    }
    asked = browser.post("/desk/absence", data=form)
    assert asked.status_code == 409
    page = asked.get_data(as_text=True)
    assert "Anna Koval" in page and "Keep them" in page
    assert db.session.query(TimeOff).count() == 0, "nothing is written before the choice"
    kept = browser.post("/desk/absence", data={**form, "covered": "keep"})
    assert kept.status_code == 302
    db.session.rollback()
    assert db.session.get(Appointment, day["booked"].id).status is AppointmentStatus.BOOKED
    flagged = agenda(browser, date=MONDAY.isoformat())
    assert "Away then" in flagged and "cell-flagged" in flagged
    assert "09:30 free" not in flagged, "no free times while away"


def test_an_absence_cancelled_cancels_and_emails_each_client(day, signed_in, make):
    """Does cancelling what an absence covers cancel the booked appointments and email their
    clients, leaving the one already under way (arrived) as it was?"""
    day["booked"].client.email = "anna@example.com"
    db.session.commit()
    mail.outbox().clear()
    response = signed_in("manager").post(
        "/desk/absence",
        data={
            "specialist": day["monday"].doctor.id,
            "first_day": MONDAY.isoformat(),
            "covered": "cancel",
            "reason": "Flu",
        },
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Appointment, day["booked"].id).status is AppointmentStatus.CANCELLED
    assert db.session.get(Appointment, day["arrived"].id).status is AppointmentStatus.ARRIVED
    assert [message["To"] for message in mail.outbox()] == ["anna@example.com"]
    assert "Flu" not in mail.outbox()[0].get_body().get_content(), "the reason is staff-only"
    time_off = db.session.query(TimeOff).one()
    assert (time_off.starts_at, time_off.ends_at) == (
        datetime.combine(MONDAY, time()),
        datetime.combine(MONDAY + timedelta(days=1), time()),
    )


def test_an_absence_recorded_twice_says_so(day, signed_in):
    """Is recording the same absence again refused with the reason (409), writing nothing?"""
    browser = signed_in("manager")
    form = {"specialist": day["dentist"].id, "first_day": "2027-01-05", "reason": "Course"}
    assert browser.post("/desk/absence", data=form).status_code == 302
    again = browser.post("/desk/absence", data=form)
    assert again.status_code == 409
    assert "This time off is recorded already." in again.get_data(as_text=True)
    assert db.session.query(TimeOff).count() == 1


def test_a_bad_absence_says_why_and_writes_nothing(day, signed_in):
    """Does an absence ending before it starts, beyond the calendar's last day, or of nobody,
    say so beside the field?"""
    browser = signed_in("manager")
    backwards = browser.post(
        "/desk/absence",
        data={
            "specialist": day["monday"].doctor.id,
            "first_day": MONDAY.isoformat(),
            "from_time": "12:00",
            "to_time": "10:00",
        },
    )
    assert backwards.status_code == 400
    assert "must end after it starts" in backwards.get_data(as_text=True)
    for far in ({"first_day": "9999-12-31"}, {"first_day": "2027-01-04", "last_day": "9999-12-31"}):
        beyond = browser.post("/desk/absence", data={"specialist": day["monday"].doctor.id, **far})
        assert beyond.status_code == 400, far
    nobody = browser.post("/desk/absence", data={"first_day": MONDAY.isoformat()})
    assert nobody.status_code == 400
    assert "Choose the specialist" in nobody.get_data(as_text=True)
    assert db.session.query(TimeOff).count() == 0


def test_a_specialist_switched_off_keeps_a_column_without_a_dead_link(day, signed_in):
    """Does a switched-off specialist's column still show their bookings, saying they no
    longer work here, with no link to a week that is not found?"""
    day["monday"].doctor.active = False
    db.session.commit()
    page = agenda(signed_in("manager"), date=MONDAY.isoformat())
    assert "Anna Koval" in page and "no longer working here" in page
    assert f"/desk/specialists/{day['monday'].doctor.id}" not in page


@pytest.mark.parametrize("base_url", ["http://localhost/", "http://clinic.example/under/a/path/"])
def test_the_agendas_links_read_as_url_for_writes_them(app, base_url):
    """Does each address the agenda builds once and fills in per link read exactly as url_for
    writes it, under a path prefix too?"""
    links = [
        ("desk.appointment", {"appointment_id": 7}, {}),
        ("desk.move_appointment", {"appointment_id": 1234567}, {}),
        ("desk.appointment_status", {"appointment_id": 42}, {}),
        (
            "desk.new_appointment",
            {"specialist_id": 12, "date": "2027-01-04", "start_time": "09:30"},
            {},
        ),
        ("desk.specialist_week", {"specialist_id": 3}, {"date": "2027-01-04"}),
    ]
    with app.test_request_context("/desk/", base_url=base_url):
        for endpoint, varying, fixed in links:
            address = Address(endpoint, *varying, **fixed)
            assert address.fill(**varying) == url_for(endpoint, **varying, **fixed)


def test_the_specialists_week_shows_bookings_and_free_times(day, signed_in):
    """Does the desk's week of a specialist list each day's appointments and free times?"""
    response = signed_in("manager").get(
        f"/desk/specialists/{day['monday'].doctor.id}", query_string={"date": MONDAY.isoformat()}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Anna Koval" in page and "Boris Lys" in page
    assert f"date={MONDAY.isoformat()}&amp;start_time=09:30" in page
    assert signed_in("manager").get("/desk/specialists/999").status_code == 404
    odd = signed_in("manager").get(
        f"/desk/specialists/{day['monday'].doctor.id}", query_string={"date": "2027-02-30"}
    )
    assert odd.status_code == 200 and "Showing this week" in odd.get_data(as_text=True)


def read_csv(response) -> list[list[str]]:
    """The rows of a CSV answer, checking it starts with UTF-8's byte-order mark."""
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_the_day_csv_has_a_header_and_every_appointment(day, signed_in):
    """Does the day's CSV hold a header row and each appointment, cancelled ones too?"""
    response = signed_in("manager").get("/desk/day.csv", query_string={"date": MONDAY.isoformat()})
    assert response.mimetype == "text/csv"
    assert f"day-{MONDAY.isoformat()}.csv" in response.headers["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:5] == ["Date", "Start", "End", "Specialist", "Client"]
    assert [(row[1], row[4], row[8]) for row in rows] == [
        ("09:00", "Anna Koval", "Booked"),
        ("10:00", "Boris Lys", "Arrived"),
        ("11:00", day["monday"].patient.full_name, "Cancelled"),
        ("14:00", "Anna Koval", "No show"),
    ]
    assert rows[0][5] == "'+380 67 000 0001", "a phone starting with + is kept as text"


def test_the_day_csv_quotes_and_defuses_what_people_typed(make, monday, book, signed_in):
    """Do commas, quotes and line breaks survive quoting, and do cells that would start a
    formula (= + - @, a tab, a carriage return) come out inert?"""
    tricky = make(Client, first_name='=HYPERLINK("http://evil.example","x")', last_name="Ok")
    booking = book(monday.doctor, tricky, "09:00", type="@SUM(A1)", notes='a, "b"\nc')
    booking.patient_note = "\tTab\r"
    db.session.commit()
    _, row = read_csv(
        signed_in("manager").get("/desk/day.csv", query_string={"date": MONDAY.isoformat()})
    )
    assert row[4] == '\'=HYPERLINK("http://evil.example","x") Ok'
    assert row[7] == "'@SUM(A1)"
    assert row[9] == "'\tTab\r"
    assert row[10] == 'a, "b"\nc'


def test_the_agenda_costs_the_same_queries_with_10_or_5000_appointments(
    app, signed_in, count_queries
):
    """Is the agenda's query count the same however many appointments the clinic holds?"""
    browser = signed_in("manager")
    clinic = BusyClinic(db.session, MONDAY, 10)

    def queries() -> int:
        db.session.rollback()
        with count_queries() as statements:
            assert (
                browser.get("/desk/", query_string={"date": MONDAY.isoformat()}).status_code == 200
            )
        return len(statements)

    clinic.fill(10)
    few = queries()
    clinic.fill(5000)
    many = queries()
    assert few == many <= 16


def test_an_absence_over_many_bookings_costs_the_same_queries_as_over_a_few(
    app, signed_in, count_queries
):
    """Does the page listing what an absence covers cost the same queries for 16 as for 60
    appointments (none loaded one by one)?"""
    browser = signed_in("manager")
    clinic = BusyClinic(db.session, MONDAY, 1)
    specialist_id = clinic.specialists[0].id

    def queries(last_day) -> int:
        db.session.rollback()
        form = {"specialist": specialist_id, "first_day": MONDAY.isoformat(), "last_day": last_day}
        with count_queries() as statements:
            response = browser.post("/desk/absence", data=form)
        assert response.status_code == 409
        return len(statements)

    clinic.fill(60)
    few = queries(MONDAY.isoformat())
    many = queries((MONDAY + timedelta(days=3)).isoformat())
    assert few == many
