"""Do the free-slot computations cost a fixed number of queries, however much is booked?"""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import MONDAY, NOW
from sqlalchemy import select

from clinic import scheduling
from clinic.demo import BusyClinic
from clinic.extensions import db
from clinic.models import AuditEntry, User

SPECIALISTS = 50


@pytest.fixture
def busy_clinic(app):
    """50 specialists, each with a room and a client; `fill(n)` makes n appointments in all."""
    clinic = BusyClinic(db.session, MONDAY, SPECIALISTS)
    return clinic.specialists, clinic.fill


def queries_for(count_queries, compute) -> int:
    with count_queries() as queries:
        compute()
    return len(queries)


def test_a_day_of_50_specialists_costs_the_same_with_10_or_5000_appointments(
    busy_clinic, count_queries
):
    """Is the query count of one day's slots of 50 specialists independent of bookings?"""
    _, fill = busy_clinic

    def compute():
        slots = scheduling.free_slots_by_specialist(
            db.session, MONDAY, now=NOW, policy=scheduling.SYSTEM
        )
        assert len(slots) == SPECIALISTS

    fill(10)
    few = queries_for(count_queries, compute)
    fill(5000)
    many = queries_for(count_queries, compute)
    assert few == many <= 6


def test_28_days_of_one_specialist_cost_the_same_with_10_or_5000_appointments(
    busy_clinic, count_queries
):
    """Is the query count of 28 days of one specialist's slots independent of bookings?"""
    specialists, fill = busy_clinic
    first_id, last = specialists[0].id, MONDAY + timedelta(days=27)

    def compute():
        days = scheduling.free_slots_range(
            db.session, first_id, MONDAY, last, now=NOW, policy=scheduling.SYSTEM
        )
        assert len(days) == 28

    fill(10)
    few = queries_for(count_queries, compute)
    fill(5000)
    many = queries_for(count_queries, compute)
    assert few == many <= 6
    full_day = scheduling.free_slots(db.session, first_id, MONDAY, now=NOW)
    assert full_day == [], "5,000 appointments fill the first days of every specialist"


def test_booking_costs_the_same_with_10_or_5000_appointments(busy_clinic, count_queries):
    """Is the query count of a booking independent of how much is booked?"""
    specialists, fill = busy_clinic
    second, third = specialists[1].id, specialists[2].id
    later = MONDAY + timedelta(days=60)
    fill(10)
    few = queries_for(
        count_queries,
        lambda: scheduling.book_appointment(
            db.session, specialist_id=second, client_id=1, date=later, start_time="09:00", now=NOW
        ),
    )
    fill(5000)
    many = queries_for(
        count_queries,
        lambda: scheduling.book_appointment(
            db.session, specialist_id=third, client_id=1, date=later, start_time="10:00", now=NOW
        ),
    )
    assert few == many


def test_a_booking_by_staff_does_not_read_the_actor_again(busy_clinic, count_queries, make):
    """Does a booking record who made it (the appointment and its audit entry) without reading
    the actor's row again, though the unit of work began by expiring it?"""
    specialists, _ = busy_clinic
    manager = make(User, role="manager")
    db.session.get(User, manager.id)  # read before the unit, as an API request reads its caller
    with count_queries() as queries:
        booked = scheduling.book_appointment(
            db.session,
            specialist_id=specialists[0].id,
            client_id=1,
            date=MONDAY + timedelta(days=60),
            start_time="09:00",
            actor=manager,
            now=NOW,
        )
    assert not [q for q in queries if "FROM users" in q]
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "appointments", AuditEntry.entity_id == booked.id
        )
    ).one()
    assert booked.created_by_id == entry.actor_id == manager.id
