"""Does the database itself refuse double bookings and broken rows, with no app code involved?

Everything here is raw SQL on a connection of its own: the same statements on SQLite (triggers)
and PostgreSQL (exclusion constraints), run by the suite on each.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from clinic.extensions import db

NOW = "2026-11-27 08:00:00"


def insert(connection: Connection, table: str, **values) -> int:
    """INSERT one row with plain SQL; return its id."""
    columns = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    return connection.execute(
        text(f"INSERT INTO {table} ({columns}) VALUES ({params}) RETURNING id"), values
    ).scalar_one()


def book(connection: Connection, start: str, end: str, status: str = "booked", **ids) -> int:
    """INSERT an appointment on 2026-12-01 from `start` to `end` (HH:MM)."""
    return insert(
        connection,
        "appointments",
        type="Consultation",
        specialist_id=ids.get("specialist_id", 1),
        client_id=ids.get("client_id", 1),
        location_id=ids.get("location_id", 1),
        starts_at=f"2026-12-01 {start}:00",
        ends_at=f"2026-12-01 {end}:00",
        status=status,
        notes="",
        created_at=NOW,
        updated_at=NOW,
        cancel_reason="",
        ics_sequence=0,
    )


@pytest.fixture
def raw(app) -> Connection:
    """A connection of its own with two specialists, locations and clients (ids 1 and 2)."""
    with db.engine.connect() as connection:
        for n in (1, 2):
            insert(connection, "locations", name=f"Room {n}", address="", active=True)
            insert(
                connection,
                "specialists",
                first_name="Spec",
                last_name=str(n),
                phone="",
                specialty="",
                slot_minutes=30,
                active=True,
            )
            insert(
                connection,
                "clients",
                first_name="Client",
                last_name=str(n),
                phone="",
                notes="",
                created_at=NOW,
            )
        connection.commit()
        yield connection


def refused(connection: Connection, statement) -> bool:
    """Whether the database refuses the write (leaving the connection usable)."""
    savepoint = connection.begin_nested()
    try:
        statement()
    except IntegrityError:
        savepoint.rollback()
        return True
    savepoint.commit()
    return False


@pytest.mark.parametrize(
    "shared",
    [
        {"specialist_id": 1, "location_id": 2, "client_id": 2},
        {"specialist_id": 2, "location_id": 1, "client_id": 2},
        {"specialist_id": 2, "location_id": 2, "client_id": 1},
    ],
    ids=["same specialist", "same location", "same client"],
)
@pytest.mark.parametrize(
    ("start", "end"),
    [("10:00", "11:00"), ("10:30", "10:45"), ("09:30", "10:30"), ("10:59", "12:00")],
)
def test_overlapping_live_appointments_are_refused(raw, shared, start, end):
    """Is a second live appointment overlapping 10:00-11:00 of one resource refused?"""
    book(raw, "10:00", "11:00")
    assert refused(raw, lambda: book(raw, start, end, **shared))


@pytest.mark.parametrize(
    ("start", "end"), [("11:00", "12:00"), ("09:00", "10:00")], ids=["after", "before"]
)
def test_touching_appointments_are_accepted(raw, start, end):
    """Do 10:00-11:00 and 11:00-12:00 of the same specialist, location and client coexist?"""
    book(raw, "10:00", "11:00")
    assert not refused(raw, lambda: book(raw, start, end))


def test_cancelled_appointments_do_not_block(raw):
    """May a live appointment take the time of a cancelled one, and a cancelled one overlap?"""
    book(raw, "10:00", "11:00", status="cancelled")
    assert not refused(raw, lambda: book(raw, "10:00", "11:00"))
    assert not refused(raw, lambda: book(raw, "10:15", "10:45", status="cancelled"))


def test_moving_into_another_appointment_is_refused(raw):
    """Is an UPDATE that makes two live appointments overlap refused?"""
    book(raw, "10:00", "11:00")
    later = book(raw, "12:00", "13:00")
    move = text("UPDATE appointments SET starts_at = :s, ends_at = :e WHERE id = :id")
    assert refused(
        raw,
        lambda: raw.execute(
            move, {"s": "2026-12-01 10:30:00", "e": "2026-12-01 11:30:00", "id": later}
        ),
    )
    assert not refused(
        raw,
        lambda: raw.execute(
            move, {"s": "2026-12-01 11:00:00", "e": "2026-12-01 12:30:00", "id": later}
        ),
    ), "an appointment may move within its own time and up to its neighbour"


def test_reviving_a_cancelled_appointment_into_a_taken_time_is_refused(raw):
    """Is setting a cancelled appointment back to booked refused when its time is taken?"""
    cancelled = book(raw, "10:00", "11:00", status="cancelled")
    book(raw, "10:00", "11:00")
    revive = text("UPDATE appointments SET status = 'booked' WHERE id = :id")
    assert refused(raw, lambda: raw.execute(revive, {"id": cancelled}))


@pytest.mark.parametrize(("start", "end"), [("10:00", "10:00"), ("11:00", "10:00")])
def test_an_appointment_must_start_before_it_ends(raw, start, end):
    """Are empty and backwards appointments refused?"""
    assert refused(raw, lambda: book(raw, start, end))


@pytest.mark.parametrize("missing", ["specialist_id", "location_id", "client_id"])
def test_an_appointment_must_refer_to_existing_rows(raw, missing):
    """Is an appointment of a specialist, location or client that does not exist refused?"""
    assert refused(raw, lambda: book(raw, "10:00", "11:00", **{missing: 999}))


def test_time_off_belongs_to_one_scope_at_most(raw):
    """Is time off naming both a specialist and a location refused, and whole-clinic accepted?"""
    span = {"starts_at": "2026-12-24 00:00:00", "ends_at": "2026-12-27 00:00:00", "reason": ""}
    assert refused(raw, lambda: insert(raw, "time_off", specialist_id=1, location_id=1, **span))
    assert not refused(raw, lambda: insert(raw, "time_off", **span))


def test_there_is_one_settings_row(raw):
    """Does the migration make the settings row, and refuse a second one?"""
    assert raw.execute(text("SELECT id FROM clinic_settings")).scalars().all() == [1]
    assert refused(
        raw,
        lambda: raw.execute(
            text(
                "INSERT INTO clinic_settings (id, name, address, phone, self_booking, "
                "min_notice_minutes, max_days_ahead, cancellation_window_hours, "
                "default_slot_minutes) VALUES (2, 'x', '', '', true, 0, 1, 0, 30)"
            )
        ),
    )


@pytest.mark.postgres
def test_postgresql_has_the_exclusion_constraints(raw):
    """Are the three exclusion constraints in place, with btree_gist installed?"""
    names = (
        raw.execute(text("SELECT conname FROM pg_constraint WHERE contype = 'x' ORDER BY conname"))
        .scalars()
        .all()
    )
    assert names == [
        "ex_appointments_client_overlap",
        "ex_appointments_location_overlap",
        "ex_appointments_specialist_overlap",
    ]
    assert raw.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'")).scalar()
