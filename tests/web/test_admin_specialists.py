"""Can an admin list, create, edit and remove specialists with the shifts they work — each save
all or nothing, each refusal said beside the fields or listing the appointments in the way —
and does the page warn of hours no location is open? (Locations: test_admin_locations.)"""

from __future__ import annotations

from datetime import datetime, time

import pytest
from helpers import DASH, MONDAY, audited, count, fresh, text
from sqlalchemy import select

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel.errors import Invalid
from clinic.models import Appointment, Location, Shift, Specialist


def specialist_form(**changes) -> dict:
    """The specialist form's fields, filled in."""
    return {
        "first_name": "Oksana",
        "last_name": "Melnyk",
        "phone": "050 123 45 67",
        "specialty": "Dentist",
        "about": "Twenty years of practice.",
        "visit_types": "Check-up\nFilling",
        "slot_minutes": "30",
        "default_location_id": "",
        "shifts": [],
        "new_weekday": "",
        "new_from_hour": "",
        "new_to_hour": "",
        **changes,
    }


def edit_form(specialist: Specialist, **changes) -> dict:
    """The edit form of a saved specialist as the page fills it (active ticked)."""
    saved = {
        "first_name": specialist.first_name,
        "last_name": specialist.last_name,
        "slot_minutes": str(specialist.slot_minutes),
        "default_location_id": str(specialist.default_location_id or ""),
        "shifts": [str(shift.id) for shift in specialist.shifts],
        "active": "y",
    }
    return specialist_form(**{**saved, **changes})


# --- specialists: the list ----------------------------------------------------------------


def test_the_list_shows_every_specialist_with_their_hours(admin, monday, make):
    """Does the list show each specialist (the inactive marked) with specialty, default
    location, slot length and shifts in words, and links to edit and remove?"""
    make(Specialist, first_name="Taras", last_name="Inactive", active=False, specialty="ENT")
    page = text(admin.get("/admin/specialists/"))
    assert "Iryna Bondarenko" in page and "Room 1" in page and "30 minutes" in page
    assert f"Mon 09:00{DASH}12:00" in page
    assert "Taras Inactive" in page and "Inactive</span>" in page
    assert f"/admin/specialists/{monday.doctor.id}/edit" in page
    assert f"/admin/specialists/{monday.doctor.id}/remove" in page
    assert 'href="/admin/specialists/new"' in page


def test_the_list_runs_the_same_queries_for_3_and_30_specialists(admin, make, count_queries):
    """Does the list take as many queries for 30 specialists as for 3?"""
    room = make(Location, shifts=[make(Shift, weekday=0)])

    def queries_for(how_many: int) -> int:
        for n in range(how_many - count(Specialist)):
            make(
                Specialist,
                default_location=room if n % 2 else None,
                shifts=[make(Shift, weekday=n % 7, start_time=time(9), end_time=time(13))],
            )
        with count_queries() as queries:
            assert admin.get("/admin/specialists/").status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(30)


def test_the_list_marks_hours_no_location_works(admin, make):
    """Is a specialist whose Wednesday their room is not open for marked on the list?"""
    room = make(Location, shifts=[make(Shift, weekday=0)])
    make(
        Specialist,
        default_location=room,
        shifts=[make(Shift, weekday=2, start_time=time(14), end_time=time(18))],
    )
    page = text(admin.get("/admin/specialists/"))
    assert f"No location is open</strong> Wed 14:00{DASH}18:00" in page


# --- specialists: create and edit ------------------------------------------------------------


