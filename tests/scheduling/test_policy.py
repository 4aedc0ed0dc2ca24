"""Which rules apply to whom: the policy derived from the actor."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask_login import AnonymousUserMixin
from helpers import NOW, account_of, during

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel.errors import Conflict, Invalid, NotAllowed
from clinic.models import Role, User
from clinic.scheduling import Actor, Status, policy_for


@pytest.mark.parametrize(
    ("role", "actor", "online"),
    [
        (Role.ADMIN, Actor.ADMIN, False),
        (Role.MANAGER, Actor.MANAGER, False),
        (Role.CLIENT, Actor.CLIENT, True),
    ],
)
def test_each_role_has_its_policy(make, role, actor, online):
    """Do admins and managers go by the clinic's rules and clients by the online ones?"""
    policy = policy_for(make(User, role=role))
    assert (policy.actor, policy.online) == (actor, online)


def test_nobody_signed_in_is_an_anonymous_visitor():
    """Is no user, or flask-login's anonymous user, an anonymous visitor with no statuses?"""
    for nobody in (None, AnonymousUserMixin()):
        assert policy_for(nobody) is scheduling.ANONYMOUS
    assert scheduling.ANONYMOUS.online and not scheduling.ANONYMOUS.statuses


def test_a_change_without_an_actor_is_the_systems(app):
    """Does a change without an actor (the demo, the command line) go by the staff's rules?"""
    assert scheduling.acting(None) is scheduling.SYSTEM
    assert not scheduling.SYSTEM.online and scheduling.SYSTEM.statuses == frozenset(Status)


@pytest.mark.parametrize("status", ["arrived", "no_show"])
def test_a_client_may_cancel_but_not_check_in(monday, book, make, status):
    """May a client cancel their appointment but not mark it arrived or a no-show?"""
    appointment = book(monday.doctor, monday.patient, "10:00")
    patient = account_of(monday.patient, make)
    with pytest.raises(NotAllowed):
        scheduling.update_appointment(
            db.session, appointment.id, {"status": status}, actor=patient, now=NOW
        )
    cancelled = scheduling.cancel_appointment(db.session, appointment.id, actor=patient, now=NOW)
    assert cancelled.status is Status.CANCELLED


def test_a_manager_goes_by_the_status_table(monday, book, make):
    """May a manager check a client in, and is a completed one then final?"""
    appointment = book(monday.doctor, monday.patient, "10:00")
    manager = make(User, role="manager")
    scheduling.change_status(
        db.session, appointment.id, "arrived", actor=manager, now=during(appointment)
    )
    scheduling.change_status(
        db.session, appointment.id, "completed", actor=manager, now=during(appointment)
    )
    with pytest.raises(Conflict, match="cannot become"):
        scheduling.change_status(
            db.session, appointment.id, "cancelled", actor=manager, now=during(appointment)
        )


def test_a_client_may_change_their_note_but_not_the_visit_type(monday, book, make):
    """May a client change their own note on their appointment but not its type, a same value
    being no change at all?"""
    appointment = book(monday.doctor, monday.patient, "10:00", type="Consultation")
    patient = account_of(monday.patient, make)
    scheduling.update_appointment(
        db.session,
        appointment.id,
        {"patient_note": "Running late", "type": "Consultation"},
        actor=patient,
        now=NOW,
    )
    assert appointment.patient_note == "Running late"
    with pytest.raises(NotAllowed, match="type"):
        scheduling.update_appointment(
            db.session, appointment.id, {"type": "Surgery"}, actor=patient, now=NOW
        )


def test_a_client_books_only_for_themself(monday, book, make):
    """Is a client's booking for someone else's record refused as if it did not exist?"""
    patient = make(User, role="client")
    with pytest.raises(Invalid) as refused:
        book(monday.doctor, monday.patient, "10:00", actor=patient)
    assert refused.value.errors == {"client_id": f"There is no client {monday.patient.id}."}
    monday.patient.user = patient
    db.session.commit()
    assert book(monday.doctor, monday.patient, "10:00", actor=patient).client == monday.patient


def test_a_client_cannot_set_the_status_it_already_has(monday, book, make):
    """Is a client's "booked" on a booked appointment refused (403), not a silent no-op?"""
    appointment = book(monday.doctor, monday.patient, "10:00")
    with pytest.raises(NotAllowed):
        scheduling.update_appointment(
            db.session,
            appointment.id,
            {"status": "booked"},
            actor=account_of(monday.patient, make),
            now=NOW,
        )


def test_slots_read_without_a_policy_are_the_publics(monday):
    """Does a read that names no policy get the anonymous visitor's (notice and horizon), so
    that forgetting it never shows the staff's view?"""
    slots = scheduling.free_slots(
        db.session, monday.doctor.id, "2027-01-04", now=datetime(2027, 1, 4, 8, 30)
    )
    assert f"{slots[0]:%H:%M}" == "09:30", "60 minutes' notice from 08:30"


def test_the_next_statuses_follow_the_table_the_time_and_the_actor(make, monday, book):
    """Are the statuses offered for an appointment those the table allows after its own, due
    at that moment, and the actor may set: staff all of them (before the visit only
    cancelling, during it the rest, undo on its day), a client only cancelling?"""
    booked = book(monday.doctor, monday.patient, "10:00")
    manager, client = policy_for(make(User, role=Role.MANAGER)), policy_for(make(User))
    now = during(booked)
    assert manager.next_statuses(booked, NOW) == [Status.CANCELLED]
    assert manager.next_statuses(booked, now) == [Status.ARRIVED, Status.NO_SHOW, Status.CANCELLED]
    assert client.next_statuses(booked, now) == [Status.CANCELLED]
    scheduling.change_status(db.session, booked.id, "arrived", now=now)
    assert manager.next_statuses(booked, now) == [
        Status.BOOKED,
        Status.COMPLETED,
        Status.CANCELLED,
    ]
    scheduling.change_status(db.session, booked.id, "completed", now=now)
    assert manager.next_statuses(booked, now) == [Status.BOOKED]
    assert manager.next_statuses(booked, now + timedelta(days=1)) == []
