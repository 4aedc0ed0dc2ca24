"""In a real browser (Chromium via Playwright), at desktop and phone widths: can a patient find
a specialist, register (or sign in), book, see it under My appointments, download the .ics, move
it and cancel it, by mouse, by keyboard and without JavaScript, every page axe-clean (nothing
serious or critical) and fitting the screen?

These run against the real clock (the browser's cannot be moved), so the clinic is built
around now: open every day 08:00-20:00, and the booking is made three days ahead."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import assert_accessible, sign_in_page

from clinic.extensions import db
from clinic.kernel import mail
from clinic.kernel.clock import clinic_now
from clinic.models import Client, ClinicSettings, Location, Shift, Specialist, User
from clinic.scheduling import book_appointment
from clinic.web.words import when

pytestmark = pytest.mark.e2e

OTHER_PATIENT = ("Petro", "Shevchenko", "+380 67 555 0199", "My knee hurts since Easter")


@pytest.fixture
def clinic(app, make) -> SimpleNamespace:
    """A room and a doctor working every day 08:00-20:00 in 30-minute slots, with two visit
    types; Anna (a patient with an account); another patient booked at 10:00 on `day`, three
    days from now."""
    settings = ClinicSettings.get()
    settings.phone = "+380 44 000 0000"
    db.session.commit()
    every_day = [
        make(Shift, weekday=day, start_time=time(8), end_time=time(20)) for day in range(7)
    ]
    room = make(Location, name="Room 1", shifts=every_day)
    doctor = make(
        Specialist,
        first_name="Iryna",
        last_name="Bondarenko",
        specialty="Cardiology",
        about="Heart checks for adults, in Ukrainian and English.",
        slot_minutes=30,
        visit_types=["Consultation", "Check-up"],
        default_location=room,
        shifts=every_day,
    )
    user = make(User, role="client", username="anna", email="anna@example.com")
    make(Client, first_name="Anna", last_name="Koval", email="anna@example.com", user=user)
    first, last, phone, note = OTHER_PATIENT
    other = make(Client, first_name=first, last_name=last, phone=phone, email="petro@example.com")
    day = clinic_now().date() + timedelta(days=3)
    book_appointment(
        db.session,
        specialist_id=doctor.id,
        client_id=other.id,
        date=day,
        start_time="10:00",
        patient_note=note,
    )
    return SimpleNamespace(doctor_id=doctor.id, day=day)


def slots_on(page, day: date, verb: str = "Book"):
    """The slot links of `day` on a week page (their aria-label says the verb and the day)."""
    return page.locator(f'a.slot[aria-label^="{verb} {day:%A} {day.day} {day:%B} at "]')


def start_of(slot) -> datetime:
    """The time a slot link leads to (its `start=`)."""
    query = parse_qs(urlsplit(slot.get_attribute("href")).query)
    return datetime.fromisoformat(query["start"][0])


def sign_in(page, username: str = "anna") -> None:
    """Fill the sign-in form the page shows and send it."""
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    sign_in_page(page, username)


def assert_week_fits(page) -> None:
    """On a phone the days are a list (one under the other); on a desktop, side by side."""
    first, second = (page.locator(".week > .week-day").nth(n).bounding_box() for n in (0, 1))
    if page.viewport_size["width"] < 600:
        assert first["x"] == second["x"] and second["y"] > first["y"], "a list of days"
    else:
        assert second["x"] > first["x"] and second["y"] == first["y"], "columns side by side"


def upcoming(page):
    """The appointments under "Upcoming" on My appointments."""
    return page.locator("ul.appointments:not(.history) > li.appointment")


def register_and_verify(page, live_server: str) -> None:
    """From the sign-in page: register Marta, and open the link emailed to her in this browser
    (the captured outbox)."""
    page.get_by_role("link", name="New here? Register").click()
    page.wait_for_url(re.compile(r"/register\?next="))
    assert_accessible(page)
    page.get_by_label("First name").fill("Marta")
    page.get_by_label("Last name").fill("Hnatiuk")
    page.get_by_label("Email").fill("marta@example.com")
    page.get_by_label("Phone").fill("+380 67 000 0002")
    page.get_by_label("Password", exact=True).fill("correct horse")
    page.get_by_label("Password again").fill("correct horse")
    page.get_by_role("button", name="Register").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    assert_accessible(page)
    message = mail.outbox()[-1]
    assert message["To"] == "marta@example.com"
    link = re.search(r"https?://\S+/verify/\S+", message.get_content()).group(0)
    assert link.startswith(live_server), "the link leads back to this site"
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm your email address"
    assert_accessible(page)
    page.get_by_label("The password you chose when registering").fill("correct horse")
    page.get_by_role("button", name="Confirm and sign in").click()


def test_find_register_book_download_move_and_cancel(screen, live_server, clinic):
    """Can a new patient find the doctor, pick a time, register, open the emailed link, book
    that time, download it for their calendar, move it and cancel it, every page accessible
    at this width?"""
    page, day = screen, clinic.day

    page.goto(live_server + "/")
    assert_accessible(page)
    page.get_by_label("Name or specialty").fill("Bondarenko")
    page.get_by_label("Specialty", exact=True).select_option("Cardiology")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("heading", name="1 specialist found").is_visible()
    assert_accessible(page)
    page.locator(".specialist .next-free a").click()
    page.wait_for_url(re.compile(rf"/specialists/{clinic.doctor_id}\?date="))
    assert page.get_by_role("heading", level=1).inner_text() == "Iryna Bondarenko"
    assert page.locator("a.slot").count() > 0, "the next free time is in that week"
    assert_accessible(page)

    page.get_by_label("Go to a date").fill(day.isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"date={day.isoformat()}"))
    assert_week_fits(page)
    assert_accessible(page)
    slot = slots_on(page, day).first
    booked_at = start_of(slot)
    slot.click()

    page.wait_for_url(re.compile(r"/login\?next="))
    assert_accessible(page)
    register_and_verify(page, live_server)
    page.wait_for_url(re.compile(rf"/me/book/{clinic.doctor_id}\?start="))
    assert when(booked_at) in page.locator(".facts").inner_text(), "back at the time picked"
    assert_accessible(page)
    page.get_by_label("Type of visit").select_option("Check-up")
    page.get_by_label("A note for the clinic").fill("First visit, bringing old results.")
    page.get_by_role("button", name="Book this time").click()

    page.wait_for_url(f"{live_server}/me/appointments")
    assert f"Booked: {when(booked_at)} with Iryna Bondarenko" in page.content()
    assert upcoming(page).count() == 1
    assert when(booked_at) in upcoming(page).first.inner_text()
    assert "Check-up with Iryna Bondarenko" in upcoming(page).first.inner_text()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Add to calendar")).click()
    ics = download.value.path().read_text()
    assert ics.startswith("BEGIN:VCALENDAR")
    assert re.search(rf"^DTSTART[^:\r\n]*:{booked_at:%Y%m%dT%H%M%S}", ics, re.MULTILINE), ics

    page.get_by_role("link", name=re.compile(r"^Move")).click()
    page.wait_for_url(re.compile(r"/me/appointments/\d+/move"))
    assert_week_fits(page)
    assert_accessible(page)
    new_slot = slots_on(page, day, "Move to").last
    moved_to = start_of(new_slot)
    assert moved_to != booked_at
    new_slot.click()
    page.wait_for_url(re.compile(r"/move/confirm\?start="))
    assert when(moved_to) in page.locator(".facts").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Move it here").click()

    page.wait_for_url(f"{live_server}/me/appointments")
    assert upcoming(page).count() == 1
    assert when(moved_to) in upcoming(page).first.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"^Cancel")).click()
    page.wait_for_url(re.compile(r"/me/appointments/\d+/cancel"))
    assert_accessible(page)
    page.get_by_label("Why are you cancelling?").fill("I feel better.")
    page.get_by_role("button", name="Cancel the appointment").click()

    page.wait_for_url(f"{live_server}/me/appointments")
    assert "You have no upcoming appointments." in page.locator("main").inner_text()
    history = page.locator("ul.history > li.appointment")
    assert history.count() == 1
    assert when(moved_to) in history.first.inner_text()
    assert history.first.locator(".status").inner_text() == "Cancelled"
    assert_accessible(page)


def focus_is_visible(page) -> bool:
    """Whether the focused element shows an outline (the site's focus ring)."""
    return page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_a_visitor_books_by_keyboard_alone(screen, live_server, clinic):
    """Can a visitor Tab to a free time, open it with Enter, sign in, land on the confirmation
    of that same time, and book it with the keyboard (Tab, Shift+Tab, Space), the focus always
    visible?"""
    page = screen
    page.goto(f"{live_server}/specialists/{clinic.doctor_id}?date={clinic.day.isoformat()}")
    for _ in range(100):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('slot')"):
            break
    else:
        pytest.fail("no free time could be reached with Tab")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    assert focus_is_visible(page), "the focused time is visibly marked"
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/login\?next="))
    assert "Please sign in" in page.locator("main").inner_text()
    sign_in(page)

    page.wait_for_url(re.compile(r"/me/book/"))
    back, picked = urlsplit(page.url), urlsplit(href)
    assert back.path == picked.path == f"/me/book/{clinic.doctor_id}"
    assert parse_qs(back.query)["start"] == parse_qs(picked.query)["start"]
    assert page.get_by_role("button", name="Book this time").is_visible()
    assert_accessible(page)

    def on_book_button() -> bool:
        return page.evaluate(
            "document.activeElement.tagName === 'BUTTON'"
            " && document.activeElement.textContent.trim() === 'Book this time'"
        )

    for _ in range(40):
        page.keyboard.press("Tab")
        if on_book_button():
            break
    else:
        pytest.fail("the Book button could not be reached with Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    assert on_book_button(), "Shift+Tab comes back to the button"
    assert focus_is_visible(page)
    page.keyboard.press("Space")
    page.wait_for_url(f"{live_server}/me/appointments")
    assert upcoming(page).count() == 1
    assert when(datetime.fromisoformat(parse_qs(picked.query)["start"][0])) in (
        upcoming(page).first.inner_text()
    )
    assert_accessible(page)


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_without_javascript_a_patient_finds_a_time_and_books(screen, live_server, clinic):
    """With JavaScript off, can a patient go from the directory to a free time, sign in,
    book it and see it under My appointments? (axe needs scripts: the same pages are
    checked with them on in the other tests.)"""
    page, day = screen, clinic.day
    page.goto(f"{live_server}/?q=Bondarenko")
    page.locator(".specialist .next-free a").click()
    page.wait_for_url(re.compile(rf"/specialists/{clinic.doctor_id}\?date="))
    page.get_by_label("Go to a date").fill(day.isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"date={day.isoformat()}"))
    slot = slots_on(page, day).first
    booked_at = start_of(slot)
    slot.click()
    page.wait_for_url(re.compile(r"/login\?next="))
    sign_in(page)
    page.wait_for_url(re.compile(rf"/me/book/{clinic.doctor_id}\?start="))
    page.get_by_label("Type of visit").select_option("Consultation")
    page.get_by_role("button", name="Book this time").click()
    page.wait_for_url(f"{live_server}/me/appointments")
    assert upcoming(page).count() == 1
    assert when(booked_at) in upcoming(page).first.inner_text()


def test_no_page_shows_another_patient(page, live_server, clinic):
    """Do the directory and the doctor's week, to a visitor and to another patient, keep the
    other patient's name, phone and note to themselves, and not offer their time?"""
    first, last, phone, note = OTHER_PATIENT
    week = f"{live_server}/specialists/{clinic.doctor_id}?date={clinic.day.isoformat()}"

    def assert_private() -> None:
        text = page.content()
        for secret in (first, last, phone, note):
            assert secret not in text, f"{secret!r} shown on {page.url}"

    page.goto(live_server + "/")
    assert_private()
    page.goto(week)
    assert_private()
    offered = {start_of(slot).time() for slot in slots_on(page, clinic.day).all()}
    assert time(9, 30) in offered and time(10) not in offered

    page.goto(f"{live_server}/login")
    sign_in(page)
    page.wait_for_url(f"{live_server}/me/appointments")
    assert_private()
    for path in ("/", week.removeprefix(live_server)):
        page.goto(live_server + path)
        assert_private()
    assert time(10) not in {start_of(slot).time() for slot in slots_on(page, clinic.day).all()}