def test_a_new_specialist_is_saved_with_a_new_shift_in_one_save(admin, monday, clock):
    """Is a specialist added with an existing shift ticked and a new one made and assigned in
    the same save, each change audited with the admin as actor?"""
    monday_shift = monday.doctor.shifts[0]
    response = admin.post(
        "/admin/specialists/new",
        data=specialist_form(
            default_location_id=str(monday.room.id),
            shifts=[str(monday_shift.id)],
            new_weekday="2",
            new_from_hour="14:00",
            new_to_hour="18:00",
        ),
    )
    assert response.status_code == 302
    oksana = db.session.scalar(select(Specialist).filter_by(last_name="Melnyk"))
    assert response.location.endswith(f"/admin/specialists/{oksana.id}/edit")
    assert [(s.weekday, s.start_time, s.end_time) for s in oksana.shifts] == [
        (0, time(9), time(12)),
        (2, time(14), time(18)),
    ]
    assert oksana.visit_types == ["Check-up", "Filling"] and oksana.default_location == monday.room
    assert audited("specialists", oksana.id) == [
        ("create", admin.user.id),
        ("shifts", admin.user.id),
    ]
    new_shift = oksana.shifts[1]
    assert audited("shifts", new_shift.id) == [("create", admin.user.id)]
    assert "Oksana Melnyk is added." in text(admin.get(response.location))


