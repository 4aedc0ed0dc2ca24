"""In a real browser (Chromium via Playwright), at desktop and phone widths: can an admin set up
a new clinic from an empty database through the admin pages alone — its details, a room and a
specialist each working a shift added in their own form — so that the public sees the
specialist's free times, and a time off takes them away; can the admin create a manager who
then signs in; and does a refused save write nothing? Every page is axe-clean (nothing serious
or critical) and fits the screen.

The app's clock is frozen (the `clock` fixture: Friday 1 January 2027 08:00), so MONDAY is a
working day ahead."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from helpers import MONDAY, assert_accessible, sign_in_page
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Shift, Specialist, User

pytestmark = pytest.mark.e2e

DOCTOR = "Iryna Bondarenko"
MONDAY_SLOTS = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30"]
"""The free times of a 30-minute specialist working Monday 09:00-13:00."""


@pytest.fixture
def boss(app, make, clock) -> str:
    """The first admin, as `flask create-user` makes it, on an otherwise empty database."""
    return make(User, role="admin", username="boss", first_name="Olha", last_name="Boss").username


def sign_in(page, base: str, username: str, lands_on: str) -> None:
    """Sign in as `username` and land on `lands_on` (a path), checked for accessibility."""
    page.goto(f"{base}/login")
    sign_in_page(page, username)
    page.wait_for_url(f"{base}{lands_on}")
    assert_accessible(page)


def submit(page, button: str, lands_on: str | re.Pattern) -> None:
    """Press the button named `button`, land on `lands_on` and check the page's accessibility."""
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url(lands_on)
    assert_accessible(page)


def flash(page) -> str:
    """The text of the page's flashed messages."""
    return page.locator(".flashes").inner_text()


def admin_page(page, base: str, section: str, heading: str) -> None:
    """Open an admin section from the admin navigation; check its heading and accessibility."""
    page.get_by_role("navigation", name="Admin").get_by_role("link", name=section).click()
    page.get_by_role("heading", level=1, name=heading).wait_for()
    assert_accessible(page)


def add_new_shift(page, weekday: str, start: str, end: str) -> None:
    """Fill the form's "A new shift" fields."""
    page.get_by_label("New shift's weekday").select_option(label=weekday)
    page.get_by_label("New shift from").fill(start)
    page.get_by_label("New shift to").fill(end)


def set_clinic_details(page, base: str) -> None:
    """In Settings, give the clinic its name and phone; the header shows the new name."""
    admin_page(page, base, "Settings", "Settings")
    page.get_by_label("Clinic name").fill("Riverside Clinic")
    page.get_by_label("Phone", exact=True).fill("+380 44 555 0100")
    submit(page, "Save the settings", f"{base}/admin/settings")
    assert "The settings are saved" in flash(page)
    assert page.locator(".site-name").inner_text() == "Riverside Clinic"
    assert page.get_by_label("Phone", exact=True).input_value() == "+380 44 555 0100"


def add_room(page, base: str) -> None:
    """Add "Room 1" open on a new shift, Monday 09:00-13:00, made in the location's form."""
    admin_page(page, base, "Locations", "Locations")
    page.get_by_role("link", name="New location").click()
    page.get_by_role("heading", level=1, name="New location").wait_for()
    assert page.get_by_text("There are no shifts yet.").is_visible()
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Room 1")
    add_new_shift(page, "Monday", "09:00", "13:00")
    submit(page, "Add the location", re.compile(r"/admin/locations/\d+/edit$"))
    assert "Room 1 is added." in flash(page)
    assert worked_shift(page, "Monday", "09:00\N{EN DASH}13:00").is_checked()


def worked_shift(page, weekday: str, hours: str):
    """The checkbox of an existing shift in the form's "Shifts worked"."""
    return page.get_by_role("group", name=weekday, exact=True).get_by_label(hours, exact=True)


def add_doctor(page, base: str) -> int:
    """Add the doctor, working the existing Monday shift in Room 1 in 30-minute slots; their id."""
    admin_page(page, base, "Specialists", "Specialists")
    page.get_by_role("link", name="New specialist").click()
    page.get_by_role("heading", level=1, name="New specialist").wait_for()
    assert_accessible(page)
    first, last = DOCTOR.split()
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Specialty").fill("Cardiology")
    page.get_by_label("Slot length (minutes)").fill("30")
    page.get_by_label("Default location").select_option(label="Room 1")
    worked_shift(page, "Monday", "09:00\N{EN DASH}13:00").check()
    submit(page, "Add the specialist", re.compile(r"/admin/specialists/\d+/edit$"))
    assert f"{DOCTOR} is added." in flash(page)
    assert page.get_by_role("note").count() == 0, "Room 1 works the doctor's hours: no warning"
    return int(re.search(r"/specialists/(\d+)/edit$", page.url).group(1))


def add_time_off(page, base: str) -> None:
    """Record the doctor off all MONDAY in Time off; the list shows it."""
    admin_page(page, base, "Time off", "Time off")
    page.get_by_role("link", name="New time off").click()
    page.get_by_role("heading", level=1, name="New time off").wait_for()
    assert_accessible(page)
    page.get_by_label("Who is off").select_option(label=DOCTOR)
    page.get_by_label("From day").fill(MONDAY.isoformat())
    page.get_by_label("Reason").fill("Conference")
    submit(page, "Save the time off", f"{base}/admin/time-off/")
    assert f"Time off saved: {DOCTOR}, Monday 4 January 2027 (all day)." in flash(page)
    row = page.get_by_role("row").filter(has_text=DOCTOR)
    assert row.count() == 1 and "Conference" in row.inner_text()


