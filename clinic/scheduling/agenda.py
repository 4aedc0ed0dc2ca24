"""Reads of the clinic's bookings: appointments by day or range with filters, a client's own,
and finding clients — written once for the desk, the client's pages and the API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import joinedload

from ..clock import clinic_now
from ..models import Appointment, AppointmentStatus, Client, User
from .errors import NotFound
from .policy import Actor, policy_for
from .values import AnySession, key_of

HISTORY_LENGTH = 50
"""How many past or cancelled appointments a client's page lists (the newest)."""

ALL = "all"
"""The status filter that keeps cancelled appointments too."""

WITH_PEOPLE = (
    joinedload(Appointment.specialist),
    joinedload(Appointment.client),
    joinedload(Appointment.location),
)
"""Loader options for showing appointments with who and where, in the same query."""


def appointments_query(
    viewer: User | None,
    *,
    day: date | None = None,
    first: date | None = None,
    last: date | None = None,
    specialist_id: int | None = None,
    client_id: int | None = None,
    location_id: int | None = None,
    status: str | None = None,
    updated_since: datetime | None = None,
) -> Select:
    """The appointments `viewer` may see (staff: all; a client: their own; nobody else any),
    starting on `day` or from `first` to `last` (whole days), filtered by specialist, client,
    location, status (None: the live ones; "all": cancelled too) and last change; by time."""
    statement = select(Appointment).order_by(Appointment.starts_at, Appointment.id)
    actor = policy_for(viewer).actor
    if actor is Actor.ANONYMOUS:
        statement = statement.where(false())
    elif actor is Actor.CLIENT:
        statement = statement.join(Appointment.client).where(Client.user_id == viewer.id)
    if day is not None:
        first = last = day
    if first is not None:
        statement = statement.where(Appointment.starts_at >= datetime.combine(first, time()))
    if last is not None:
        statement = statement.where(
            Appointment.starts_at < datetime.combine(last + timedelta(days=1), time())
        )
    for value, column in (
        (specialist_id, Appointment.specialist_id),
        (client_id, Appointment.client_id),
        (location_id, Appointment.location_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if status is None:
        statement = statement.where(Appointment.status != AppointmentStatus.CANCELLED)
    elif status != ALL:
        statement = statement.where(Appointment.status == AppointmentStatus(status))
    if updated_since is not None:
        statement = statement.where(Appointment.updated_at >= updated_since)
    return statement


def day_appointments(session: AnySession, viewer: User, day: date, **filters) -> list[Appointment]:
    """A day's appointments, cancelled ones too unless a status is given, with who and where."""
    filters.setdefault("status", ALL)
    return list(
        session.scalars(
            appointments_query(viewer, day=day, **filters).options(*WITH_PEOPLE)
        ).unique()
    )


def upcoming_appointments(
    session: AnySession, user: User, now: datetime | None = None
) -> list[Appointment]:
    """A client's live appointments that have not ended yet, with who and where."""
    statement = (
        appointments_query(user)
        .where(Appointment.ends_at >= (now or clinic_now()))
        .options(*WITH_PEOPLE)
    )
    return list(session.scalars(statement).unique())


def appointment_history(
    session: AnySession, user: User, now: datetime | None = None
) -> list[Appointment]:
    """A client's appointments that have ended or were cancelled, newest first (the last 50)."""
    statement = (
        appointments_query(user, status=ALL)
        .where(
            or_(
                Appointment.ends_at < (now or clinic_now()),
                Appointment.status == AppointmentStatus.CANCELLED,
            )
        )
        .order_by(None)
        .order_by(Appointment.starts_at.desc(), Appointment.id.desc())
        .limit(HISTORY_LENGTH)
        .options(*WITH_PEOPLE)
    )
    return list(session.scalars(statement).unique())


def seen_appointment(session: AnySession, viewer: User | None, appointment_id: int) -> Appointment:
    """One appointment `viewer` may see, with who and where; NotFound for any other (so that
    nobody learns whether another patient's appointment exists)."""
    key = key_of(appointment_id, "appointment")
    appointment = session.scalars(
        appointments_query(viewer, status=ALL).where(Appointment.id == key).options(*WITH_PEOPLE)
    ).first()
    if appointment is None:
        raise NotFound(f"There is no appointment {key}.")
    return appointment


def own_client_id(session: AnySession, user: User) -> int | None:
    """The client record of a client user."""
    return session.scalar(select(Client.id).where(Client.user_id == user.id))


def clients_query(viewer: User | None, search: str = "") -> Select:
    """The client records `viewer` may see (staff: all; a client: their own), matching
    `search` in the name, phone or email when given; by name."""
    statement = select(Client).order_by(Client.last_name, Client.first_name, Client.id)
    actor = policy_for(viewer).actor
    if actor is Actor.ANONYMOUS:
        statement = statement.where(false())
    elif actor is Actor.CLIENT:
        statement = statement.where(Client.user_id == viewer.id)
    words = search.split()
    for word in words[:5]:
        statement = statement.where(
            or_(
                *(
                    func.lower(column).contains(word.lower(), autoescape=True)
                    for column in (Client.first_name, Client.last_name, Client.email)
                ),
                Client.phone.contains(word, autoescape=True),
            )
        )
    return statement
