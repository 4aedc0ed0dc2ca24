"""Can the front desk find, create, edit and look at client records — and delete one only
when that is allowed, saying why not otherwise?"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from helpers import MONDAY, during, fresh, text

from clinic.extensions import db
from clinic.kernel import mail
from clinic.models import AuditEntry, Client, User
from clinic.scheduling import cancel_appointment, change_status

CLIENT_LINK = re.compile(r'href="/desk/clients/(\d+)"')


@pytest.fixture
def olena(make):
    """A client with a phone number written with a country code, brackets and dashes."""
    return make(
        Client,
        first_name="Olena",
        last_name="Kovalenko",
        phone="+380 (67) 123-45-67",
        email="olena.k@example.com",
    )


@pytest.fixture
def petro(make):
    """Another client, whom Olena's searches must not find."""
    return make(
        Client, first_name="Petro", last_name="Shevchenko", phone="044 555 1234", email="p@x.org"
    )


def listed(response) -> list[int]:
    """The ids of the clients a list page links to, in order."""
    return [int(found) for found in CLIENT_LINK.findall(text(response))]


def count_clients() -> int:
    db.session.expire_all()
    return db.session.query(Client).count()


def new_client(**changes) -> dict[str, str]:
    """The new-client form's fields, filled in."""
    return {
        "first_name": "Marta",
        "last_name": "Hnatiuk",
        "phone": "050 111 22 33",
        "email": "marta@example.com",
        "notes": "Prefers mornings.",
        **changes,
    }


@pytest.mark.parametrize("search", ["Olena", "koval", "KOVALENKO olena", "olena.k@", "EXAMPLE.COM"])
def test_a_search_by_name_part_of_a_name_or_email_finds_the_client(desk, olena, petro, search):
    """Does a search by name, by part of a name in another case, or by email find the client
    and nobody else?"""
    response = desk.get("/desk/clients/", query_string={"q": search})
    assert response.status_code == 200
    assert listed(response) == [olena.id]
    assert "1 client matches" in text(response)


@pytest.mark.parametrize(
    "typed", ["+380671234567", "067 123 45 67", "(067) 123-4567", "67.123.45.67", "123-45-67"]
)
def test_a_phone_number_is_found_however_it_is_spaced(desk, olena, petro, typed):
    """Does a phone number typed with other spaces or punctuation than the record's find it?"""
    assert listed(desk.get("/desk/clients/", query_string={"q": typed})) == [olena.id]


def test_a_search_that_finds_nobody_says_so(desk, olena):
    """Does a search that matches nobody say so and offer to add a client?"""
    page = text(desk.get("/desk/clients/?q=Zzyzx"))
    assert "Nobody matches “Zzyzx”" in page and "/desk/clients/new" in page


def test_the_list_shows_phone_email_and_whether_there_is_an_online_account(desk, make, olena):
    """Does each row show the phone, the email and whether the client has an online account?"""
    user = make(User, email="holder@example.com")
    holder = make(Client, first_name="Ivan", last_name="Account", email=user.email, user=user)
    page = text(desk.get("/desk/clients/"))
    assert "+380 (67) 123-45-67" in page and "olena.k@example.com" in page
    holder_row = page.split(f'/desk/clients/{holder.id}"')[1].split("</tr>")[0]
    olena_row = page.split(f'/desk/clients/{olena.id}"')[1].split("</tr>")[0]
    assert "<td>Yes</td>" in holder_row and "<td>No</td>" in olena_row


def test_thirty_clients_make_two_pages_and_the_links_keep_the_search(desk, make, petro):
    """With 30 matching clients, is page 1 of 2 twenty-five of them and page 2 the other five,
    with the previous/next links keeping the search?"""
    for n in range(30):
        make(Client, first_name=f"Anna{n:02}", last_name="Melnyk")
    first = desk.get("/desk/clients/?q=melnyk")
    page = text(first)
    assert len(listed(first)) == 25 and "30 clients match" in page and "Page 1 of 2" in page
    assert 'href="/desk/clients/?q=melnyk&page=2"' in page
    second = desk.get("/desk/clients/?q=melnyk&page=2")
    assert len(listed(second)) == 5 and "Page 2 of 2" in text(second)
    assert 'href="/desk/clients/?q=melnyk&page=1"' in text(second)
    assert not set(listed(first)) & set(listed(second))
    assert petro.id not in listed(first) + listed(second)


