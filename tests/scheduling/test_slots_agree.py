"""Do the two ways of finding free slots agree? `Calendar._slots_in_own_room` walks a
specialist's day once (for one with a default room, the common case and the fast path);
`Calendar._slots_one_by_one` asks `is_free` of each slot. Hypothesis makes clinics — shifts of
the specialist and the room, time off of either, of another room or of the whole clinic,
appointments of the specialist, the room and the client, a room switched off — on a plain
Monday or on the days the clocks go forward and back (in the clinic's zone: CI runs the suite
in Kyiv's too), and holds both answers equal on each."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from helpers import MONDAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

from clinic.extensions import db
from clinic.models import Appointment, Client, Location, Shift, Specialist, TimeOff
from clinic.scheduling.calendar import Calendar

DAYS = {MONDAY: time(8), date(2027, 3, 28): time(1), date(2027, 10, 31): time(1)}
"""The days drawn, and where each one's six drawn hours begin: a plain Monday from 08:00, and
the Sundays of 2027 when European clocks go forward and back, from 01:00 (over the hour that
does not exist or comes twice)."""
QUARTERS = st.integers(min_value=0, max_value=24)
"""A time on the quarter hour within the day's six drawn hours (as quarters since they begin):
a short day, so that what is drawn meets often."""
ALL_DAY = (-4, 32)
"""The room's hours when it is open all day: from an hour before to two after."""


def at(day: date, quarters: int) -> datetime:
    """The day at that many quarter hours into its drawn hours."""
    return datetime.combine(day, DAYS[day]) + timedelta(minutes=15 * quarters)


@st.composite
def span(draw, longest: int) -> tuple[int, int]:
    """A span of the day as (start, end) in quarters, a quarter to `longest` quarters long."""
    start = draw(QUARTERS)
    return start, draw(st.integers(start + 1, start + longest))


CLINICS = st.fixed_dictionaries(
    {
        "day": st.sampled_from(list(DAYS)),
        "slot_minutes": st.sampled_from([15, 20, 30, 45, 60]),
        "works": st.lists(span(16), min_size=1, max_size=3),
        "room_open": st.just([ALL_DAY]) | st.lists(span(16), max_size=3),
        "room_active": st.sampled_from([True, True, True, False]),
        "time_off": st.lists(
            st.tuples(st.sampled_from(["specialist", "room", "other room", "clinic"]), span(8)),
            max_size=3,
        ),
        "appointments": st.lists(
            st.tuples(st.sampled_from(["specialist", "room", "client"]), span(6)), max_size=6
        ),
        "for_the_client": st.booleans(),
        "earliest": st.just(-8) | QUARTERS,
        "latest": st.none() | st.integers(0, 32),
        "most": st.none() | st.integers(1, 3),
    }
)


def shifts_of(
    day: date, spans: list[tuple[int, int]], made: dict[tuple[time, time], Shift]
) -> list[Shift]:
    """Shifts on the day's weekday for the spans; `made` holds those of this clinic (shifts are
    unique)."""
    found = []
    for start, end in spans:
        times = (at(day, start).time(), at(day, end).time())
        if times not in made:
            made[times] = Shift(weekday=day.weekday(), start_time=times[0], end_time=times[1])
        found.append(made[times])
    return list(dict.fromkeys(found))


def build(clinic: dict) -> tuple[Specialist, Client]:
    """The clinic drawn, written afresh; its specialist (in their default room) and client."""
    for model in (Appointment, TimeOff, Client, Specialist, Location, Shift):
        db.session.query(model).delete()
    db.session.commit()
    day, made = clinic["day"], {}
    room = Location(name="Room", active=True, shifts=shifts_of(day, clinic["room_open"], made))
    other_room = Location(name="Other room", shifts=shifts_of(day, [ALL_DAY], made))
    doctor = Specialist(
        first_name="Iryna",
        last_name="Bondarenko",
        slot_minutes=clinic["slot_minutes"],
        default_location=room,
        shifts=shifts_of(day, clinic["works"], made),
    )
    nurse = Specialist(first_name="Olha", last_name="Nurse", shifts=shifts_of(day, [ALL_DAY], made))
    patient, others = (
        Client(first_name="Pat", last_name="Ient"),
        Client(first_name="O", last_name="X"),
    )
    db.session.add_all([room, other_room, doctor, nurse, patient, others])
    db.session.flush()
    scopes = {"specialist": {"specialist": doctor}, "room": {"location": room}}
    scopes |= {"other room": {"location": other_room}, "clinic": {}}
    for scope, (start, end) in clinic["time_off"]:
        db.session.add(TimeOff(starts_at=at(day, start), ends_at=at(day, end), **scopes[scope]))
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
            Appointment(
                starts_at=at(day, start), ends_at=at(day, end), client_id=client.id, **fields
            )
        )
        try:
            db.session.commit()
        except IntegrityError:  # it overlaps one drawn before: the database refuses it
            db.session.rollback()
    room.active = clinic["room_active"]
    db.session.commit()
    return doctor, patient


@settings(
    max_examples=300,
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
    day = clinic["day"]
    calendar = Calendar(db.session, [doctor], day, day, client_id=client_id)
    earliest = at(day, clinic["earliest"])
    latest = None if clinic["latest"] is None else at(day, clinic["latest"])
    walked = calendar._slots_in_own_room(doctor, day, earliest, latest, clinic["most"])
    asked = calendar._slots_one_by_one(doctor, day, earliest, latest, clinic["most"])
    assert walked == asked
