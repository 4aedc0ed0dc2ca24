"""Time off of a specialist, a location or the clinic: what it covers, keeping or cancelling
those appointments, and what the public and the clients are told."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from helpers import MONDAY, NOW, during
from sqlalchemy import func, select

from clinic import scheduling
from clinic.extensions import db
from clinic.kernel import mail
from clinic.kernel.errors import Conflict, Invalid, NotFound
from clinic.models import AuditEntry, Client, Location, Shift, Specialist, TimeOff
from clinic.scheduling import Covered, Status


def at(clock: str) -> datetime:
    """MONDAY at HH:MM."""
    return datetime.combine(MONDAY, time.fromisoformat(clock))


def close(covered=None, **scope):
    """A time off on MONDAY 09:00-12:00 (of the clinic unless a scope is given)."""
    return scheduling.save_time_off(
        db.session,
        starts_at=at("09:00"),
        ends_at=at("12:00"),
        reason="Staff training",
        covered=covered,
        now=NOW,
        **scope,
    )


def test_a_time_off_over_nothing_is_saved_and_audited(monday):
    """Is a time off that covers no appointment simply saved, audited, and its slots gone?"""
    saved = close(specialist_id=monday.doctor.id)
    assert (saved.kept, saved.cancelled) == ([], [])
    assert saved.time_off.specialist == monday.doctor
    assert (
        db.session.scalar(select(AuditEntry.action).where(AuditEntry.entity == "time_off"))
        == "create"
    )
    assert scheduling.free_slots(db.session, monday.doctor.id, MONDAY, now=NOW) == []


@pytest.mark.parametrize("scope", ["specialist", "location", "clinic"])
def test_a_time_off_over_appointments_asks_first_listing_them(monday, book, scope):
    """Without a decision, is a time off over booked appointments refused, naming them, with
    nothing written?"""
    appointment = book(monday.doctor, monday.patient, "10:00")
    ids = {
        "specialist": {"specialist_id": monday.doctor.id},
        "location": {"location_id": monday.room.id},
        "clinic": {},
    }[scope]
    with pytest.raises(Conflict, match="1 upcoming appointment") as refused:
        close(**ids)
    assert refused.value.appointments == [appointment]
    assert db.session.scalar(select(func.count()).select_from(TimeOff)) == 0


def test_kept_appointments_stay_booked_and_flagged(monday, book, make):
    """Kept, do the covered appointments stay booked and show as flagged, others not?"""
    inside = book(monday.doctor, monday.patient, "10:00")
    nurse = make(
        Specialist,
        shifts=[make(Shift, weekday=0)],
        default_location=make(Location, shifts=[make(Shift, weekday=0)]),
    )
    elsewhere = book(nurse, make(Client), "10:00")
    saved = close(Covered.KEEP, specialist_id=monday.doctor.id)
    assert saved.kept == [inside] and inside.status is Status.BOOKED
    assert scheduling.flagged(db.session, [inside, elsewhere]) == {inside.id}


def test_a_clinic_closure_flags_everyone_and_a_moved_appointment_is_no_longer_flagged(monday, book):
    """Does a clinic-wide time off flag every covered appointment until it is moved out?"""
    appointment = book(monday.doctor, monday.patient, "10:00")
    close("keep")
    assert scheduling.flagged(db.session, [appointment]) == {appointment.id}
    worked = [shift.id for shift in monday.doctor.shifts]
    scheduling.set_shifts(
        db.session, monday.doctor, [*worked, ("Monday", "13:00", "15:00")], now=NOW
    )
    scheduling.reschedule_appointment(
        db.session, appointment.id, date=MONDAY, start_time="13:00", now=NOW
    )
    assert scheduling.flagged(db.session, [appointment]) == set()


def test_cancelling_covered_appointments_tells_each_client_without_the_staff_reason(
    app, monday, book
):
    """Cancelled, is each covered appointment cancelled with a reason for people (never the
    staff's own words), and its client emailed once the unit commits?"""
    monday.patient.email = "patient@example.com"
    db.session.commit()
    appointment = book(monday.doctor, monday.patient, "10:00")
    mail.outbox().clear()
    saved = close(Covered.CANCEL, specialist_id=monday.doctor.id)
    assert saved.cancelled == [appointment]
    assert appointment.status is Status.CANCELLED
    assert appointment.cancel_reason == "Iryna Bondarenko is not working then."
    assert "training" not in appointment.cancel_reason.lower()
    assert [m["Subject"] for m in mail.outbox()] == ["Your appointment is cancelled"]


def test_past_and_cancelled_appointments_are_not_covered(monday, book):
    """Are appointments already over, or cancelled, left out of what a time off covers?"""
    cancelled = book(monday.doctor, monday.patient, "10:00")
    scheduling.cancel_appointment(db.session, cancelled.id, now=NOW)
    book(monday.doctor, monday.patient, "09:00")
    saved = scheduling.save_time_off(
        db.session,
        specialist_id=monday.doctor.id,
        starts_at=at("09:00"),
        ends_at=at("12:00"),
        now=at("09:45"),
    )
    assert (saved.kept, saved.cancelled) == ([], [])


def test_changing_and_removing_a_time_off(monday):
    """Can a time off be moved (asking again about what it now covers) and removed?"""
    saved = close(specialist_id=monday.doctor.id)
    changed = scheduling.save_time_off(
        db.session,
        saved.time_off.id,
        specialist_id=monday.doctor.id,
        starts_at=at("11:00"),
        ends_at=at("12:00"),
        reason="Shorter",
        now=NOW,
    )
    assert (changed.time_off.id, changed.time_off.starts_at) == (saved.time_off.id, at("11:00"))
    assert len(scheduling.free_slots(db.session, monday.doctor.id, MONDAY, now=NOW)) == 4
    scheduling.remove_time_off(db.session, saved.time_off.id)
    assert db.session.get(TimeOff, saved.time_off.id) is None
    with pytest.raises(NotFound):
        scheduling.remove_time_off(db.session, saved.time_off.id)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"starts_at": "2027-01-04T12:00", "ends_at": "2027-01-04T09:00"}, "ends_at"),
        ({"starts_at": "yesterday"}, "starts_at"),
        ({"ends_at": ""}, "ends_at"),
        ({"reason": "x" * 300}, "reason"),
        ({"specialist_id": 404}, "specialist_id"),
        ({"location_id": "Room 1"}, "location_id"),
        ({"covered": "ignore"}, "covered"),
    ],
)
def test_bad_time_off_is_invalid_and_writes_nothing(monday, fields, field):
    """Is each kind of bad time off refused on its field, with nothing written?"""
    request = {"starts_at": "2027-01-04T09:00", "ends_at": "2027-01-04T12:00", **fields}
    with pytest.raises(Invalid) as refused:
        scheduling.save_time_off(db.session, now=NOW, **request)
    assert field in refused.value.errors
    assert db.session.scalar(select(func.count()).select_from(TimeOff)) == 0