@contextmanager
def visitor(browser, page) -> Iterator:
    """A page of its own (no cookies: signed out) of the same size as `page`."""
    context = browser.new_context(viewport=page.viewport_size)
    try:
        yield context.new_page()
    finally:
        context.close()


def monday_in_public(browser, page, base: str, specialist_id: int):
    """What a signed-out visitor sees of the doctor's MONDAY on the public week: the day's
    element (checked for accessibility on the way)."""
    with visitor(browser, page) as public:
        public.goto(f"{base}/specialists/{specialist_id}?date={MONDAY.isoformat()}")
        assert public.get_by_role("heading", level=1).inner_text() == DOCTOR
        assert public.get_by_role("link", name="Sign in").is_visible(), "signed out"
        assert_accessible(public)
        day = public.locator(f"#day-{MONDAY.isoformat()}")
        return day.locator(".slot").all_inner_texts(), day.locator(".day-state").all_inner_texts()


def test_a_new_clinic_is_set_up_through_the_pages_alone(screen, browser, live_server, boss):
    """From an empty database with only the first admin, can the admin name the clinic, add a
    room and a specialist working a shift made in the room's form, so that the public sees the
    specialist's free times on Monday — and does a time off that Monday turn it "Not working"?"""
    page = screen
    sign_in(page, live_server, boss, "/admin/")
    set_clinic_details(page, live_server)
    add_room(page, live_server)
    doctor = add_doctor(page, live_server)

    slots, state = monday_in_public(browser, page, live_server, doctor)
    assert (slots, state) == (MONDAY_SLOTS, []), "the doctor's Monday is open"

    add_time_off(page, live_server)
    slots, state = monday_in_public(browser, page, live_server, doctor)
    assert (slots, state) == ([], ["Not working"]), "the time off closes the doctor's Monday"


def test_a_manager_made_in_staff_signs_in_at_the_desk(screen, browser, live_server, boss):
    """Can the admin create a manager account in Staff (username, names, email, password
    twice), listed as a manager, who then signs in in a browser of their own and lands on the
    desk?"""
    page = screen
    sign_in(page, live_server, boss, "/admin/")
    admin_page(page, live_server, "Staff", "Staff and rights")
    page.get_by_role("link", name="New staff account").click()
    page.get_by_role("heading", level=1, name="New staff account").wait_for()
    assert_accessible(page)
    page.get_by_label("First name").fill("Taras")
    page.get_by_label("Last name").fill("Melnyk")
    page.get_by_label("Email").fill("taras@example.com")
    page.get_by_label("Username").fill("taras")
    page.get_by_label("Role").select_option(value="manager")
    page.get_by_label("Password", exact=True).fill("front-desk-2027")
    page.get_by_label("Password again").fill("front-desk-2027")
    submit(page, "Create the account", f"{live_server}/admin/staff/")
    assert "Taras Melnyk can now sign in as a manager" in flash(page)
    row = page.get_by_role("row").filter(has_text="taras@example.com")
    assert row.get_by_role("cell").all_inner_texts()[:5] == [
        "taras",
        "Taras Melnyk",
        "taras@example.com",
        "Manager",
        "Active",
    ]

    with visitor(browser, page) as theirs:
        theirs.goto(f"{live_server}/login")
        sign_in_page(theirs, "taras", "front-desk-2027")
        theirs.wait_for_url(f"{live_server}/desk/")
        assert theirs.get_by_role("link", name="Admin").count() == 0, "a manager, not an admin"
        assert_accessible(theirs)


def test_a_refused_specialist_writes_no_new_shift(screen, live_server, boss):
    """Saving a new specialist with a new shift and a slot length of 3 minutes: is the error
    shown beside the slot length, with the form kept, and is neither the specialist nor the
    shift written (all or nothing)?"""
    page = screen
    sign_in(page, live_server, boss, "/admin/")
    page.goto(f"{live_server}/admin/specialists/new")
    first, last = DOCTOR.split()
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Slot length (minutes)").fill("3")
    add_new_shift(page, "Wednesday", "14:00", "18:00")
    submit(page, "Add the specialist", f"{live_server}/admin/specialists/new")

    slot_length = page.get_by_label("Slot length (minutes)")
    assert slot_length.get_attribute("aria-invalid") == "true"
    error = page.locator(".field", has=slot_length).locator(".error")
    assert error.inner_text() == "Use a whole number from 5 to 480.", "beside the field"
    assert error.get_attribute("id") == "slot_minutes-error"
    assert "slot_minutes-error" in slot_length.get_attribute("aria-describedby").split()
    summary = page.get_by_role("alert").filter(has_text="Please check the form")
    assert summary.get_by_role("link", name=re.compile(r"^Slot length")).count() == 1
    assert page.get_by_label("First name").input_value() == first, "what was typed is kept"
    assert page.get_by_label("New shift from").input_value() == "14:00"

    admin_page(page, live_server, "Shifts", "Shifts")
    wednesday = page.get_by_role("region", name="Wednesday")
    assert wednesday.get_by_text("No shifts.").is_visible(), wednesday.inner_text()
    assert page.locator(".shift-item").count() == 0, "no shift was written"
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 0
    assert db.session.scalar(select(func.count()).select_from(Specialist)) == 0