@pytest.mark.parametrize(
    ("page", "shown"),
    [("abc", 1), ("-3", 1), ("0", 1), ("2", 2), ("99", 2), ("9" * 40, 2)],
)
def test_a_bad_page_number_shows_the_first_or_the_last_page(desk, make, page, shown):
    """Does a page number that is not one show the first page, and one past the end the
    last page, never an error?"""
    for n in range(30):
        make(Client, first_name=f"Anna{n:02}", last_name="Melnyk")
    response = desk.get("/desk/clients/", query_string={"page": page})
    assert response.status_code == 200
    assert f"Page {shown} of 2" in text(response)
    assert len(listed(response)) == (25 if shown == 1 else 5)


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("a" * 101, "Use at most 100 characters"),
        ("Olena\x00", "no control or invisible characters"),
        ("Olena\u200b", "no control or invisible characters"),
    ],
)
def test_a_search_that_cannot_be_one_gets_a_clear_message(desk, olena, search, message):
    """Does an over-long search, or one with a control character, get a message beside the
    search field rather than an error page?"""
    response = desk.get("/desk/clients/", query_string={"q": search})
    assert response.status_code == 400
    page = text(response)
    assert message in page and 'id="q-error"' in page and listed(response) == []


def test_a_new_client_is_saved_audited_and_shown(desk):
    """Does a new client's record get saved, audited as the manager's doing, and its card
    shown with a message?"""
    response = desk.post("/desk/clients/new", data=new_client())
    assert response.status_code == 302
    created = db.session.query(Client).filter_by(last_name="Hnatiuk").one()
    assert response.headers["Location"] == f"/desk/clients/{created.id}"
    assert (created.phone, created.email, created.notes) == (
        "050 111 22 33",
        "marta@example.com",
        "Prefers mornings.",
    )
    entry = db.session.query(AuditEntry).filter_by(entity="clients", entity_id=created.id).one()
    assert (entry.action, entry.actor_id) == ("create", desk.user.id)
    assert "Marta Hnatiuk is added." in text(desk.get(response.headers["Location"]))


@pytest.mark.parametrize("same", [{"phone": "+380-67-123 45 67"}, {"email": "OLENA.K@example.com"}])
def test_a_possible_duplicate_is_shown_and_nothing_is_saved_until_confirmed(
    desk, olena, petro, same
):
    """Does a new client with the phone (punctuated otherwise) or the email of a client on
    file show that client, linked, and save nothing — until "create anyway" is ticked?"""
    before = count_clients()
    response = desk.post("/desk/clients/new", data=new_client(**same))
    page = text(response)
    assert response.status_code == 200
    assert f'href="/desk/clients/{olena.id}"' in page and "Olena Kovalenko" in page
    assert "Shevchenko" not in page
    assert 'name="anyway"' in page and 'value="Hnatiuk"' in page
    assert count_clients() == before
    confirmed = desk.post("/desk/clients/new", data=new_client(anyway="y", **same))
    assert confirmed.status_code == 302
    assert count_clients() == before + 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"first_name": "Mar\x07ta"}, "first_name", "no control or invisible characters"),
        ({"last_name": "H" * 151}, "last_name", "150 characters"),
        ({"email": "marta-at-example.com"}, "email", "Invalid email address"),
        ({"phone": "050 111 22 33 ext. 5"}, "phone", "Use digits, spaces"),
        ({"first_name": ""}, "first_name", "This field is required"),
    ],
)
def test_invalid_input_is_refused_beside_its_field_and_nothing_is_saved(
    desk, changes, field, message
):
    """Does a name with a control character, an over-long name, a bad email or phone, or no
    name get its message beside the field (values kept) and save nothing?"""
    before = count_clients()
    response = desk.post("/desk/clients/new", data=new_client(**changes))
    page = text(response)
    assert response.status_code == 400
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1)
    assert 'value="050 111 22 33"' in page or field == "phone"
    assert count_clients() == before


def test_the_edit_form_is_prefilled_and_saves_the_changes(desk, olena):
    """Is the edit form filled in with the record, and are the changes saved and audited?"""
    page = text(desk.get(f"/desk/clients/{olena.id}/edit"))
    assert 'value="Kovalenko"' in page and 'value="olena.k@example.com"' in page
    response = desk.post(
        f"/desk/clients/{olena.id}/edit",
        data=new_client(first_name="Olena", last_name="Kovalenko-Bondar", email="o@example.com"),
    )
    assert response.headers["Location"] == f"/desk/clients/{olena.id}"
    saved = fresh(Client, olena.id)
    assert (saved.last_name, saved.phone, saved.email) == (
        "Kovalenko-Bondar",
        "050 111 22 33",
        "o@example.com",
    )
    assert (
        db.session.query(AuditEntry)
        .filter_by(entity="clients", entity_id=olena.id, action="update")
        .count()
        == 1
    )


