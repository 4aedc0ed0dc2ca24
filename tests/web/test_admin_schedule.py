"""Can an admin set the clinic's hours — shifts by weekday, time off of a specialist, a
location or the whole clinic — with the booking rules' refusals said on the page?"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from helpers import MONDAY, count, fresh, text

from clinic.extensions import db
from clinic.kernel import mail
from clinic.models import Appointment, AppointmentStatus, Client, Shift, TimeOff
from clinic.scheduling import flagged, save_time_off


def doctors_shift(monday) -> Shift:
    """The doctor's Monday 09:00-12:00 shift."""
    return monday.doctor.shifts[0]


def test_shifts_are_listed_by_weekday_with_who_works_them(admin, monday, make):
    """Are the shifts grouped by weekday, Monday first, each naming its specialists and
    locations, with links to edit and remove it?"""
    make(Shift, weekday=2, start_time=time(14), end_time=time(15))
    page = text(admin.get("/admin/shifts/"))
    monday_part = page[page.index('id="day-0"') : page.index('id="day-1"')]
    assert "09:00\N{EN DASH}12:00" in monday_part and "Iryna Bondarenko" in monday_part
    assert "Room 1" in monday_part
    assert page.index("Monday") < page.index("Tuesday") < page.index("Sunday")
    wednesday = page[page.index('id="day-2"') : page.index('id="day-3"')]
    assert "14:00\N{EN DASH}15:00" in wednesday and "Nobody" in wednesday
    shift = doctors_shift(monday)
    assert f"/admin/shifts/{shift.id}/edit" in page and f"/admin/shifts/{shift.id}/remove" in page


