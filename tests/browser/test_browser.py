"""In a real browser (Chromium via Playwright), at desktop and phone widths: can people sign
in and register, using the keyboard, with no serious accessibility findings (axe-core)?"""

from __future__ import annotations

import re

import pytest
from helpers import PASSWORD, assert_accessible, sign_in_page

from clinic.kernel import mail
from clinic.models import User

pytestmark = pytest.mark.e2e


def test_staff_sign_in_with_the_keyboard(screen, live_server, make):
    """Can a manager reach the form by keyboard, sign in, and land on the desk?"""
    make(User, role="manager", username="desk", first_name="Olha", last_name="Desk")
    page = screen
    page.goto(f"{live_server}/login")
    assert_accessible(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_label("Username or email").fill("desk")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url(f"{live_server}/desk/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Appointments on")
    assert page.get_by_role("link", name="Olha Desk").is_visible()
    assert_accessible(page)


def test_a_wrong_password_shows_the_error_summary(screen, live_server, make):
    """Does a failed sign-in show an accessible error summary, the form still there?"""
    make(User, role="manager", username="desk")
    page = screen
    page.goto(f"{live_server}/login")
    sign_in_page(page, "desk", "wrong")
    assert page.get_by_role("alert").inner_text().count("Wrong username or password") == 1
    assert_accessible(page)


def test_register_verify_and_see_my_appointments(screen, live_server):
    """Can a patient register, open the emailed link, and arrive signed in?"""
    page = screen
    page.goto(f"{live_server}/register")
    assert_accessible(page)
    page.get_by_label("First name").fill("Anna")
    page.get_by_label("Last name").fill("Koval")
    page.get_by_label("Email").fill("anna@example.com")
    page.get_by_label("Phone").fill("+380 67 000 0001")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Register").click()
    assert "at least 8" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    page.get_by_label("Password", exact=True).fill("correct horse")
    page.get_by_label("Password again").fill("correct horse")
    page.get_by_role("button", name="Register").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    assert_accessible(page)
    link = re.search(r"https?://\S+/verify/\S+", mail.outbox()[-1].get_content()).group(0)
    assert link.startswith(live_server), "the link leads back to this site"
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm your email address"
    assert_accessible(page)
    page.get_by_label("The password you chose when registering").fill("correct horse")
    page.get_by_role("button", name="Confirm and sign in").click()
    page.wait_for_url(f"{live_server}/me/appointments")
    assert page.get_by_role("heading", level=1).inner_text() == "My appointments"
    assert_accessible(page)


def test_the_api_docs_work_offline_under_the_csp(page, live_server):
    """Does the API docs page render the operations with only the app's own assets and no
    Content-Security-Policy complaint?"""
    outside, complaints = [], []
    page.on(
        "request", lambda r: outside.append(r.url) if not r.url.startswith(live_server) else None
    )
    page.on(
        "console",
        lambda m: complaints.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{live_server}/api/v1/docs/")
    page.wait_for_selector(".opblock-tag")
    assert page.locator(".opblock").count() > 30
    assert outside == [] and complaints == []


def test_the_area_pages_are_accessible(screen, live_server, make, monday, book):
    """Are the home page, the desk's day and the admin overview axe-clean at both widths?"""
    make(User, role="admin", username="boss")
    book(monday.doctor, monday.patient, "10:00")
    page = screen
    page.goto(live_server + "/")
    assert page.get_by_text("Iryna Bondarenko").is_visible()
    assert_accessible(page)
    page.goto(f"{live_server}/login")
    sign_in_page(page, "boss")
    page.wait_for_url(f"{live_server}/admin/")
    assert_accessible(page)
    page.goto(f"{live_server}/desk/?date=2027-01-04")
    booked = page.locator("a:visible", has_text=monday.patient.full_name)
    assert booked.count() == 1, "the booking shows once: in the grid, or on a phone in the list"
    assert_accessible(page)
