"""How are specialists, locations, staff and clients removed without losing history?"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clinic import scheduling, setup
from clinic.extensions import db
from clinic.kernel.errors import Conflict, NotAllowed, NotFound
from clinic.models import AuditEntry, Client, Location, Role, Specialist, User
from clinic.setup import Removal


def audit_actions(entity: str) -> list[str]:
    """The audit log's actions on one kind of thing, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        )
    )


def test_a_specialist_without_appointments_is_deleted(monday, make):
    """Is a specialist nothing refers to deleted outright, and audited?"""
    newcomer = make(Specialist)
    assert setup.remove_specialist(db.session, newcomer.id) is Removal.DELETED
    assert db.session.get(Specialist, newcomer.id) is None
    assert audit_actions("specialists") == ["delete"]


def test_a_specialist_with_appointments_is_deactivated(monday, book):
    """Is a specialist with appointments kept, inactive, with the appointments intact?"""
    appointment = book(monday.doctor, monday.patient, "10:00")
    after = appointment.ends_at
    assert setup.remove_specialist(db.session, monday.doctor.id, now=after) is Removal.DEACTIVATED
    assert monday.doctor.active is False
    assert appointment.specialist == monday.doctor
    assert audit_actions("specialists") == ["deactivate"]


def test_a_location_used_as_a_default_is_deactivated(monday, make):
    """Is a room some specialist has as default kept (inactive), and a spare one deleted?"""
    spare = make(Location)
    assert setup.remove_location(db.session, monday.room.id) is Removal.DEACTIVATED
    assert setup.remove_location(db.session, spare.id) is Removal.DELETED
    assert db.session.get(Location, spare.id) is None


def test_a_manager_who_did_things_is_deactivated_and_one_who_did_not_is_deleted(monday, book, make):
    """Is a manager who booked kept (inactive) and an idle one deleted?"""
    admin, busy, idle = (make(User, role=role) for role in ("admin", "manager", "manager"))
    book(monday.doctor, monday.patient, "10:00", actor=busy)
    assert setup.remove_staff_user(db.session, busy.id, actor=admin) is Removal.DEACTIVATED
    assert setup.remove_staff_user(db.session, idle.id, actor=admin) is Removal.DELETED
    assert busy.active is False and db.session.get(User, idle.id) is None


def test_nobody_removes_themselves_or_the_last_admin(app, make):
    """Are removing your own account and the last active admin refused?"""
    first, second = make(User, role="admin"), make(User, role="admin")
    with pytest.raises(Conflict, match="your own account"):
        setup.remove_staff_user(db.session, first.id, actor=first)
    setup.remove_staff_user(db.session, second.id, actor=first)
    with pytest.raises(Conflict, match="last active admin"):
        setup.remove_staff_user(db.session, first.id, actor=None)
    assert db.session.get(User, first.id).active


def test_a_client_account_is_not_a_staff_user(app, make):
    """Is removing a client's account through the staff function NotFound?"""
    client_user = make(User, role=Role.CLIENT)
    with pytest.raises(NotFound):
        setup.remove_staff_user(db.session, client_user.id)


def test_a_client_with_appointments_stays(monday, book, make):
    """Is deleting a client with appointments a conflict, and one without deleted?"""
    book(monday.doctor, monday.patient, "10:00")
    with pytest.raises(Conflict, match="has appointments"):
        setup.remove_client(db.session, monday.patient.id)
    newcomer = make(Client)
    setup.remove_client(db.session, newcomer.id)
    assert db.session.get(Client, newcomer.id) is None
    assert db.session.get(Client, monday.patient.id) is not None


def test_only_an_admin_deletes_a_client_record(app, make):
    """Is a manager deleting a client record refused (NotAllowed), an admin's deletion done?"""
    newcomer = make(Client)
    with pytest.raises(NotAllowed):
        setup.remove_client(db.session, newcomer.id, actor=make(User, role=Role.MANAGER))
    setup.remove_client(db.session, newcomer.id, actor=make(User, role=Role.ADMIN))
    assert db.session.get(Client, newcomer.id) is None


def test_removing_what_does_not_exist_is_not_found(app):
    """Is removing an unknown specialist, location, client or shift NotFound?"""
    for remove in (
        setup.remove_specialist,
        setup.remove_location,
        setup.remove_client,
        scheduling.remove_shift,
        setup.remove_staff_user,
    ):
        with pytest.raises(NotFound):
            remove(db.session, 404)
