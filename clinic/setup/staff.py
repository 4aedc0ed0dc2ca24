"""User accounts made by the clinic: staff (admins, managers) and, from the command line,
clients; changing and removing staff accounts. Self-registration lives in `accounts`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from .. import accounts, audit
from ..accounts import emails as account_emails
from ..accounts import sign_ins
from ..kernel.database import writing
from ..kernel.errors import Conflict, Invalid, NotFound
from ..kernel.values import AnySession, get_row
from ..models import Appointment, AuditEntry, Role, User
from .common import Removal, referenced_by, remove


def create_user(
    session: AnySession,
    *,
    username: Any,
    role: Role | str,
    password: Any,
    repeat_password: Any = None,
    email: Any = None,
    first_name: Any = "",
    last_name: Any = "",
    actor: User | None = None,
) -> User:
    """A verified, active user (staff, or a client with a client record); the password is
    checked against its repetition when one is given."""
    with writing(session):
        user = User(
            username=accounts.read_username(username),
            email=accounts.read_email(email) if email else None,
            password_hash=generate_password_hash(accounts.read_password(password, repeat_password)),
            first_name=accounts.read_name(first_name, "first_name", required=False),
            last_name=accounts.read_name(last_name, "last_name", required=False),
            role=Role(role),
            email_verified_at=datetime.now(UTC),
        )
        accounts.check_unique(session, user.username, user.email)
        session.add(user)
        audit.record(session, actor, "create", user)
        if user.role is Role.CLIENT:
            accounts.client_record_for(session, user, actor)
    return user


STAFF_ROLES = (Role.ADMIN, Role.MANAGER)


def update_staff_user(
    session: AnySession, user: User, fields: dict[str, Any], *, actor: User | None = None
) -> User:
    """Change a staff account: names, email, username, role (admin or manager), active,
    password (given twice). Nobody takes away their own admin role or switches themself off,
    and the last active admin stays one; switching off ends every sign-in and token."""
    with writing(session):
        before = audit.snapshot(user)
        if "username" in fields:
            user.username = accounts.read_username(fields["username"])
        if "email" in fields:
            user.email = accounts.read_email(fields["email"]) if fields["email"] else None
        for field in ("first_name", "last_name"):
            if field in fields:
                setattr(user, field, accounts.read_name(fields[field], field, required=False))
        if "role" in fields:
            _change_role(session, user, fields["role"], actor)
        if "active" in fields:
            if not fields["active"] and actor is not None and actor.id == user.id:
                raise Invalid({"active": "You cannot switch off your own account."})
            if user.active and not fields["active"]:
                _refuse_losing_last_admin(session, user, "switched off")
                sign_ins.end_all_sign_ins(session, user)
            user.active = bool(fields["active"])
        if fields.get("password"):
            password = accounts.read_password(fields["password"], fields.get("repeat_password"))
            user.password_hash = generate_password_hash(password)
            sign_ins.end_all_sign_ins(session, user)
        accounts.check_unique(session, user.username, user.email, user)
        audit.record(session, actor, "update", user, before)
    return user


def _change_role(session: AnySession, user: User, value: Any, actor: User | None) -> None:
    """Make a staff user an admin or a manager (never a client, never the actor's own admin
    role away, never the last active admin's)."""
    try:
        role = Role(value)
    except ValueError:
        role = None
    if role not in STAFF_ROLES or user.role not in STAFF_ROLES:
        raise Invalid({"role": "Staff are admins or managers."})
    if role is user.role:
        return
    if user.role is Role.ADMIN:
        if actor is not None and actor.id == user.id:
            raise Invalid({"role": "You cannot take away your own admin role."})
        _refuse_losing_last_admin(session, user, "made a manager")
    user.role = role


def _refuse_losing_last_admin(session: AnySession, user: User, change: str) -> None:
    """Refuse a change that would leave the clinic without an active admin.

    The active admins' rows are locked first (in id order) on PostgreSQL, so that two admins
    demoting each other at once count in turn; on SQLite the unit's write lock does it."""
    if user.role is not Role.ADMIN or not user.active:
        return
    session.execute(
        select(User.id)
        .where(User.role == Role.ADMIN, User.active)
        .order_by(User.id)
        .with_for_update()
    )
    others = (
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, User.active, User.id != user.id)
    )
    if session.scalar(others) == 0:
        raise Conflict(
            f"This is the last active admin; it cannot be {change}. Make another admin first."
        )


def set_temporary_password(
    session: AnySession, user: User, password: Any, repeat: Any = None, *, actor: User | None
) -> User:
    """Give a staff account a password its owner must change at their next sign-in; every
    sign-in and token of theirs ends."""
    with writing(session):
        _staff(user)
        before = audit.snapshot(user)
        user.password_hash = generate_password_hash(accounts.read_password(password, repeat))
        user.must_change_password = True
        sign_ins.end_all_sign_ins(session, user)
        audit.record(session, actor, "temporary", user, before)
    return user


def send_password_reset(session: AnySession, user: User, *, actor: User | None) -> bool:
    """Email a staff account a link to choose a new password, ending every sign-in and token
    of theirs now (the old password still signs in until the link is used); whether the email
    went out."""
    with writing(session):
        _staff(user)
        if not user.email:
            raise Invalid({"email": "This account has no email address; set a temporary password."})
        before = audit.snapshot(user)
        sign_ins.end_all_sign_ins(session, user)
        audit.record(session, actor, "reset", user, before)
    return account_emails.send_password_reset(user)


def _staff(user: User) -> None:
    """Refuse a client account here: patients reset their own passwords."""
    if user.role not in STAFF_ROLES:
        raise NotFound(f"There is no staff user {user.id}.")


def staff_account(session: AnySession, user_id: Any) -> User:
    """A staff account (admin or manager); NotFound for an unknown id or a patient's."""
    user = get_row(session, User, user_id, "staff user")
    _staff(user)
    return user


def remove_staff_user(session: AnySession, user_id: Any, *, actor: User | None = None) -> Removal:
    """Delete a staff account nothing refers to, else deactivate it.

    Nobody removes their own account, and the last active admin stays.
    """
    with writing(session):
        user = get_row(session, User, user_id, "staff user")
        if user.role is Role.CLIENT:
            raise NotFound(f"There is no staff user {user.id}.")
        if actor is not None and actor.id == user.id:
            raise Conflict("You cannot remove your own account.")
        _refuse_losing_last_admin(session, user, "removed")
        sign_ins.end_all_sign_ins(session, user)
        return remove(
            session,
            user,
            [
                referenced_by(Appointment.created_by_id, user.id),
                referenced_by(AuditEntry.actor_id, user.id),
            ],
            actor,
        )