def test_an_edit_refused_by_the_rules_keeps_the_record(desk, olena):
    """Does an edit with a control character in the name change nothing and say why?"""
    response = desk.post(f"/desk/clients/{olena.id}/edit", data=new_client(first_name="Ol\x1bena"))
    assert response.status_code == 400
    assert 'id="first_name-error"' in text(response)
    assert fresh(Client, olena.id).first_name == "Olena"


def test_an_edit_to_another_records_phone_or_address_asks_first(desk, olena, petro):
    """Does giving a record the email (or phone) another record has show that record and save
    nothing until confirmed, so that nobody's mail goes to someone else unawares; and does
    saving without changing them ask nothing?"""
    stolen = {"first_name": "Petro", "last_name": petro.last_name, "email": "OLENA.K@example.com"}
    asked = desk.post(f"/desk/clients/{petro.id}/edit", data=new_client(**stolen))
    assert asked.status_code == 200
    assert f'href="/desk/clients/{olena.id}"' in text(asked) and 'name="anyway"' in text(asked)
    assert fresh(Client, petro.id).email != "olena.k@example.com"
    confirmed = desk.post(f"/desk/clients/{petro.id}/edit", data=new_client(anyway="y", **stolen))
    assert confirmed.status_code == 302
    assert fresh(Client, petro.id).email == "olena.k@example.com"
    unchanged = {"first_name": "Olena", "last_name": "Kovalenko", "phone": olena.phone}
    again = desk.post(
        f"/desk/clients/{olena.id}/edit", data=new_client(email=olena.email, **unchanged)
    )
    assert again.status_code == 302, "its own phone and address are no duplicates"


@pytest.fixture
def holder(make):
    """A client with an online account (the record's address is the account's)."""
    user = make(User, email="ivan@example.com", first_name="Ivan", last_name="Holder")
    return make(Client, first_name="Ivan", last_name="Holder", email=user.email, user=user)


def test_an_account_holders_new_address_is_sent_a_link_rather_than_saved(desk, holder):
    """Does a new address for a client with an account ask the holder (a link to the current
    address), the page say so, and the record and account keep the old address until it is
    opened?"""
    response = desk.post(
        f"/desk/clients/{holder.id}/edit",
        data=new_client(first_name="Ivan", last_name="Holder", email="Ivan.New@example.com"),
    )
    assert response.status_code == 302
    assert [message["To"] for message in mail.outbox()] == ["ivan@example.com"]
    page = text(desk.get(response.headers["Location"]))
    assert (
        "ivan@example.com was sent a link to confirm the move to ivan.new@example.com: only "
        "the account's holder can move it, and mail keeps going to the old address until they "
        "do."
    ) in page
    saved = fresh(Client, holder.id)
    assert (saved.email, saved.user.email, saved.phone) == (
        "ivan@example.com",
        "ivan@example.com",
        "050 111 22 33",
    )


def test_an_address_another_account_has_is_refused_for_an_account_holder(desk, make, holder):
    """Is an address that another account has refused beside the email field, with no mail?"""
    make(User, email="taken@example.com")
    response = desk.post(
        f"/desk/clients/{holder.id}/edit",
        data=new_client(first_name="Ivan", last_name="Holder", email="taken@example.com"),
    )
    error = re.search(r'<p class="error" id="email-error">([^<]*)</p>', text(response))
    assert error and "already an account" in error.group(1)
    assert mail.outbox() == []
    assert fresh(Client, holder.id).email == "ivan@example.com"


def test_the_card_shows_contact_details_appointments_and_no_shows(desk, clock, monday, book, olena):
    """Does the card show the phone as a link to call, the notes, the upcoming appointment,
    past and cancelled ones with their status, the no-show count and the shortcuts?"""
    olena.notes = "Allergic to latex."
    db.session.commit()
    upcoming = book(monday.doctor, olena, "10:00", type="Check-up")
    last_week = MONDAY - timedelta(days=7)
    missed = book(monday.doctor, olena, "09:00", day=last_week, now=datetime(2026, 12, 1))
    change_status(db.session, missed.id, "no_show", now=during(missed))
    dropped = book(monday.doctor, olena, "11:00")
    cancel_appointment(db.session, dropped.id, reason="Feeling better")
    page = text(desk.get(f"/desk/clients/{olena.id}"))
    assert 'href="tel:+380(67)123-45-67"' in page and "Allergic to latex." in page
    soon, before = page.split('id="past"')
    assert "Monday 4 January 2027 at 10:00" in soon and "Check-up" in soon
    assert f'href="/desk/appointments/{upcoming.id}"' in soon
    assert "Monday 28 December 2026 at 09:00" in before and "No show" in before
    assert "Monday 4 January 2027 at 11:00" in before and "Cancelled" in before
    assert re.search(r'id="no-shows">1<', page)
    assert f"/desk/appointments/new?client_id={olena.id}" in page
    assert f'href="/desk/clients/{olena.id}/edit"' in page


