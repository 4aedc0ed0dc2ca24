"""In a real browser (Chromium via Playwright), at desktop and phone widths: can a manager at the
front desk book a client from the day's agenda, resolve a collision, check a client in and
complete the visit, do it all by keyboard, and book without JavaScript, every page axe-clean
(nothing serious or critical) and fitting the screen?

The app's clock is frozen (the `clock` fixture: Friday 1 January 2027 08:00, the server thread
reads the same clock), so the agenda of MONDAY is a working day ahead and, for the check-in,
the clock is moved to that Monday morning."""

from __future__ import annotations

import csv
import re
from datetime import datetime, time
from types import SimpleNamespace

import pytest
from helpers import MONDAY, assert_accessible, sign_in_page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from clinic.extensions import db
from clinic.models import Client, Location, Shift, Specialist, User
from clinic.scheduling import book_appointment
from clinic.web.words import when

pytestmark = pytest.mark.e2e

DOCTOR, NURSE = "Iryna Bondarenko", "Taras Melnyk"
SUGGESTION_WAIT_MS = 5_000
"""How long the type-ahead may take before the test presses Search instead."""


@pytest.fixture
def desk(app, make, clock) -> SimpleNamespace:
    """Two rooms open every day 08:00-20:00; a doctor (Room 1) and a nurse (Room 2) working
    every day 09:00-13:00 in 30-minute slots; clients Olena Marchenko, Oleh Marchuk and Petro
    Shevchenko, Petro booked with the doctor on MONDAY at 10:00; a manager "desk"."""
    open_hours = [make(Shift, weekday=d, start_time=time(8), end_time=time(20)) for d in range(7)]
    working = [make(Shift, weekday=d, start_time=time(9), end_time=time(13)) for d in range(7)]
    rooms = [make(Location, name=f"Room {n}", shifts=open_hours) for n in (1, 2)]
    doctor, nurse = (
        make(
            Specialist,
            first_name=name.split()[0],
            last_name=name.split()[1],
            specialty=specialty,
            slot_minutes=30,
            visit_types=["Consultation", "Check-up"],
            default_location=room,
            shifts=working,
        )
        for name, specialty, room in zip(
            (DOCTOR, NURSE), ("Cardiology", "Nursing"), rooms, strict=True
        )
    )
    olena = make(
        Client,
        first_name="Olena",
        last_name="Marchenko",
        phone="+380 67 123 4567",
        email="olena@example.com",
    )
    make(Client, first_name="Oleh", last_name="Marchuk", phone="+380 63 999 0000")
    petro = make(Client, first_name="Petro", last_name="Shevchenko", phone="+380 50 555 0199")
    visit = book_appointment(
        db.session, specialist_id=doctor.id, client_id=petro.id, date=MONDAY, start_time="10:00"
    )
    make(User, role="manager", username="desk", first_name="Olha", last_name="Desk")
    return SimpleNamespace(doctor=doctor.id, nurse=nurse.id, olena=olena.id, visit=visit.id)


def sign_in_at_desk(page, base: str) -> None:
    """Sign in as the manager; the desk's agenda of today opens."""
    page.goto(f"{base}/login")
    sign_in_page(page, "desk")
    page.wait_for_url(f"{base}/desk/")


def open_agenda(page, base: str, day=MONDAY) -> None:
    """The agenda of `day`, checked for its heading and accessibility."""
    page.goto(f"{base}/desk/?date={day.isoformat()}")
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"Appointments on {day:%A} {day.day} {day:%B %Y}"
    )
    assert_accessible(page)


def free_time(page, specialist: str, at: str):
    """The one visible "free" link of `specialist` at `at`: in the time grid on a desktop, in
    the list per specialist on a phone."""
    link = page.locator(f'a.entry-free[aria-label="Book {specialist} at {at}"]').filter(
        visible=True
    )
    assert link.count() == 1, f"one visible free time of {specialist} at {at}"
    wide = page.viewport_size["width"] >= 600
    holder = link.evaluate("a => a.closest('.agenda-grid, .agenda-list').className")
    assert holder == ("agenda-grid" if wide else "agenda-list"), holder
    return link


