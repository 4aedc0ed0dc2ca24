"""Who sees which appointments and clients, filtered how, in how many queries?"""

from __future__ import annotations

from datetime import timedelta

from helpers import MONDAY, NOW

from clinic import scheduling
from clinic.extensions import db
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