def test_the_card_costs_the_same_queries_with_two_or_sixty_appointments(
    desk, clock, monday, book, olena, count_queries
):
    """Is the number of queries of a client's card the same with 2 and 60 appointments?"""

    def queries() -> int:
        with count_queries() as statements:
            assert desk.get(f"/desk/clients/{olena.id}").status_code == 200
        return len(statements)

    book(monday.doctor, olena, "09:00", day=MONDAY - timedelta(7), now=datetime(2026, 12, 1))
    book(monday.doctor, olena, "09:00")
    few = queries()
    for week in range(1, 11):
        for start in ("09:00", "09:30", "10:00", "10:30", "11:00", "11:30"):
            if (week, start) != (1, "09:00"):
                book(monday.doctor, olena, start, day=MONDAY + timedelta(weeks=week - 1))
    assert queries() == few


def test_an_admin_deletes_a_client_without_appointments(admin, olena):
    """May an admin delete a client with no appointments, after a confirmation page, with
    the deletion audited?"""
    olena_id = olena.id
    assert f'href="/desk/clients/{olena_id}/delete"' in text(admin.get(f"/desk/clients/{olena_id}"))
    assert "Delete the record" in text(admin.get(f"/desk/clients/{olena_id}/delete"))
    response = admin.post(f"/desk/clients/{olena_id}/delete")
    assert response.headers["Location"] == "/desk/clients/"
    assert fresh(Client, olena_id) is None
    entry = db.session.query(AuditEntry).filter_by(entity="clients", entity_id=olena_id).one()
    assert (entry.action, entry.actor_id) == ("delete", admin.user.id)
    assert "Olena Kovalenko's record is deleted." in text(admin.get("/desk/clients/"))


def test_an_admin_is_told_a_client_with_appointments_is_kept(admin, clock, monday, book, olena):
    """Is an admin told on the card and the confirmation page that a client with
    appointments is kept, and does a POST anyway keep the record?"""
    book(monday.doctor, olena, "10:00")
    why = "Olena Kovalenko has appointments; records with appointments are kept."
    card = text(admin.get(f"/desk/clients/{olena.id}"))
    assert why in card and f"/desk/clients/{olena.id}/delete" not in card
    confirm = text(admin.get(f"/desk/clients/{olena.id}/delete"))
    assert why in confirm and "Delete the record" not in confirm
    response = admin.post(f"/desk/clients/{olena.id}/delete")
    assert response.status_code == 409
    assert fresh(Client, olena.id) is not None


def test_a_manager_is_told_only_an_admin_deletes_and_a_post_is_forbidden(desk, olena):
    """Is a manager told why they cannot delete a client, and is a hand-made POST answered
    403 with the record kept?"""
    why = "Only an admin can delete client records."
    card = text(desk.get(f"/desk/clients/{olena.id}"))
    assert why in card and f"/desk/clients/{olena.id}/delete" not in card
    confirm = text(desk.get(f"/desk/clients/{olena.id}/delete"))
    assert why in confirm and "Delete the record" not in confirm
    assert desk.post(f"/desk/clients/{olena.id}/delete").status_code == 403
    assert fresh(Client, olena.id) is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/desk/clients/{}"),
        ("GET", "/desk/clients/{}/edit"),
        ("POST", "/desk/clients/{}/edit"),
        ("GET", "/desk/clients/{}/delete"),
        ("POST", "/desk/clients/{}/delete"),
    ],
)
@pytest.mark.parametrize("role", ["manager", "admin"])
def test_an_unknown_client_is_not_found_on_every_client_page(signed_in, olena, method, path, role):
    """Does every client page answer 404 for a client id that does not exist, whoever asks?"""
    browser = signed_in(role)
    response = browser.open(path.format(olena.id + 1000), method=method, data=new_client())
    assert response.status_code == 404
    assert count_clients() == 1
