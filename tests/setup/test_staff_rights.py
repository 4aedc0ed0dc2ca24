"""Staff rights: who may be made an admin or a manager, the last admin, temporary passwords
and reset links that end every session, and the settings' booking cap."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from helpers import MONDAY, PASSWORD, during
from sqlalchemy import func, select

from clinic import accounts, scheduling, setup
from clinic.extensions import db
from clinic.kernel import mail
from clinic.kernel.database import writing
from clinic.kernel.errors import Conflict, Invalid, NotFound
from clinic.models import Client, ClinicSettings, Role, User


def test_an_admin_makes_a_manager_an_admin_and_back(make):
    """Does a role change between admin and manager go through, audited, and end no one's
    sign-in (the role is read again on every request)?"""
    boss, staff = make(User, role="admin"), make(User, role="manager")
    version = staff.auth_version
    setup.update_staff_user(db.session, staff, {"role": "admin"}, actor=boss)
    assert staff.role is Role.ADMIN
    setup.update_staff_user(db.session, staff, {"role": "manager"}, actor=boss)
    assert staff.role is Role.MANAGER and staff.auth_version == version


@pytest.mark.parametrize("role", ["client", "owner", ""])
def test_staff_are_admins_or_managers_only(make, role):
    """Is any role but admin or manager refused for a staff account?"""
    boss, staff = make(User, role="admin"), make(User, role="manager")
    with pytest.raises(Invalid, match="admins or managers"):
        setup.update_staff_user(db.session, staff, {"role": role}, actor=boss)
    assert staff.role is Role.MANAGER


def test_nobody_takes_away_their_own_admin_role(make):
    """Is an admin refused making themself a manager, even with other admins about?"""
    boss = make(User, role="admin")
    make(User, role="admin")
    with pytest.raises(Invalid, match="your own admin role"):
        setup.update_staff_user(db.session, boss, {"role": "manager"}, actor=boss)


def test_the_last_active_admin_is_neither_demoted_nor_switched_off(make):
    """With one active admin left (another switched off), is demoting or switching them off
    refused, naming why?"""
    last = make(User, role="admin")
    make(User, role="admin", active=False)
    with pytest.raises(Conflict, match="last active admin"):
        setup.update_staff_user(db.session, last, {"role": "manager"}, actor=None)
    with pytest.raises(Conflict, match="last active admin"):
        setup.update_staff_user(db.session, last, {"active": False}, actor=None)
    db.session.refresh(last)
    assert (last.role, last.active) == (Role.ADMIN, True)


def test_a_temporary_password_ends_every_session_and_must_be_changed(make):
    """Does a temporary password end the user's sign-ins and tokens, sign in only to be
    changed (the API refuses it), and stop being temporary once they choose their own?"""
    boss, staff = make(User, role="admin"), make(User, role="manager", username="olha")
    version = staff.auth_version
    setup.set_temporary_password(db.session, staff, "temporary-1", "temporary-1", actor=boss)
    assert staff.auth_version == version + 1 and staff.must_change_password
    assert accounts.authenticate(db.session, "olha", "temporary-1") == (
        staff,
        accounts.Verdict.TEMPORARY,
    )
    accounts.change_own_password(db.session, staff, "temporary-1", "my-own-password")
    assert not staff.must_change_password
    assert accounts.authenticate(db.session, "olha", "my-own-password")[1] is accounts.Verdict.OK


def test_a_reset_link_is_emailed_and_ends_every_session(app, make):
    """Does sending a staff member a reset link email them and end their sign-ins and tokens,
    and is it refused for an account without an address or a patient's?"""
    boss = make(User, role="admin")
    staff = make(User, role="manager", email="olha@example.com")
    version = staff.auth_version
    mail.outbox().clear()
    setup.send_password_reset(db.session, staff, actor=boss)
    assert staff.auth_version == version + 1
    assert [message["To"] for message in mail.outbox()] == ["olha@example.com"]
    nameless = make(User, role="manager", email=None)
    with pytest.raises(Invalid, match="no email address"):
        setup.send_password_reset(db.session, nameless, actor=boss)
    with pytest.raises(NotFound):
        setup.send_password_reset(db.session, make(User), actor=boss)
    with pytest.raises(NotFound):
        setup.set_temporary_password(db.session, make(User), PASSWORD, actor=boss)


@pytest.mark.parametrize(("value", "ok"), [(1, True), (100, True), (0, False), (101, False)])
def test_the_booking_cap_is_a_setting_from_1_to_100(app, value, ok):
    """Is a client's cap of live online bookings set from 1 to 100, and refused otherwise?"""
    if ok:
        setup.save_settings(db.session, {"max_client_bookings": value})
        assert ClinicSettings.get().max_client_bookings == value
    else:
        with pytest.raises(Invalid):
            setup.save_settings(db.session, {"max_client_bookings": value})


def test_status_counts_count_a_range_by_status(monday, book, make):
    """Are a range's appointments counted by status, every status present?"""
    booked = book(monday.doctor, monday.patient, "10:00")
    scheduling.change_status(db.session, booked.id, "arrived", now=during(booked))
    book(monday.doctor, make(Client), "11:00")
    counts = scheduling.status_counts(db.session, MONDAY, MONDAY)
    assert counts[scheduling.Status.ARRIVED] == 1 and counts[scheduling.Status.BOOKED] == 1
    assert counts[scheduling.Status.CANCELLED] == 0


@pytest.mark.parametrize("change", [{"role": "manager"}, {"active": False}])
def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, make, change):
    """When the only two active admins demote (or switch off) each other at once — the second
    change checked while the first is made but not yet committed — does the second end as a
    conflict, leaving one active admin, on either database?"""
    first, second = make(User, role="admin"), make(User, role="admin")
    ids = (first.id, second.id)
    checked = threading.Event()

    def demote(actor_id: int, target_id: int, hold: bool) -> str:
        with app.app_context():
            try:
                actor, target = db.session.get(User, actor_id), db.session.get(User, target_id)
                with writing(db.session):
                    setup.update_staff_user(db.session, target, dict(change), actor=actor)
                    if hold:
                        checked.set()
                        time.sleep(0.5)
                return "done"
            except Conflict:
                return "conflict"
            finally:
                db.session.remove()

    def second_change() -> str:
        checked.wait(10)
        return demote(*reversed(ids), hold=False)

    with ThreadPoolExecutor(max_workers=2) as pool:
        held = pool.submit(demote, *ids, hold=True)
        later = pool.submit(second_change)
        outcomes = (held.result(), later.result())
    assert outcomes == ("done", "conflict")
    db.session.rollback()
    admins = select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
    assert db.session.scalar(admins) == 1