def test_a_time_off_is_of_one_scope_at_most(monday):
    """Is a time off of both a specialist and a location refused?"""
    with pytest.raises(Invalid, match="not both"):
        close(specialist_id=monday.doctor.id, location_id=monday.room.id)


def test_flagging_costs_one_query(monday, book, count_queries):
    """Does finding the flagged ones among many appointments take a single query?"""
    appointments = [
        book(monday.doctor, monday.patient, start) for start in ("09:00", "10:00", "11:00")
    ]
    close("keep", specialist_id=monday.doctor.id)
    for appointment in appointments:
        db.session.refresh(appointment)
    with count_queries() as queries:
        assert scheduling.flagged(db.session, appointments) == {a.id for a in appointments}
    assert len(queries) == 1


def test_changing_a_time_off_asks_only_about_what_it_newly_covers(monday, book, make):
    """Once kept, are covered appointments not asked about again when only the reason
    changes, while a widened time off asks about the ones it adds?"""
    kept = book(monday.doctor, monday.patient, "10:00")
    saved = scheduling.save_time_off(
        db.session,
        specialist_id=monday.doctor.id,
        starts_at=at("09:00"),
        ends_at=at("10:30"),
        covered="keep",
        now=NOW,
    )
    changed = scheduling.save_time_off(
        db.session,
        saved.time_off.id,
        specialist_id=monday.doctor.id,
        starts_at=at("09:00"),
        ends_at=at("10:30"),
        reason="Conference",
        now=NOW,
    )
    assert changed.kept == [kept] and changed.time_off.reason == "Conference"
    later = book(monday.doctor, make(Client), "11:00")
    with pytest.raises(Conflict) as refused:
        scheduling.save_time_off(
            db.session,
            saved.time_off.id,
            specialist_id=monday.doctor.id,
            starts_at=at("09:00"),
            ends_at=at("12:00"),
            now=NOW,
        )
    assert refused.value.appointments == [later]


def test_cancelling_spares_an_appointment_already_under_way(monday, book, make):
    """Does "cancel" leave an appointment that has begun (the client is here) kept, cancelling
    only those still to come?"""
    under_way = book(monday.doctor, monday.patient, "09:00")
    scheduling.change_status(db.session, under_way.id, "arrived", now=during(under_way))
    to_come = book(monday.doctor, make(Client), "11:00")
    saved = scheduling.save_time_off(
        db.session,
        specialist_id=monday.doctor.id,
        starts_at=at("09:00"),
        ends_at=at("12:00"),
        covered="cancel",
        now=at("09:10"),
    )
    assert (saved.kept, saved.cancelled) == ([under_way], [to_come])
    assert under_way.status is Status.ARRIVED and to_come.status is Status.CANCELLED


def test_a_time_off_of_a_switched_off_specialist_can_still_change(monday):
    """Can the time off of a specialist since switched off still be edited, though no new one
    can be made for them?"""
    saved = close(specialist_id=monday.doctor.id)
    monday.doctor.active = False
    db.session.commit()
    scheduling.save_time_off(
        db.session,
        saved.time_off.id,
        specialist_id=monday.doctor.id,
        starts_at=at("09:00"),
        ends_at=at("11:00"),
        now=NOW,
    )
    with pytest.raises(Invalid, match="not active"):
        close(specialist_id=monday.doctor.id)


@pytest.mark.parametrize("scope", ["specialist", "location", "clinic"])
def test_the_same_time_off_twice_is_refused(monday, scope):
    """Is recording a time off a second time (same scope, start and end) a Conflict that
    writes nothing, while the same hours of another scope are their own time off?"""
    keys = {
        "specialist": {"specialist_id": monday.doctor.id},
        "location": {"location_id": monday.room.id},
    }
    close(**keys.get(scope, {}))
    with pytest.raises(Conflict, match="recorded already"):
        close(**keys.get(scope, {}))
    assert db.session.scalar(select(func.count()).select_from(TimeOff)) == 1
    other = "location" if scope == "specialist" else "specialist"
    close(**keys[other])
    assert db.session.scalar(select(func.count()).select_from(TimeOff)) == 2