def agenda_entry(page, times: str):
    """The visible appointment on the agenda for `times` (start and end, as it writes them)."""
    return (
        page.locator("td.cell-appointment, li.entry-appointment")
        .filter(has=page.locator(".entry-time", has_text=times))
        .filter(visible=True)
    )


def client_choice(page, name: str):
    """The radio button choosing the client `name` on the booking page."""
    return page.get_by_role("radio", name=re.compile(rf"^{name}\b"))


def find_client(page, text: str, name: str, *, javascript: bool = True):
    """Type `text` into the client search and wait for `name` among the results: suggested
    while typing when JavaScript runs, else (or if they do not come) by pressing Search."""
    page.get_by_label("Find a client").fill(text)
    choice = client_choice(page, name)
    if javascript:
        try:
            choice.wait_for(timeout=SUGGESTION_WAIT_MS)
            return choice
        except PlaywrightTimeout:
            pass
    page.get_by_role("button", name="Search", exact=True).click()
    choice.wait_for()
    return choice


def book_now(page, base: str) -> None:
    """Press Book and land on the new appointment's page."""
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/desk/appointments/\d+$"))


def test_a_manager_books_a_found_client_from_the_agenda(screen, live_server, desk):
    """Can a manager pick a free time on the agenda, find a client by part of the name, book
    them, and see the client's name in that slot of the agenda?"""
    page = screen
    sign_in_at_desk(page, live_server)
    open_agenda(page, live_server)
    free_time(page, DOCTOR, "10:30").click()
    page.wait_for_url(re.compile(r"/desk/appointments/new\?"))
    assert page.get_by_label("Start").input_value() == "10:30"
    assert_accessible(page)

    choice = find_client(page, "marchen", "Olena Marchenko")
    assert client_choice(page, "Oleh Marchuk").count() == 0, "only the matching client listed"
    assert "q=" not in page.url, "with JavaScript the results come in place (no reload)"
    assert_accessible(page)
    choice.check()
    book_now(page, live_server)

    booked = when(datetime.combine(MONDAY, time(10, 30)))
    assert page.get_by_role("heading", level=1).inner_text() == f"Olena Marchenko, {booked}"
    assert f"Booked: {booked} with {DOCTOR} for Olena Marchenko." in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="The agenda of Monday 4 January").click()
    page.wait_for_url(re.compile(r"/desk/\?date=2027-01-04$"))
    entry = agenda_entry(page, "10:30\N{EN DASH}11:00")
    assert entry.count() == 1
    assert "Olena Marchenko" in entry.inner_text()
    assert page.locator(f'a.entry-free[aria-label="Book {DOCTOR} at 10:30"]').count() == 0
    assert_accessible(page)


def test_a_collision_names_the_other_visit_and_a_suggested_time_books(screen, live_server, desk):
    """Does booking a client at a time they are already booked elsewhere name that appointment
    and the nearest free times, and does a suggested time keep the client and book?"""
    page = screen
    sign_in_at_desk(page, live_server)
    open_agenda(page, live_server)
    free_time(page, NURSE, "10:00").click()
    page.wait_for_url(re.compile(r"/desk/appointments/new\?"))
    find_client(page, "Shevchenko", "Petro Shevchenko").check()
    page.get_by_role("button", name="Book", exact=True).click()

    summary = page.get_by_role("alert").filter(has_text="It collides with")
    summary.wait_for()
    taken = when(datetime.combine(MONDAY, time(10)))
    assert (
        f"{taken}\N{EN DASH}10:30: Petro Shevchenko with {DOCTOR}, Room 1" in summary.inner_text()
    )
    suggestions = summary.locator("ul.slots .slot")
    assert suggestions.count() >= 1, "the nearest free times are offered"
    assert client_choice(page, "Petro Shevchenko").is_checked(), "the client is kept"
    assert_accessible(page)

    suggested = suggestions.first.inner_text()
    assert suggested != taken
    suggestions.first.click()
    page.get_by_role("status").filter(has_text="is filled in below").wait_for()
    assert client_choice(page, "Petro Shevchenko").is_checked(), "the client is still chosen"
    assert (
        when(datetime.combine(MONDAY, time.fromisoformat(page.get_by_label("Start").input_value())))
        == suggested
    )
    assert_accessible(page)
    book_now(page, live_server)

    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == f"Petro Shevchenko, {suggested}"
    assert f"with {NURSE} for Petro Shevchenko" in page.content()
    assert_accessible(page)


