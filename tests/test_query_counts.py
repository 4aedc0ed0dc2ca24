"""Do the free-slot computations cost a fixed number of queries, however much is booked?"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from conftest import MONDAY, NOW
from sqlalchemy import func, insert, select

from clinic import scheduling
from clinic.extensions import db
from clinic.models import Appointment, Client, Location, Specialist

SPECIALISTS = 50


@pytest.fixture
def busy_clinic(make_shift):
    """50 specialists, each with a room of their own and a client; `fill(n)` makes n
    appointments in all, spread over their days from MONDAY on (added straight to the table)."""
    weekdays = [make_shift(day, time(9), time(17)) for day in range(7)]
    locations = [Location(name=f"Room {n}", shifts=weekdays) for n in range(SPECIALISTS)]
    specialists = [Specialist(first_name="Doctor", last_name=str(n), slot_minutes=30,
                              default_location=locations[n], shifts=weekdays)
                   for n in range(SPECIALISTS)]
    clients = [Client(first_name="Client", last_name=str(n)) for n in range(SPECIALISTS)]
    db.session.add_all([*locations, *specialists, *clients])
    db.session.commit()

    def fill(total: int) -> None:
        have = db.session.scalar(select(func.count()).select_from(Appointment))
        rows = []
        for n in range(have, total):
            owner = n % SPECIALISTS
            turn = n // SPECIALISTS
            start = datetime.combine(MONDAY, time(9)) + timedelta(days=turn // 16,
                                                                  minutes=30 * (turn % 16))
            rows.append({"specialist_id": specialists[owner].id, "client_id": clients[owner].id,
                         "location_id": locations[owner].id, "starts_at": start,
                         "ends_at": start + timedelta(minutes=30), "type": "Check-up"})
        db.session.execute(insert(Appointment), rows)
        db.session.commit()

    return specialists, fill


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
        slots = scheduling.free_slots_by_specialist(db.session, MONDAY, now=NOW)
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
        days = scheduling.free_slots_range(db.session, first_id, MONDAY, last, now=NOW)
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
    few = queries_for(count_queries, lambda: scheduling.book_appointment(
        db.session, specialist_id=second, client_id=1, date=later,
        start_time="09:00", now=NOW))
    fill(5000)
    many = queries_for(count_queries, lambda: scheduling.book_appointment(
        db.session, specialist_id=third, client_id=1, date=later,
        start_time="10:00", now=NOW))
    assert few == many
