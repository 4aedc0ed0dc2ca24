"""Can an admin read and change the clinic's settings — each explained, refused beside its
field when out of range with nothing written — and does a change show at once on the public
calendar?"""

from __future__ import annotations

import re

import pytest
from flask import current_app
from helpers import text

from clinic.extensions import db
from clinic.models import AuditEntry, ClinicSettings

WEEK = "/specialists/{}?date=2027-01-04"


def public(app, client, path: str) -> str:
    """The page an anonymous visitor gets."""
    response = client.get(path)
    assert response.status_code == 200
    return text(response)


def saved() -> ClinicSettings:
    """The settings as the database has them now."""
    db.session.expire_all()
    return ClinicSettings.get()


def settings_form(**changes) -> dict[str, str]:
    """The settings form filled in with every field changed from the defaults."""
    fields = {
        "name": "Riverside Clinic",
        "address": "12 River Street, Kyiv",
        "phone": "+380 44 555 0101",
        "self_booking": "y",
        "min_notice_minutes": "120",
        "max_days_ahead": "30",
        "cancellation_window_hours": "12",
        "default_slot_minutes": "20",
        "max_client_bookings": "3",
        **changes,
    }
    return {name: value for name, value in fields.items() if value is not None}


def test_the_page_shows_each_setting_with_what_it_does(admin):
    """Does the page show every setting filled in, each with a description, and the time
    zone as read-only text saying it is a deployment setting?"""
    page = text(admin.get("/admin/settings"))
    for name, value in (
        ("min_notice_minutes", 60),
        ("max_days_ahead", 60),
        ("cancellation_window_hours", 24),
        ("default_slot_minutes", 30),
        ("max_client_bookings", 5),
    ):
        field = re.search(rf'<input aria-describedby="{name}-help" id="{name}"[^>]*>', page)
        assert field and f'value="{value}"' in field.group(0), name
        assert re.search(rf'<p class="help" id="{name}-help">\w', page), name
    assert re.search(r'<input checked[^>]* name="self_booking" type="checkbox"', page)
    zone = current_app.config["CLINIC_TIMEZONE"]
    assert f"Time zone:</strong> {zone}" in page and "deployment setting" in page
    assert 'name="time_zone"' not in page and 'name="timezone"' not in page


def test_every_field_is_saved_and_audited(admin):
    """Is every field saved as given, in one audit entry naming the admin, before and
    after?"""
    response = admin.post("/admin/settings", data=settings_form(self_booking=None))
    assert response.status_code == 302 and response.location == "/admin/settings"
    settings = saved()
    assert (
        settings.name,
        settings.address,
        settings.phone,
        settings.self_booking,
        settings.min_notice_minutes,
        settings.max_days_ahead,
        settings.cancellation_window_hours,
        settings.default_slot_minutes,
        settings.max_client_bookings,
    ) == (
        "Riverside Clinic",
        "12 River Street, Kyiv",
        "+380 44 555 0101",
        False,
        120,
        30,
        12,
        20,
        3,
    )
    entry = db.session.query(AuditEntry).filter_by(entity="clinic_settings").one()
    assert (entry.action, entry.actor_id, entry.entity_id) == ("update", admin.user.id, 1)
    assert entry.before["self_booking"] is True and entry.after["self_booking"] is False
    assert (entry.before["min_notice_minutes"], entry.after["min_notice_minutes"]) == (60, 120)
    assert entry.after["max_client_bookings"] == 3 and entry.after["name"] == "Riverside Clinic"
    assert "The settings are saved" in text(admin.get("/admin/settings"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_notice_minutes", "-1", "from 0 to 43200"),
        ("max_days_ahead", "0", "from 1 to 730"),
        ("max_days_ahead", "731", "from 1 to 730"),
        ("cancellation_window_hours", "721", "from 0 to 720"),
        ("default_slot_minutes", "4", "from 5 to 480"),
        ("max_client_bookings", "0", "from 1 to 100"),
        ("max_client_bookings", "many", "Not a valid integer value"),
        ("default_slot_minutes", "", "Give a whole number of minutes."),
        ("name", "", "This field is required."),
        ("phone", "0" * 33, "Field cannot be longer than 32 characters."),
    ],
)
def test_a_value_out_of_range_is_refused_beside_its_field(admin, field, value, message):
    """Is a number out of range, not a number or missing, or a required name left empty,
    refused beside its field (400) with what was typed kept, and nothing written — not even
    the other fields?"""
    response = admin.post("/admin/settings", data=settings_form(**{field: value}))
    assert response.status_code == 400
    page = text(response)
    assert f'id="{field}-error"' in page and message in page
    assert 'value="Riverside Clinic"' in page or field == "name"
    settings = saved()
    assert (settings.name, settings.min_notice_minutes, settings.max_client_bookings) == (
        "Clinic",
        60,
        5,
    )
    assert db.session.query(AuditEntry).filter_by(entity="clinic_settings").count() == 0


def test_turning_self_booking_off_removes_the_booking_links_at_once(
    app, admin, client, clock, monday
):
    """Does switching self-booking off take the booking links off a specialist's public
    week on the next request (the times still shown, with the phone), and on again bring
    them back?"""
    week = WEEK.format(monday.doctor.id)
    assert f"/me/book/{monday.doctor.id}?start=" in public(app, client, week)
    admin.post("/admin/settings", data=settings_form(self_booking=None))
    page = public(app, client, week)
    assert "/me/book/" not in page and "Online booking is switched off" in page
    assert "+380 44 555 0101" in page
    admin.post("/admin/settings", data=settings_form())
    assert f"/me/book/{monday.doctor.id}?start=" in public(app, client, week)


def test_raising_the_minimum_notice_hides_the_earliest_slot(app, admin, client, clock, monday):
    """Now being Friday 08:00, does a notice of 73 h 20 min hide Monday's 09:00 (but not
    09:30) on the public week at once?"""
    week = WEEK.format(monday.doctor.id)
    first = f"/me/book/{monday.doctor.id}?start=2027-01-04T09:00"
    second = f"/me/book/{monday.doctor.id}?start=2027-01-04T09:30"
    before = public(app, client, week)
    assert first in before and second in before
    notice = str(3 * 24 * 60 + 80)
    assert (
        admin.post("/admin/settings", data=settings_form(min_notice_minutes=notice)).status_code
        == 302
    )
    after = public(app, client, week)
    assert first not in after and second in after


def test_a_shorter_horizon_hides_later_weeks(app, admin, client, clock, monday):
    """With patients booking at most 2 days ahead, does Monday (3 days off) offer nothing
    online?"""
    week = WEEK.format(monday.doctor.id)
    assert "/me/book/" in public(app, client, week)
    admin.post("/admin/settings", data=settings_form(max_days_ahead="2"))
    assert "/me/book/" not in public(app, client, week)


def test_only_admins_open_the_settings(client, signed_in):
    """Is the settings page closed to anonymous visitors (sign in) and managers (403), and
    does a manager's post change nothing?"""
    assert client.get("/admin/settings").location.startswith("/login")
    manager = signed_in("manager")
    assert manager.get("/admin/settings").status_code == 403
    assert manager.post("/admin/settings", data=settings_form()).status_code == 403
    assert saved().name == "Clinic"