def test_a_check_in_then_completing_leaves_only_the_undo(screen, live_server, desk, clock):
    """On today's agenda at 09:40, does "Arrived" mark the 10:00 client arrived; is the visit
    completed only once it has begun; does completing it on its page show Completed with no
    move, cancel or status change left but the same day's undo; and does the day's CSV say
    so?"""
    clock.move_to(datetime.combine(MONDAY, time(9, 40)))
    page = screen
    sign_in_at_desk(page, live_server)
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Appointments on Monday 4 January 2027"
    )
    assert_accessible(page)

    arrived = page.get_by_role("button", name="Petro Shevchenko arrived (10:00)").filter(
        visible=True
    )
    assert arrived.count() == 1
    arrived.click()
    page.wait_for_url(f"{live_server}/desk/")
    entry = agenda_entry(page, "10:00\N{EN DASH}10:30")
    assert entry.locator(".entry-status").inner_text() == "Arrived"
    assert entry.get_by_role("button").count() == 0, "no check-in once arrived"
    counts = page.locator("dl.status-counts")
    assert (
        counts.locator("div", has=page.locator("dt", has_text="Arrived")).locator("dd").inner_text()
        == "1"
    )
    assert_accessible(page)

    entry.get_by_role("link", name="Petro Shevchenko").click()
    page.wait_for_url(f"{live_server}/desk/appointments/{desk.visit}")
    buttons = page.locator("form.status-buttons").get_by_role("button")
    assert buttons.all_inner_texts() == ["Undo: back to booked"], "not completed before 10:00"
    clock.move_to(datetime.combine(MONDAY, time(10, 35)))
    page.reload()
    assert buttons.all_inner_texts() == ["Undo: back to booked", "Completed"]
    assert_accessible(page)
    buttons.get_by_text("Completed").click()

    page.wait_for_url(f"{live_server}/desk/appointments/{desk.visit}")
    assert page.locator(".appointment-facts .status").inner_text() == "Completed"
    assert buttons.all_inner_texts() == ["Undo: back to booked"], "only the undo is left"
    actions = page.locator("ul.appointment-actions")
    assert actions.get_by_role("link", name="Move").count() == 0
    assert actions.get_by_role("link", name="Cancel…").count() == 0
    assert_accessible(page)

    page.goto(f"{live_server}/desk/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the day (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")
    rows = list(csv.reader(download.value.path().read_text(encoding="utf-8-sig").splitlines()))
    petro = [row for row in rows[1:] if "Petro Shevchenko" in row]
    assert len(petro) == 1 and "completed" in [cell.lower() for cell in petro[0]], rows


