"""Can an admin list, create, edit, switch off and remove locations with their hours (refused
when bookings are in the way), and are the setup pages the admin's alone?"""

from __future__ import annotations

import re
from datetime import time

import pytest
from helpers import DASH, audited, count, fresh, text
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Location, Shift, Specialist


def location_form(**changes) -> dict:
    """The location form's fields, filled in."""
    return {
        "name": "Room 7",
        "address": "Second floor",
        "shifts": [],
        "new_weekday": "",
        "new_from_hour": "",
        "new_to_hour": "",
        **changes,
    }


# --- locations -------------------------------------------------------------------------------


def test_the_location_list_shows_each_with_its_hours(admin, monday, make):
    """Does the list show every location (those not in use marked) with address and shifts?"""
    make(Location, name="Old room", active=False)
    page = text(admin.get("/admin/locations/"))
    assert "Room 1" in page and f"Mon 08:00{DASH}20:00" in page
    assert "Old room" in page and "Inactive</span>" in page
    assert f"/admin/locations/{monday.room.id}/remove" in page


def test_a_new_location_is_saved_with_a_new_shift(admin, monday):
    """Is a location added with a new shift made and assigned in the same save, audited?"""
    response = admin.post(
        "/admin/locations/new",
        data=location_form(
            shifts=[str(monday.doctor.shifts[0].id)],
            new_weekday="5",
            new_from_hour="10:00",
            new_to_hour="14:00",
        ),
    )
    assert response.status_code == 302
    room = db.session.scalar(select(Location).filter_by(name="Room 7"))
    assert [(s.weekday, s.start_time) for s in room.shifts] == [(0, time(9)), (5, time(10))]
    assert audited("locations", room.id) == [("create", admin.user.id), ("shifts", admin.user.id)]


def test_a_location_name_taken_is_refused(admin, monday):
    """Is a second "Room 1" refused beside the name (400), nothing written?"""
    locations, shifts = count(Location), count(Shift)
    response = admin.post(
        "/admin/locations/new",
        data=location_form(
            name="room 1", new_weekday="6", new_from_hour="09:00", new_to_hour="10:00"
        ),
    )
    assert response.status_code == 400
    assert 'id="name-error"' in text(response) and "already a location called" in text(response)
    assert (count(Location), count(Shift)) == (locations, shifts)


def test_a_location_in_use_switched_off_is_refused_listing_bookings(admin, monday, book, clock):
    """Is switching off a room with an appointment to come refused (409), listing it?"""
    booked = book(monday.doctor, monday.patient, "10:00")
    response = admin.post(
        f"/admin/locations/{monday.room.id}/edit",
        data=location_form(name="Room 1", shifts=[str(s.id) for s in monday.room.shifts]),
    )
    assert response.status_code == 409
    assert f"/desk/appointments/{booked.id}/move" in text(response)
    assert fresh(Location, monday.room.id).active


def test_a_location_edit_is_saved(admin, monday, clock):
    """Is a location's new name and address saved, the edit audited?"""
    response = admin.post(
        f"/admin/locations/{monday.room.id}/edit",
        data=location_form(
            name="Blue room",
            address="Ground floor",
            shifts=[str(s.id) for s in monday.room.shifts],
            active="y",
        ),
    )
    assert response.status_code == 302
    assert fresh(Location, monday.room.id).name == "Blue room"
    assert ("update", admin.user.id) in audited("locations", monday.room.id)


def test_closing_a_location_at_booked_hours_is_refused(admin, monday, book, clock):
    """Is unticking the room's Monday while an appointment is booked then refused (409)?"""
    booked = book(monday.doctor, monday.patient, "10:00")
    response = admin.post(
        f"/admin/locations/{monday.room.id}/edit",
        data=location_form(
            name="Room 1", shifts=[str(s.id) for s in monday.room.shifts if s.weekday], active="y"
        ),
    )
    assert response.status_code == 409
    assert f"/desk/appointments/{booked.id}/move" in text(response)
    assert len(fresh(Location, monday.room.id).shifts) == 7


def test_removing_locations_deletes_or_deactivates(admin, monday, make):
    """Is a room nothing refers to deleted, and one a doctor has as default deactivated, the
    flash saying which?"""
    spare = make(Location, name="Spare room").id
    deleted = admin.post(f"/admin/locations/{spare}/remove", follow_redirects=True)
    assert "Spare room is deleted." in text(deleted)
    assert fresh(Location, spare) is None
    kept = admin.post(f"/admin/locations/{monday.room.id}/remove", follow_redirects=True)
    assert "Room 1 is deactivated" in text(kept)
    assert not fresh(Location, monday.room.id).active
    assert ("deactivate", admin.user.id) in audited("locations", monday.room.id)


def test_removing_a_location_with_bookings_to_come_is_refused(admin, monday, book, clock):
    """Is removing a room with an appointment to come refused (409), listing it?"""
    booked = book(monday.doctor, monday.patient, "10:00")
    confirm = text(admin.get(f"/admin/locations/{monday.room.id}/remove"))
    assert "deleted for good" in confirm
    response = admin.post(f"/admin/locations/{monday.room.id}/remove")
    assert response.status_code == 409
    assert f"/desk/appointments/{booked.id}/move" in text(response)
    assert fresh(Location, monday.room.id).active


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/specialists/",
        "/admin/specialists/new",
        "/admin/specialists/{doctor}/edit",
        "/admin/specialists/{doctor}/remove",
        "/admin/locations/",
        "/admin/locations/new",
        "/admin/locations/{room}/edit",
        "/admin/locations/{room}/remove",
    ],
)
def test_a_manager_may_not_open_the_setup_pages(signed_in, monday, path):
    """Does every specialist and location page answer a manager 403?"""
    manager = signed_in("manager")
    url = path.format(doctor=monday.doctor.id, room=monday.room.id)
    assert manager.get(url).status_code == 403
    if not url.endswith("/"):
        assert manager.post(url).status_code == 403


def test_the_overview_counts_what_is_in_use_as_the_directory_shows_it(signed_in, make):
    """Does the overview count the specialists and rooms in use — those the directory shows
    the public — leaving the switched-off ones out?"""
    admin = signed_in("admin")
    for active in (True, True, False):
        make(Specialist, active=active)
        make(Location, active=active)
    page = admin.get("/admin/").get_data(as_text=True)
    assert re.search(r"Active specialists</a></dt><dd>2<", page)
    assert re.search(r"Rooms in use</a></dt><dd>2<", page)
