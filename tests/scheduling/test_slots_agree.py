"""Do the two ways of finding free slots agree? `Calendar._slots_in_own_room` walks a
specialist's day once (for one with a default room, the common case and the fast path);
`Calendar._slots_one_by_one` asks `is_free` of each slot. Hypothesis makes clinics — shifts of
the specialist and the room, time off of either, of another room or of the whole clinic,
appointments of the specialist, the room and the client, a room switched off — and holds both
answers equal on each."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from helpers import MONDAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

from clinic.extensions import db
from clinic.models import Appointment, Client, Location, Shift, Specialist, TimeOff
from clinic.scheduling.calendar import Calendar

QUARTERS = st.integers(min_value=8 * 4, max_value=14 * 4)
"""A time of the day on the quarter hour, 08:00 to 14:00 (as quarters since midnight): a short
day, so that what is drawn meets often."""
ALL_DAY = (7 * 4, 16 * 4)
"""The room's hours when it is open all day."""


def at(quarters: int) -> datetime:
    """MONDAY at that many quarter hours."""
    return datetime.combine(MONDAY, time()) + timedelta(minutes=15 * quarters)


@st.composite
def span(draw, longest: int) -> tuple[int, int]:
    """A span of the day as (start, end) in quarters, a quarter to `longest` quarters long."""
    start = draw(QUARTERS)
    return start, draw(st.integers(start + 1, min(start + longest, 24 * 4)))


CLINICS = st.fixed_dictionaries(
    {
        "slot_minutes": st.sampled_from([15, 20, 30, 45, 60]),
        "works": st.lists(span(16), min_size=1, max_size=3),
        "room_open": st.just([ALL_DAY]) | st.lists(span(16), max_size=3),
        "room_active": st.sampled_from([True, True, True, False]),
        "time_off": st.lists(
            st.tuples(st.sampled_from(["specialist", "room", "other room", "clinic"]), span(8)),
            max_size=2,
        ),
        "appointments": st.lists(
            st.tuples(st.sampled_from(["specialist", "room", "client"]), span(6)), max_size=6
        ),
        "for_the_client": st.booleans(),
        "earliest": st.just(0) | st.integers(8 * 4, 14 * 4),
        "latest": st.none() | st.integers(8 * 4, 16 * 4),
        "most": st.none() | st.integers(1, 3),
    }
)


def shifts_of(spans: list[tuple[int, int]], made: dict[tuple[time, time], Shift]) -> list[Shift]:
    """Monday shifts for the spans; `made` holds those of this clinic (shifts are unique)."""
    found = []
    for start, end in spans:
        if end >= 24 * 4:
            continue
        times = (at(start).time(), at(end).time())
        if times not in made:
            made[times] = Shift(weekday=0, start_time=times[0], end_time=times[1])
        found.append(made[times])
    return list(dict.fromkeys(found))


def build(clinic: dict) -> tuple[Specialist, Client]:
    """The clinic drawn, written afresh; its specialist (in their default room) and client."""
    for model in (Appointment, TimeOff, Client, Specialist, Location, Shift):
        db.session.query(model).delete()
    db.session.commit()
    made: dict[tuple[time, time], Shift] = {}
    room = Location(name="Room", active=True, shifts=shifts_of(clinic["room_open"], made))
    other_room = Location(name="Other room", shifts=shifts_of([(24, 80)], made))
    doctor = Specialist(
        first_name="Iryna",
        last_name="Bondarenko",
        slot_minutes=clinic["slot_minutes"],
        default_location=room,
        shifts=shifts_of(clinic["works"], made),
    )
    nurse = Specialist(first_name="Olha", last_name="Nurse", shifts=shifts_of([(24, 80)], made))
    patient, others = (
        Client(first_name="Pat", last_name="Ient"),
        Client(first_name="O", last_name="X"),
    )
    db.session.add_all([room, other_room, doctor, nurse, patient, others])
    db.session.flush()
    scopes = {"specialist": {"specialist": doctor}, "room": {"location": room}}
    scopes |= {"other room": {"location": other_room}, "clinic": {}}
    for scope, (start, end) in clinic["time_off"]:
        db.session.add(TimeOff(starts_at=at(start), ends_at=at(end), **scopes[scope]))
    db.session.commit()
    whose = {
        "specialist": {"specialist_id": doctor.id, "location_id": other_room.id, "client": others},
        "room": {"specialist_id": nurse.id, "location_id": room.id, "client": others},
        "client": {"specialist_id": nurse.id, "location_id": other_room.id, "client": patient},
    }
    for kind, (start, end) in clinic["appointments"]:
        fields = dict(whose[kind])
        client = fields.pop("client")
        db.session.add(
            Appointment(starts_at=at(start), ends_at=at(end), client_id=client.id, **fields)
        )
        try:
            db.session.commit()
        except IntegrityError:  # it overlaps one drawn before: the database refuses it
            db.session.rollback()
    room.active = clinic["room_active"]
    db.session.commit()
    return doctor, patient


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(clinic=CLINICS)
def test_the_fast_walk_and_slot_by_slot_agree(app, clinic):
    """For every clinic drawn, are the free slots of a specialist in their own room the same
    whether the day is walked once or each slot is asked about in turn?"""
    doctor, patient = build(clinic)
    client_id = patient.id if clinic["for_the_client"] else None
    calendar = Calendar(db.session, [doctor], MONDAY, MONDAY, client_id=client_id)
    earliest = at(clinic["earliest"])
    latest = None if clinic["latest"] is None else at(clinic["latest"])
    walked = calendar._slots_in_own_room(doctor, MONDAY, earliest, latest, clinic["most"])
    asked = calendar._slots_one_by_one(doctor, MONDAY, earliest, latest, clinic["most"])
    assert walked == asked