def tab_to(page, test: str, what: str, presses: int = 80) -> None:
    """Press Tab until the focused element passes the JavaScript `test` (of `el`); check that
    the focus is visible there."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {test})(document.activeElement)"):
            break
    else:
        pytest.fail(f"{what} could not be reached with Tab")
    style = page.evaluate(
        """() => { const el = document.activeElement, s = getComputedStyle(el);
        return {visible: el.matches(':focus-visible'), outline: s.outlineStyle,
                width: parseFloat(s.outlineWidth)}; }"""
    )
    assert style["visible"] and style["outline"] != "none" and style["width"] > 0, (what, style)


def test_booking_works_by_keyboard_with_a_visible_focus(screen, live_server, desk):
    """On the booking page, can the client search, a client's radio button and the Book button
    be reached with Tab, used with Enter and Space, each showing where the focus is?"""
    page = screen
    sign_in_at_desk(page, live_server)
    page.goto(
        f"{live_server}/desk/appointments/new?specialist_id={desk.doctor}"
        f"&date={MONDAY.isoformat()}&start_time=11:00"
    )
    assert_accessible(page)

    tab_to(page, "el.id === 'q'", "the client search")
    page.keyboard.type("marc")
    page.keyboard.press("Enter")
    client_choice(page, "Olena Marchenko").wait_for()

    tab_to(page, "el.name === 'client_id' && el.type === 'radio'", "a client's radio button")
    assert page.evaluate("document.activeElement.id") == f"client-{desk.olena}"
    page.keyboard.press("Space")
    assert client_choice(page, "Olena Marchenko").is_checked()
    assert_accessible(page)

    tab_to(page, "el.type === 'submit' && el.textContent.trim() === 'Book'", "the Book button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/desk/appointments/\d+$"))
    booked = when(datetime.combine(MONDAY, time(11)))
    assert page.get_by_role("heading", level=1).inner_text() == f"Olena Marchenko, {booked}"
    assert_accessible(page)


def assert_accessible_when_scripted(browser, page, addresses: list[str]) -> None:
    """axe-core needs JavaScript: the pages a script-less visit saw, opened again by the same
    user in a tab of the same size with scripts on, are accessible."""
    context = browser.new_context(viewport=page.viewport_size)
    try:
        context.add_cookies(page.context.cookies())
        checker = context.new_page()
        for address in addresses:
            checker.goto(address)
            assert_accessible(checker)
    finally:
        context.close()


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_without_javascript_a_manager_finds_a_client_and_books(screen, browser, live_server, desk):
    """With JavaScript off, can a manager search a client by phone (the page reloads with the
    results), choose them and book a free time from the agenda?"""
    page, seen = screen, []
    sign_in_at_desk(page, live_server)
    page.goto(f"{live_server}/desk/?date={MONDAY.isoformat()}")
    seen.append(page.url)
    free_time(page, NURSE, "11:30").click()
    page.wait_for_url(re.compile(r"/desk/appointments/new\?"))
    seen.append(page.url)

    choice = find_client(page, "67 123", "Olena Marchenko", javascript=False)
    assert "q=67+123" in page.url, "the search is a plain GET that reloads the page"
    assert page.get_by_label("Start").input_value() == "11:30", "the chosen time is kept"
    seen.append(page.url)
    choice.check()
    book_now(page, live_server)
    booked = when(datetime.combine(MONDAY, time(11, 30)))
    assert page.get_by_role("heading", level=1).inner_text() == f"Olena Marchenko, {booked}"
    seen.append(page.url)

    page.goto(f"{live_server}/desk/?date={MONDAY.isoformat()}")
    entry = agenda_entry(page, "11:30\N{EN DASH}12:00")
    assert entry.count() == 1 and "Olena Marchenko" in entry.inner_text()
    assert_accessible_when_scripted(browser, page, [*seen, page.url])


def test_the_other_desk_pages_are_accessible(screen, live_server, desk):
    """Are the desk's other pages — a specialist's week, the client list with a search, a
    client's card, a new client with errors, an absence over bookings, moving and cancelling —
    axe-clean and fitting the screen at both widths?"""
    page = screen
    sign_in_at_desk(page, live_server)
    for path in (
        f"/desk/specialists/{desk.doctor}?date={MONDAY.isoformat()}",
        "/desk/clients/?q=march",
        f"/desk/clients/{desk.olena}",
        f"/desk/appointments/{desk.visit}",
        f"/desk/appointments/{desk.visit}/move",
        f"/desk/appointments/{desk.visit}/cancel",
    ):
        page.goto(live_server + path)
        assert page.get_by_role("heading", level=1).is_visible(), path
        assert_accessible(page)
    page.goto(f"{live_server}/desk/clients/new")
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Add the client").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page)
    page.goto(f"{live_server}/desk/absence?specialist_id={desk.doctor}&date={MONDAY.isoformat()}")
    page.get_by_role("button", name="Record the time off").click()
    assert "Petro Shevchenko" in page.get_by_role("region", name="Booked in this time").inner_text()
    assert_accessible(page)
