"""Does the admin's audit log show every change in words — who, when, what, before → after,
a link to the thing — filtered by who, what kind and which days, 50 a page, at a fixed cost
in queries?"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest
from helpers import text

from clinic import scheduling, setup
from clinic.extensions import db
from clinic.models import Shift, TimeOff, User

ENTRY = 'class="audit-entry"'
DASH = "\N{EN DASH}"


@pytest.fixture
def admin(signed_in):
    """An admin signed in, with a name."""
    browser = signed_in("admin")
    browser.user.first_name, browser.user.last_name = "Alla", "Adminova"
    db.session.commit()
    return browser


def entries(response) -> list[str]:
    """Each entry of a log page, as its HTML, newest first."""
    page = text(response)
    return [part.split("</li>\n  \n")[0] for part in page.split(ENTRY)[1:]]


def log(browser, **args) -> str:
    """The log page asked with these filters, as text (it answers 200)."""
    response = browser.get("/admin/audit/", query_string=args)
    assert response.status_code == 200, response.status_code
    return text(response)


def test_shift_and_time_off_changes_made_on_the_pages_are_in_the_log(admin, monday, clock):
    """Are creating, changing and deleting a shift and a time off each an entry naming who
    made it, with before → after in words, newest first, and no link to deleted things?"""
    admin.post("/admin/shifts/new", data={"weekday": "4", "from_hour": "07:30", "to_hour": "09:00"})
    shift = db.session.query(Shift).filter_by(weekday=4, start_time=time(7, 30)).one()
    edit = {"weekday": "4", "from_hour": "08:00", "to_hour": "09:00"}
    admin.post(f"/admin/shifts/{shift.id}/edit", data=edit)
    admin.post(f"/admin/shifts/{shift.id}/remove")
    form = {"scope": "clinic", "first_day": "2027-01-05", "reason": "Training"}
    admin.post("/admin/time-off/new", data=form)
    time_off_id = db.session.query(TimeOff.id).scalar()
    admin.post(f"/admin/time-off/{time_off_id}/edit", data={**form, "reason": "Inventory"})
    admin.post(f"/admin/time-off/{time_off_id}/remove")
    shown = entries(admin.get("/admin/audit/"))
    assert [re.search(r"<strong>(.*?)</strong>", e).group(1) for e in shown[:6]] == [
        "Deleted",
        "Changed",
        "Created",
        "Deleted",
        "Changed",
        "Created",
    ]
    assert all("Alla Adminova" in entry for entry in shown[:6])
    assert "Time off: Tuesday 5 January 2027 (all day)" in shown[0]
    assert "Reason: Training → Inventory" in shown[1]
    assert f"Shifts: Friday 08:00{DASH}09:00" in shown[3] and "href" not in shown[3]
    assert "From: 07:30 → 08:00" in shown[4]
    assert "Weekday: Friday" in shown[5] and "From: 07:30" in shown[5]


def test_the_log_filters_by_user_and_by_the_system(admin, monday, book, make, clock):
    """Does `?user=` keep only that user's changes, `?user=system` only the system's, and the
    choice of users list the staff who appear in the log?"""
    manager = make(User, role="manager", first_name="Maria", last_name="Desk")
    idle = make(User, role="manager", first_name="Ivan", last_name="Idle")
    scheduling.create_shift(db.session, 2, "10:00", "11:00", actor=admin.user)
    book(monday.doctor, monday.patient, "10:00", actor=manager)
    book(monday.doctor, monday.patient, "11:00")
    page = log(admin)
    assert f'<option value="{manager.id}">Maria Desk</option>' in page
    assert f'value="{idle.id}"' not in page, "only those who appear in the log"
    by_manager = entries(admin.get("/admin/audit/", query_string={"user": manager.id}))
    assert len(by_manager) == 1 and "Monday 4 January 2027 at 10:00" in by_manager[0]
    by_system = entries(admin.get("/admin/audit/?user=system"))
    assert len(by_system) == 1 and "the system" in by_system[0]
    by_admin = entries(admin.get("/admin/audit/", query_string={"user": admin.user.id}))
    assert len(by_admin) == 1 and f"Wednesday 10:00{DASH}11:00" in by_admin[0]


def test_the_log_filters_by_kind_of_thing(admin, monday, book, clock):
    """Does `?entity=` keep only the changes of that kind of thing?"""
    scheduling.create_shift(db.session, 2, "10:00", "11:00", actor=admin.user)
    book(monday.doctor, monday.patient, "10:00", actor=admin.user)
    shifts = entries(admin.get("/admin/audit/?entity=shifts"))
    assert len(shifts) == 1 and "Shifts:" in shifts[0]
    appointments = entries(admin.get("/admin/audit/?entity=appointments"))
    assert len(appointments) == 1 and "Appointments:" in appointments[0]


def test_the_log_filters_by_clinic_days(admin, clock):
    """Do `?from=` and `?to=` keep the changes made on those days (inclusive)?"""
    for day in (1, 2, 3, 4):
        clock.move_to(datetime(2027, 1, day, 12, tzinfo=UTC))
        scheduling.create_shift(db.session, day, "10:00", "11:00", actor=admin.user)
    page = log(admin, **{"from": "2027-01-02", "to": "2027-01-03"})
    assert page.count(ENTRY) == 2
    assert f"Wednesday 10:00{DASH}11:00" in page and f"Thursday 10:00{DASH}11:00" in page
    assert log(admin, **{"from": "2027-01-04"}).count(ENTRY) == 1
    assert log(admin, to="2027-01-01").count(ENTRY) == 1


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"user": "abc"}, "user"),
        ({"user": "999999"}, "user"),
        ({"user": "1" * 31}, "user"),
        ({"user": "\u00b2"}, "user"),
        ({"entity": "passwords"}, "entity"),
        ({"from": "2027-02-30"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": "2027-01-01", "to": "2026-12-31"}, "to"),
    ],
)
def test_a_bad_filter_is_said_beside_its_field_and_ignored(admin, clock, args, field):
    """Is a filter that cannot be one said beside its field (400) and the log shown without
    it, never a 500?"""
    scheduling.create_shift(db.session, 2, "10:00", "11:00", actor=admin.user)
    response = admin.get("/admin/audit/", query_string=args)
    assert response.status_code == 400
    page = text(response)
    assert f'id="{field}-error"' in page
    assert page.count(ENTRY) == 1


def test_the_log_pages_by_fifty_keeping_the_filters(admin, clock):
    """Are 120 changes shown 50 a page, newest first, the page links keeping the filters, and
    a page number that is none (or past the end) safe?"""
    for n in range(120):
        scheduling.create_shift(db.session, n % 7, time(n // 7), time(n // 7, 30), actor=admin.user)
    first = log(admin, entity="shifts")
    assert first.count(ENTRY) == 50 and "Page 1 of 3" in first
    following = re.search(r'href="([^"]*)" rel="next"', first).group(1)
    assert "page=2" in following and "entity=shifts" in following
    assert f"Monday 17:00{DASH}17:30" in entries(admin.get("/admin/audit/?entity=shifts"))[0]
    assert log(admin, entity="shifts", page=3).count(ENTRY) == 20
    assert "Page 1 of 3" in log(admin, page="abc")
    assert "Page 3 of 3" in log(admin, page="99")


def test_each_entry_links_to_the_thing_it_changed(admin, monday, book, make, clock):
    """Does each entry link to its thing's page — appointment, client, specialist, location,
    shift, time off, staff account, settings — and a deleted thing's entry to nothing?"""
    visit = book(monday.doctor, monday.patient, "10:00", actor=admin.user)
    client = setup.save_client(db.session, monday.patient, {"phone": "050 1"}, actor=admin.user)
    setup.save_specialist(db.session, monday.doctor, {"phone": "050 2"}, actor=admin.user)
    setup.save_location(db.session, monday.room, {"address": "Floor 2"}, actor=admin.user)
    shift, _ = scheduling.create_shift(db.session, 3, "07:00", "08:00", actor=admin.user)
    closed = scheduling.save_time_off(
        db.session, starts_at="2027-01-06", ends_at="2027-01-07", actor=admin.user
    ).time_off
    manager = make(User, role="manager")
    setup.update_staff_user(db.session, manager, {"first_name": "Mila"}, actor=admin.user)
    setup.save_settings(db.session, {"phone": "044 000"}, actor=admin.user)
    gone, _ = scheduling.create_shift(db.session, 6, "07:00", "08:00", actor=admin.user)
    scheduling.remove_shift(db.session, gone.id, actor=admin.user)
    page = log(admin)
    for link in (
        f"/desk/appointments/{visit.id}",
        f"/desk/clients/{client.id}",
        f"/admin/specialists/{monday.doctor.id}/edit",
        f"/admin/locations/{monday.room.id}/edit",
        f"/admin/shifts/{shift.id}/edit",
        f"/admin/time-off/{closed.id}/edit",
        f"/admin/staff/{manager.id}/edit",
        "/admin/settings",
    ):
        assert f'href="{link}"' in page, link
    assert f'href="/admin/shifts/{gone.id}/edit"' not in page
    assert "Phone: (none) → 044 000" in page
    assert "First name: (none) → Mila" in page


def test_a_page_of_fifty_costs_the_same_queries_as_a_page_of_five(
    admin, monday, book, make, clock, count_queries
):
    """Is the number of queries of a log page the same with 5 entries of every kind as with
    50 (names looked up once for each kind, never per entry)?"""
    visit = book(monday.doctor, monday.patient, "10:00", actor=admin.user)
    manager = make(User, role="manager")

    def round_of_changes(n: int) -> None:
        scheduling.create_shift(db.session, n % 7, time(n // 7 + 1), time(n // 7 + 2))
        setup.save_client(db.session, monday.patient, {"phone": f"050 {n}"}, actor=admin.user)
        scheduling.update_appointment(db.session, visit.id, {"notes": f"Note {n}"}, actor=manager)
        scheduling.save_time_off(
            db.session, starts_at=f"2027-02-{n + 1:02d}", ends_at=f"2027-02-{n + 2:02d}"
        )
        setup.update_staff_user(db.session, manager, {"first_name": f"M{n}"}, actor=admin.user)

    def queries() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            assert admin.get("/admin/audit/").status_code == 200
        return len(statements)

    round_of_changes(0)
    few = queries()
    for n in range(1, 12):
        round_of_changes(n)
    assert queries() == few
