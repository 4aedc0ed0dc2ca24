"""Who sees which appointments and clients, filtered how, in how many queries?"""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import MONDAY, NOW, during

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel.errors import NotFound
from clinic.models import Client, User


def listed(viewer, **filters) -> list[int]:
    """The ids of the appointments `viewer` sees with these filters."""
    return [a.id for a in db.session.scalars(scheduling.appointments_query(viewer, **filters))]


def test_staff_see_all_a_client_their_own_and_nobody_none(monday, book, make):
    """Does a manager see every appointment, a client only theirs, an anonymous caller none?"""
    owner = make(User, role="client")
    monday.patient.user = owner
    db.session.commit()
    own = book(monday.doctor, monday.patient, "10:00")
    other = book(monday.doctor, make(Client), "11:00")
    assert listed(make(User, role="manager")) == [own.id, other.id]
    assert listed(owner) == [own.id]
    assert listed(None) == []


def test_filters_by_day_range_people_and_status(monday, book, make):
    """Do ?date, from/to, specialist, client and status narrow the list as asked?"""
    admin = make(User, role="admin")
    first = book(monday.doctor, monday.patient, "10:00")
    later = book(monday.doctor, make(Client), "10:00", day=MONDAY + timedelta(days=7))
    scheduling.cancel_appointment(db.session, later.id, now=NOW)
    assert listed(admin, day=MONDAY) == [first.id]
    assert listed(admin, first=MONDAY, last=MONDAY + timedelta(days=7)) == [first.id]
    assert listed(admin, status="all") == [first.id, later.id]
    assert listed(admin, status="cancelled") == [later.id]
    assert listed(admin, client_id=monday.patient.id) == [first.id]
    assert listed(admin, specialist_id=monday.doctor.id + 1) == []


def test_a_days_agenda_shows_cancelled_ones_with_people_in_one_query(
    monday, book, make, count_queries
):
    """Does the desk's day list keep cancelled appointments and load who and where at once?"""
    manager = make(User, role="manager")
    kept = book(monday.doctor, monday.patient, "10:00")
    gone = book(monday.doctor, make(Client), "11:00")
    scheduling.cancel_appointment(db.session, gone.id, now=NOW)
    db.session.expire_all()
    assert manager.role == "manager", "the signed-in user is loaded before the page's queries"
    with count_queries() as queries:
        day = scheduling.day_appointments(db.session, manager, MONDAY)
        names = [(a.client.full_name, a.specialist.full_name, a.location.name) for a in day]
    assert [a.id for a in day] == [kept.id, gone.id] and len(names) == 2
    assert len(queries) == 1


def test_a_clients_upcoming_appointments_leave_out_past_and_cancelled(monday, book, make):
    """Does a client's own list hold only live appointments not yet over?"""
    owner = make(User, role="client")
    monday.patient.user = owner
    db.session.commit()
    past = book(monday.doctor, monday.patient, "09:00")
    coming = book(monday.doctor, monday.patient, "11:00")
    gone = book(monday.doctor, monday.patient, "10:00")
    scheduling.cancel_appointment(db.session, gone.id, now=NOW)
    now = past.ends_at + timedelta(minutes=1)
    assert [a.id for a in scheduling.upcoming_appointments(db.session, owner, now)] == [coming.id]


def test_client_search_matches_words_literally(make):
    """Does a client search match names, phone and email by each word, % being no wildcard?"""
    admin = make(User, role="admin")
    anna = make(
        Client, first_name="Anna", last_name="Koval", phone="+380 44 123", email="anna@example.com"
    )
    make(Client, first_name="Boris", last_name="100% Sure")

    def found(text: str) -> list[int]:
        return [c.id for c in db.session.scalars(scheduling.clients_query(admin, text))]

    assert found("anna koval") == [anna.id]
    assert found("44 123") == [anna.id]
    assert found("EXAMPLE.com") == [anna.id]
    assert found("%") != found("")
    assert len(found("")) == 2


def test_client_search_finds_a_phone_however_it_is_written(make):
    """Does a phone number typed with other spacing or punctuation find the client, and a
    name with a number in it still match word by word?"""
    admin = make(User, role="admin")
    anna = make(Client, first_name="Anna", last_name="Koval", phone="+380 (67) 000-00-01")
    make(Client, first_name="Boris", phone="+380 67 555 1234")

    def found(text: str) -> list[int]:
        return [c.id for c in db.session.scalars(scheduling.clients_query(admin, text))]

    assert found("0670000001") == [anna.id]
    assert found("067 000 00 01") == [anna.id]
    assert found("+380-67-000") == [anna.id]
    assert found("koval 000-00") == [anna.id]
    assert len(found("380 67")) == 2


def test_possible_duplicates_match_phone_digits_or_email_in_any_case(make):
    """Is a new client with the same phone (other punctuation) or email (other case) as a
    record flagged as a possible duplicate, and nobody for new details?"""
    anna = make(Client, first_name="Anna", phone="+380 67 000 0001", email="anna@example.com")
    make(Client, first_name="Boris", phone="+380 67 000 0002")
    dupes = scheduling.possible_duplicates
    assert dupes(db.session, phone="+380670000001") == [anna]
    assert dupes(db.session, phone="067 000 00 01") == [anna], "the same phone, dialled locally"
    assert dupes(db.session, email="ANNA@Example.com") == [anna]
    assert dupes(db.session, phone="+380 99 999 9999", email="new@example.com") == []
    assert dupes(db.session, phone="", email="") == []
    assert dupes(db.session, email="anna@example.com", exclude_id=anna.id) == []


def test_a_client_card_splits_upcoming_and_past_and_counts_no_shows(monday, book, make):
    """Does a client's card list live future appointments apart from past and cancelled ones,
    with the number of times they did not come, and answer NotFound to another client?"""
    manager = make(User, role="manager")
    first = book(monday.doctor, monday.patient, "09:00")
    scheduling.change_status(db.session, first.id, "no_show", now=during(first))
    gone = book(monday.doctor, monday.patient, "10:00")
    scheduling.cancel_appointment(db.session, gone.id, now=NOW)
    coming = book(monday.doctor, monday.patient, "11:00")
    now = first.ends_at + timedelta(minutes=1)
    card = scheduling.client_card(db.session, manager, monday.patient.id, now)
    assert [a.id for a in card.upcoming] == [coming.id]
    assert [a.id for a in card.past] == [gone.id, first.id]
    assert card.no_shows == 1
    stranger = make(User, role="client")
    make(Client, user=stranger)
    with pytest.raises(NotFound):
        scheduling.client_card(db.session, stranger, monday.patient.id, now)


def test_visit_type_suggestions_put_the_specialists_own_list_first(monday, book, make):
    """Does the desk get the specialist's visit types, then the types typed before, most used
    first, each once?"""
    monday.doctor.visit_types = ["Consultation"]
    db.session.commit()
    for start, kind in (("09:00", "Follow-up"), ("09:30", "Follow-up"), ("10:00", "X-ray")):
        book(monday.doctor, make(Client), start, type=kind)
    book(monday.doctor, make(Client), "10:30", type="Consultation")
    assert scheduling.visit_type_suggestions(db.session, monday.doctor) == [
        "Consultation",
        "Follow-up",
        "X-ray",
    ]