def test_saving_30_shifts_costs_the_same_queries_as_3(admin, make, count_queries):
    """Does saving a specialist with 30 shifts ticked run as many queries as with 3 (the shifts
    read at once, not one by one)?"""
    shifts = [
        make(Shift, weekday=n % 7, start_time=time(n // 7 + 1), end_time=time(n // 7 + 1, 30))
        for n in range(30)
    ]

    def queries(ticked: int) -> int:
        db.session.rollback()
        form = specialist_form(
            last_name=f"Ticked{ticked}", shifts=[str(s.id) for s in shifts][:ticked]
        )
        with count_queries() as statements:
            assert admin.post("/admin/specialists/new", data=form).status_code == 302
        return len(statements)

    assert queries(3) == queries(30)


def test_an_invalid_field_writes_nothing_not_even_the_new_shift(admin, monday):
    """Does a slot length out of range refuse the whole save (400, said beside the field,
    values kept): no specialist, no new shift?"""
    specialists, shifts = count(Specialist), count(Shift)
    response = admin.post(
        "/admin/specialists/new",
        data=specialist_form(
            slot_minutes="3", new_weekday="4", new_from_hour="10:00", new_to_hour="14:00"
        ),
    )
    assert response.status_code == 400
    page = text(response)
    assert 'id="slot_minutes-error"' in page and "from 5 to 480" in page
    assert 'value="Oksana"' in page and 'value="10:00"' in page
    assert (count(Specialist), count(Shift)) == (specialists, shifts)


def test_a_new_shift_ending_before_it_starts_is_said_beside_its_field(admin, monday):
    """Is a new shift that ends before it starts refused beside its "To" field, nothing
    written?"""
    specialists, shifts = count(Specialist), count(Shift)
    response = admin.post(
        "/admin/specialists/new",
        data=specialist_form(new_weekday="1", new_from_hour="14:00", new_to_hour="10:00"),
    )
    assert response.status_code == 400
    assert 'id="new_to_hour-error"' in text(response)
    assert "must end after it starts" in text(response)
    assert (count(Specialist), count(Shift)) == (specialists, shifts)


def test_a_new_shift_needs_its_weekday(admin):
    """Are new-shift times without a weekday refused beside the weekday?"""
    response = admin.post(
        "/admin/specialists/new",
        data=specialist_form(new_from_hour="09:00", new_to_hour="10:00"),
    )
    assert response.status_code == 400
    assert 'id="new_weekday-error"' in text(response)
    assert count(Specialist) == 0


def test_a_default_location_not_in_use_is_refused_beside_it(admin, monday, make):
    """Is a switched-off room as default refused beside the default location, nothing saved?"""
    closed = make(Location, name="Old room", active=False)
    response = admin.post(
        f"/admin/specialists/{monday.doctor.id}/edit",
        data=edit_form(monday.doctor, default_location_id=str(closed.id)),
    )
    assert response.status_code == 400
    assert 'id="default_location_id-error"' in text(response)
    assert fresh(Specialist, monday.doctor.id).default_location_id == monday.room.id


def test_a_specialist_whose_room_was_switched_off_can_still_be_saved(admin, monday, clock):
    """When a specialist's default room has been switched off since, can the rest of them
    still be changed (the room they have stays theirs)?"""
    monday.room.active = False
    db.session.commit()
    response = admin.post(
        f"/admin/specialists/{monday.doctor.id}/edit",
        data=edit_form(monday.doctor, phone="044 000 11 22"),
    )
    assert response.status_code == 302, text(response)
    saved = fresh(Specialist, monday.doctor.id)
    assert (saved.phone, saved.default_location_id) == ("044 000 11 22", monday.room.id)


def test_saving_without_a_change_adds_nothing_to_the_audit_log(admin, monday, clock):
    """Does saving a specialist's page unchanged record no audit entry (the log says only what
    changed)?"""
    path, form = f"/admin/specialists/{monday.doctor.id}/edit", edit_form(monday.doctor)
    assert admin.post(path, data=form).status_code == 302
    before = audited("specialists", monday.doctor.id)
    assert admin.post(path, data=form).status_code == 302
    assert audited("specialists", monday.doctor.id) == before


def test_an_edit_is_saved_and_audited(admin, monday, clock):
    """Is an edit saved (names, slot length, visit types) and audited with the admin as
    actor?"""
    response = admin.post(
        f"/admin/specialists/{monday.doctor.id}/edit",
        data=edit_form(monday.doctor, specialty="Cardiologist", slot_minutes="45"),
    )
    assert response.status_code == 302
    doctor = fresh(Specialist, monday.doctor.id)
    assert (doctor.specialty, doctor.slot_minutes) == ("Cardiologist", 45)
    assert ("update", admin.user.id) in audited("specialists", doctor.id)


def test_the_edit_page_warns_when_no_location_works_the_shifts(admin, monday, make, clock):
    """After a save that gives a doctor a default room not open on Wednesday and a new
    Wednesday shift, does the edit page say they show no free times then?"""
    mondays_only = make(Location, name="Monday room", shifts=[make(Shift, weekday=0)])
    response = admin.post(
        f"/admin/specialists/{monday.doctor.id}/edit",
        data=edit_form(
            monday.doctor,
            default_location_id=str(mondays_only.id),
            new_weekday="2",
            new_from_hour="14:00",
            new_to_hour="18:00",
        ),
    )
    assert response.status_code == 302
    page = text(admin.get(response.location))
    assert (
        f"No location is open Wednesday 14:00{DASH}18:00: Iryna Bondarenko shows no free "
        "times then." in page
    )
    assert "No location is open Monday" not in page


def test_unticking_a_booked_shift_is_refused_listing_the_appointment(admin, monday, book, clock):
    """Is unticking the shift of a booked appointment refused (409), listing it with a link to
    move it at the desk, the shifts unchanged?"""
    booked = book(monday.doctor, monday.patient, "10:00")
    response = admin.post(
        f"/admin/specialists/{monday.doctor.id}/edit", data=edit_form(monday.doctor, shifts=[])
    )
    assert response.status_code == 409
    page = text(response)
    assert f"/desk/appointments/{booked.id}/move" in page
    assert monday.patient.full_name in page and "Nothing is saved yet" in page
    assert 'value="Iryna"' in page
    assert [s.id for s in fresh(Specialist, monday.doctor.id).shifts] == [
        monday.doctor.shifts[0].id
    ]


def test_switching_off_a_specialist_with_bookings_to_come_is_refused(admin, monday, book, clock):
    """Is switching off a doctor with an appointment to come refused (409), listing it?"""
    booked = book(monday.doctor, monday.patient, "10:00")
    form = edit_form(monday.doctor)
    del form["active"]
    response = admin.post(f"/admin/specialists/{monday.doctor.id}/edit", data=form)
    assert response.status_code == 409
    assert f"/desk/appointments/{booked.id}/move" in text(response)
    assert fresh(Specialist, monday.doctor.id).active


def test_an_inactive_specialist_vanishes_from_the_public_but_keeps_history(
    admin, client, monday, book, clock
):
    """Once switched off (their appointments past), is a doctor gone from the directory and
    their week (404), refused for booking, and their past appointment still at the desk?"""
    past = book(monday.doctor, monday.patient, "10:00")
    clock.move_to(datetime(2027, 1, 5, 9, 0))
    form = edit_form(monday.doctor)
    del form["active"]
    response = admin.post(f"/admin/specialists/{monday.doctor.id}/edit", data=form)
    assert response.status_code == 302
    assert not fresh(Specialist, monday.doctor.id).active
    assert "Iryna Bondarenko" not in text(client.get("/"))
    assert client.get(f"/specialists/{monday.doctor.id}").status_code == 404
    with pytest.raises(Invalid):
        scheduling.book_appointment(
            db.session,
            specialist_id=monday.doctor.id,
            client_id=monday.patient.id,
            date=MONDAY.replace(day=11),
            start_time="10:00",
            now=datetime(2027, 1, 5, 9, 0),
        )
    assert fresh(Appointment, past.id) is not None
    assert admin.get(f"/desk/appointments/{past.id}").status_code == 200
    assert "Inactive</span>" in text(admin.get("/admin/specialists/"))


# --- specialists: remove -----------------------------------------------------------------------


def test_the_remove_page_says_what_will_happen(admin, monday):
    """Does the confirmation page say a specialist is deleted or, when referred to,
    deactivated?"""
    page = text(admin.get(f"/admin/specialists/{monday.doctor.id}/remove"))
    assert "deleted for good" in page and "deactivated" in page


def test_removing_an_unreferenced_specialist_deletes_them(admin, make):
    """Is a specialist nothing refers to deleted, the flash saying so, the deletion audited?"""
    spare = make(Specialist, first_name="Spare", last_name="Doctor").id
    response = admin.post(f"/admin/specialists/{spare}/remove", follow_redirects=True)
    assert "Spare Doctor is deleted." in text(response)
    assert fresh(Specialist, spare) is None
    assert audited("specialists", spare) == [("delete", admin.user.id)]


def test_removing_a_referenced_specialist_deactivates_them(admin, monday, book, clock):
    """Is a specialist with a past appointment deactivated, the flash saying what that means?"""
    book(monday.doctor, monday.patient, "10:00")
    clock.move_to(datetime(2027, 1, 5, 9, 0))
    response = admin.post(f"/admin/specialists/{monday.doctor.id}/remove", follow_redirects=True)
    assert (
        "Iryna Bondarenko is deactivated: kept with their history, hidden from the public and "
        "from new bookings." in text(response)
    )
    assert not fresh(Specialist, monday.doctor.id).active
    assert ("deactivate", admin.user.id) in audited("specialists", monday.doctor.id)


def test_removing_a_specialist_with_bookings_to_come_is_refused(admin, monday, book, clock):
    """Is removing a doctor with an appointment to come refused (409), listing it with a link
    to move it at the desk, nothing changed?"""
    booked = book(monday.doctor, monday.patient, "10:00")
    response = admin.post(f"/admin/specialists/{monday.doctor.id}/remove")
    assert response.status_code == 409
    page = text(response)
    assert f"/desk/appointments/{booked.id}/move" in page and "Nothing is removed" in page
    assert fresh(Specialist, monday.doctor.id).active


def test_an_unknown_specialist_is_not_found(admin):
    """Do the edit and remove pages of an unknown specialist answer 404?"""
    assert admin.get("/admin/specialists/999/edit").status_code == 404
    assert admin.get("/admin/specialists/999/remove").status_code == 404