def test_a_new_shift_is_added(admin, monday):
    """Does posting a weekday and hours add that shift and go back to the list?"""
    response = admin.post(
        "/admin/shifts/new", data={"weekday": "4", "from_hour": "07:30", "to_hour": "09:00"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/shifts/"
    db.session.expire_all()
    made = db.session.query(Shift).filter_by(weekday=4, start_time=time(7, 30)).one()
    assert made.end_time == time(9)
    assert "Shift added: Friday 07:30\N{EN DASH}09:00." in text(admin.get("/admin/shifts/"))


def test_a_shift_that_exists_is_not_made_twice(admin, monday):
    """Does adding a shift that exists already say so (409), linking to it, and make no
    duplicate?"""
    before = count(Shift)
    response = admin.post(
        "/admin/shifts/new", data={"weekday": "0", "from_hour": "09:00", "to_hour": "12:00"}
    )
    assert response.status_code == 409
    page = text(response)
    assert "The shift Monday 09:00\N{EN DASH}12:00 exists already." in page
    assert f"/admin/shifts/{doctors_shift(monday).id}/edit" in page
    assert count(Shift) == before


def test_a_shift_ending_before_it_starts_is_refused(admin, monday):
    """Is a shift ending before it starts refused beside the field, nothing written?"""
    before = count(Shift)
    response = admin.post(
        "/admin/shifts/new", data={"weekday": "1", "from_hour": "12:00", "to_hour": "10:00"}
    )
    assert response.status_code == 400
    assert "The shift must end after it starts." in text(response)
    assert count(Shift) == before


def test_a_shift_is_changed(admin, monday, clock):
    """Does editing a shift nobody is booked in change its hours?"""
    shift = doctors_shift(monday)
    page = text(admin.get(f"/admin/shifts/{shift.id}/edit"))
    assert 'value="09:00"' in page and "Iryna Bondarenko" in page
    response = admin.post(
        f"/admin/shifts/{shift.id}/edit",
        data={"weekday": "0", "from_hour": "08:00", "to_hour": "13:00"},
    )
    assert response.status_code == 302
    changed = fresh(Shift, shift.id)
    assert (changed.weekday, changed.start_time, changed.end_time) == (0, time(8), time(13))


def test_a_shift_change_that_strands_bookings_is_refused_listing_them(admin, monday, book, clock):
    """Is a change that would leave a booked appointment outside the hours refused (409),
    listing it with a link to move it at the desk, the shift left as it was?"""
    visit = book(monday.doctor, monday.patient, "11:00")
    shift = doctors_shift(monday)
    response = admin.post(
        f"/admin/shifts/{shift.id}/edit",
        data={"weekday": "0", "from_hour": "09:00", "to_hour": "10:00"},
    )
    assert response.status_code == 409
    page = text(response)
    assert "1 upcoming appointment(s) would fall outside the working hours" in page
    assert monday.patient.full_name in page
    assert f"/desk/appointments/{visit.id}/move" in page
    assert fresh(Shift, shift.id).end_time == time(12)


def test_a_worked_shift_cannot_be_removed(admin, monday):
    """Is removing a shift someone works refused (409), naming who, the shift kept?"""
    shift = doctors_shift(monday)
    assert "Iryna Bondarenko" in text(admin.get(f"/admin/shifts/{shift.id}/remove"))
    response = admin.post(f"/admin/shifts/{shift.id}/remove")
    assert response.status_code == 409
    assert "The shift is still worked by Iryna Bondarenko." in text(response)
    assert fresh(Shift, shift.id) is not None


def test_a_shift_nobody_works_is_removed(admin, make):
    """Does a shift nobody works go after the confirmation page, and a second try find
    nothing (404)?"""
    spare = make(Shift, weekday=5, start_time=time(10), end_time=time(11)).id
    confirm = admin.get(f"/admin/shifts/{spare}/remove")
    assert confirm.status_code == 200 and "Nobody works this shift" in text(confirm)
    response = admin.post(f"/admin/shifts/{spare}/remove")
    assert response.status_code == 302
    assert fresh(Shift, spare) is None
    assert admin.post(f"/admin/shifts/{spare}/remove").status_code == 404


def test_the_shift_list_costs_the_same_queries_for_few_and_many(admin, monday, make, count_queries):
    """Is the number of queries of the shift list the same with 8 shifts as with 40?"""

    def queries() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            assert admin.get("/admin/shifts/").status_code == 200
        return len(statements)

    few = queries()
    for hour in range(8):
        room = make(
            type(monday.room),
            shifts=[
                make(Shift, weekday=day, start_time=time(hour), end_time=time(hour, 30))
                for day in range(4)
            ],
        )
        assert room.id
    assert queries() == few


# Time off


def time_off_form(**changes) -> dict[str, str]:
    """The time off form's fields: the whole clinic on MONDAY, unless changed."""
    return {
        "scope": "clinic",
        "first_day": MONDAY.isoformat(),
        "from_time": "",
        "last_day": "",
        "to_time": "",
        "reason": "Staff training",
        **changes,
    }


@pytest.mark.parametrize("scope", ["clinic", "specialist", "location"])
def test_a_time_off_is_recorded_for_each_scope(admin, monday, make, clock, scope):
    """Is a time off of the whole clinic, of a specialist or of a location recorded (whole
    days when no times are given) and listed under its name with the staff's reason?"""
    other = make(type(monday.doctor), first_name="Petro", last_name="Dentyst")
    value, name = {
        "clinic": ("clinic", "Whole clinic"),
        "specialist": (f"specialist:{other.id}", "Petro Dentyst"),
        "location": (f"location:{monday.room.id}", "Room 1"),
    }[scope]
    data = time_off_form(scope=value, first_day="2027-01-05", last_day="2027-01-06")
    response = admin.post("/admin/time-off/new", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/time-off/"
    saved = db.session.query(TimeOff).one()
    assert (saved.starts_at, saved.ends_at) == (datetime(2027, 1, 5), datetime(2027, 1, 7))
    assert saved.specialist_id == (other.id if scope == "specialist" else None)
    assert saved.location_id == (monday.room.id if scope == "location" else None)
    listed = text(admin.get("/admin/time-off/"))
    assert name in listed and "Staff training" in listed
    assert "Tuesday 5 January 2027 to Wednesday 6 January 2027 (whole days)" in listed


def test_the_form_offers_each_scope_and_says_the_reason_is_for_staff(admin, monday, clock):
    """Does the form offer the whole clinic, each active specialist and each active location,
    and say that the public never sees the reason?"""
    page = text(admin.get("/admin/time-off/new"))
    assert '<option value="clinic">Whole clinic</option>' in page
    assert f'value="specialist:{monday.doctor.id}"' in page
    assert f'value="location:{monday.room.id}"' in page
    assert "For the staff only: the public sees “Not working” or “Clinic closed”." in page


def test_a_time_off_over_bookings_asks_first_and_writes_nothing(admin, monday, book, clock):
    """Without a choice, is a time off over booked appointments refused (409), listing them
    with links to move them at the desk and offering keep or cancel, nothing written?"""
    visit = book(monday.doctor, monday.patient, "10:00")
    response = admin.post("/admin/time-off/new", data=time_off_form())
    assert response.status_code == 409
    page = text(response)
    assert monday.patient.full_name in page and "Monday 4 January 2027 at 10:00" in page
    assert f"/desk/appointments/{visit.id}/move" in page
    assert 'value="keep"' in page and 'value="cancel"' in page
    assert count(TimeOff) == 0


def test_kept_bookings_stay_booked_and_flagged(admin, monday, book, clock):
    """Does keeping what a time off covers leave the appointment booked and flagged?"""
    visit = book(monday.doctor, monday.patient, "10:00")
    data = time_off_form(scope=f"specialist:{monday.doctor.id}", covered="keep")
    response = admin.post("/admin/time-off/new", data=data)
    assert response.status_code == 302
    kept = fresh(Appointment, visit.id)
    assert kept.status is AppointmentStatus.BOOKED
    assert flagged(db.session, [kept]) == {visit.id}
    assert "1 appointment(s) kept and flagged until moved." in text(admin.get("/admin/time-off/"))


def test_cancelled_bookings_email_each_client_without_the_staff_reason(
    admin, monday, book, make, clock
):
    """Does cancelling what a clinic closure covers cancel each booking and email each client,
    the staff's reason never in the email?"""
    monday.patient.email = "olena@example.com"
    second = make(Client, email="petro@example.com")
    db.session.commit()
    visits = [book(monday.doctor, monday.patient, "10:00"), book(monday.doctor, second, "11:00")]
    mail.outbox().clear()
    data = time_off_form(covered="cancel", reason="Boiler repair, secret")
    response = admin.post("/admin/time-off/new", data=data)
    assert response.status_code == 302
    assert {fresh(Appointment, v.id).status for v in visits} == {AppointmentStatus.CANCELLED}
    assert sorted(message["To"] for message in mail.outbox()) == [
        "olena@example.com",
        "petro@example.com",
    ]
    for message in mail.outbox():
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "Boiler" not in body and "secret" not in body


def test_a_time_off_is_changed(admin, monday, clock):
    """Does the edit page show the time off's values, and saving change them?"""
    saved = save_time_off(
        db.session,
        starts_at=datetime(2027, 1, 5, 13),
        ends_at=datetime(2027, 1, 5, 15),
        location_id=monday.room.id,
        reason="Painting",
    )
    time_off = saved.time_off
    page = text(admin.get(f"/admin/time-off/{time_off.id}/edit"))
    assert f'<option selected value="location:{monday.room.id}">Room 1</option>' in page
    assert 'value="13:00"' in page and 'value="15:00"' in page and "Painting" in page
    data = time_off_form(
        scope=f"location:{monday.room.id}",
        first_day="2027-01-05",
        from_time="12:00",
        last_day="2027-01-05",
        to_time="16:00",
        reason="Painting, second coat",
    )
    response = admin.post(f"/admin/time-off/{time_off.id}/edit", data=data)
    assert response.status_code == 302
    changed = fresh(TimeOff, time_off.id)
    assert (changed.starts_at, changed.ends_at, changed.reason) == (
        datetime(2027, 1, 5, 12),
        datetime(2027, 1, 5, 16),
        "Painting, second coat",
    )


def test_a_time_off_is_removed_after_asking(admin, monday, clock):
    """Does removing a time off ask first, then remove it, and a second try find nothing?"""
    saved = save_time_off(
        db.session, starts_at=datetime(2027, 1, 5), ends_at=datetime(2027, 1, 6), reason="Audit"
    )
    time_off_id = saved.time_off.id
    confirm = text(admin.get(f"/admin/time-off/{time_off_id}/remove"))
    assert "Whole clinic, Tuesday 5 January 2027 (all day)" in confirm
    assert admin.post(f"/admin/time-off/{time_off_id}/remove").status_code == 302
    assert fresh(TimeOff, time_off_id) is None
    assert admin.post(f"/admin/time-off/{time_off_id}/remove").status_code == 404


def test_the_same_time_off_twice_is_refused(admin, monday, clock):
    """Is recording the same time off again refused (409) with the reason, writing nothing?"""
    data = time_off_form(first_day="2027-01-05")
    assert admin.post("/admin/time-off/new", data=data).status_code == 302
    again = admin.post("/admin/time-off/new", data=data)
    assert again.status_code == 409
    assert "This time off is recorded already." in text(again)
    assert count(TimeOff) == 1


def test_a_bad_time_off_says_why_beside_the_field(admin, monday, clock):
    """Are a day beyond the calendar, an end before the start and no scope said beside their
    fields (400), nothing written?"""
    beyond = admin.post("/admin/time-off/new", data=time_off_form(first_day="9999-12-31"))
    assert beyond.status_code == 400
    backwards = admin.post(
        "/admin/time-off/new",
        data=time_off_form(first_day="2027-01-05", from_time="12:00", to_time="10:00"),
    )
    assert backwards.status_code == 400
    assert "The time off must end after it starts." in text(backwards)
    nobody = admin.post("/admin/time-off/new", data=time_off_form(scope=""))
    assert nobody.status_code == 400 and "Choose who is off." in text(nobody)
    assert count(TimeOff) == 0


def test_past_time_off_is_listed_apart(admin, monday, clock):
    """Is a time off that is over only in the past view, and an upcoming one only in the
    main list?"""
    for first, reason in ((datetime(2026, 12, 1), "Was away"), (datetime(2027, 1, 5), "Will be")):
        save_time_off(
            db.session,
            starts_at=first,
            ends_at=first + timedelta(days=1),
            reason=reason,
            now=datetime(2026, 11, 1),
        )
    upcoming, past = text(admin.get("/admin/time-off/")), text(admin.get("/admin/time-off/?past=1"))
    assert "Will be" in upcoming and "Was away" not in upcoming
    assert "Was away" in past and "Will be" not in past


def test_the_time_off_list_costs_the_same_queries_for_few_and_many(
    admin, monday, make, clock, count_queries
):
    """Is the number of queries of the time off list the same with 2 entries as with 30?"""

    def queries() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            assert admin.get("/admin/time-off/").status_code == 200
        return len(statements)

    def add(n: int) -> None:
        specialist = make(type(monday.doctor))
        room = make(type(monday.room))
        for scope in ({"specialist_id": specialist.id}, {"location_id": room.id}):
            first = datetime(2027, 2, 1) + timedelta(days=n)
            save_time_off(db.session, starts_at=first, ends_at=first + timedelta(hours=2), **scope)

    add(0)
    few = queries()
    for n in range(1, 15):
        add(n)
    assert queries() == few
