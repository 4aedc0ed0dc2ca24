"""Reads of the clinic's bookings: appointments by day or range with filters, a client's own,
and finding clients — written once for the desk, the client's pages and the API."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, false, func, inspect, or_, select
from sqlalchemy.orm import joinedload

from ..kernel.clock import clinic_now
from ..kernel.errors import NotAllowed, NotFound
from ..kernel.values import AnySession, get_row, key_of
from ..models import Appointment, AppointmentStatus, Client, Specialist, User
from .policy import Actor, policy_for

NO_PATIENT_RECORD = "Your account has no patient record yet; please call the clinic."

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
    return appointments_between(session, viewer, day, day, **filters)


def appointments_between(
    session: AnySession, viewer: User, first: date, last: date, **filters
) -> list[Appointment]:
    """The appointments from `first` to `last` (whole days), cancelled ones too unless a
    status is given, with who and where."""
    filters.setdefault("status", ALL)
    statement = appointments_query(viewer, first=first, last=last, **filters)
    return list(session.scalars(statement.options(*WITH_PEOPLE)).unique())


def status_counts(session: AnySession, first: date, last: date) -> dict[AppointmentStatus, int]:
    """How many appointments start from `first` to `last` (whole days), by status (every
    status, zero included); one query."""
    rows = session.execute(
        select(Appointment.status, func.count())
        .where(
            Appointment.starts_at >= datetime.combine(first, time()),
            Appointment.starts_at < datetime.combine(last + timedelta(days=1), time()),
        )
        .group_by(Appointment.status)
    )
    counts = dict(rows.all())
    return {status: counts.get(status, 0) for status in AppointmentStatus}


def with_people(
    session: AnySession, viewer: User, appointments: Sequence[Appointment]
) -> list[Appointment]:
    """The appointments a refusal lists (expired, perhaps, by the rollback of its unit) read
    again at once with who and where, those `viewer` may see, by time."""
    ids = [inspect(appointment).identity[0] for appointment in appointments]
    if not ids:
        return []
    statement = appointments_query(viewer, status=ALL).where(Appointment.id.in_(ids))
    return list(session.scalars(statement.options(*WITH_PEOPLE)).unique())


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
    """The id of a client user's own patient record, if they have one."""
    return session.scalar(select(Client.id).where(Client.user_id == user.id))


def own_client(session: AnySession, user: User) -> Client:
    """A client user's own patient record; NotAllowed when the account has none (the desk
    links one), the same answer on the pages and in the API."""
    client = session.scalar(select(Client).where(Client.user_id == user.id))
    if client is None:
        raise NotAllowed(NO_PATIENT_RECORD)
    return client


def clients_query(viewer: User | None, search: str = "") -> Select:
    """The client records `viewer` may see (staff: all; a client: their own), matching
    every word of `search` in the name, phone or email when given (a phone number however
    it is spaced or punctuated); by name."""
    statement = select(Client).order_by(Client.last_name, Client.first_name, Client.id)
    actor = policy_for(viewer).actor
    if actor is Actor.ANONYMOUS:
        statement = statement.where(false())
    elif actor is Actor.CLIENT:
        statement = statement.where(Client.user_id == viewer.id)
    for word in _search_words(search):
        matches = [
            func.lower(column).contains(word.lower(), autoescape=True)
            for column in (Client.first_name, Client.last_name, Client.email)
        ]
        digits = _digits(word)
        if len(digits) >= MIN_PHONE_DIGITS:
            matches.append(_phone_digits(Client.phone).contains(digits, autoescape=True))
        else:
            matches.append(Client.phone.contains(word, autoescape=True))
        statement = statement.where(or_(*matches))
    return statement


MIN_PHONE_DIGITS = 3
"""A search word of at least this many digits (and nothing but phone punctuation besides)
matches phone numbers by their digits alone: "067 000" finds "+380 (67) 000-00-01"."""
LOCAL_PHONE_DIGITS = 9
"""The digits of a phone number after its country and trunk prefixes: "067 123 45 67" and
"+380 (67) 123-45-67" are the same phone."""
PHONE_PUNCTUATION = " +-()./"
_PHONE_WORD = re.compile(r"^[0-9 +\-()./]+$", re.ASCII)


def _search_words(search: str) -> list[str]:
    """The words of a search (at most five); a phone number typed with spaces is one word."""
    search = search.strip()
    if _PHONE_WORD.match(search) and len(_digits(search)) >= MIN_PHONE_DIGITS:
        return [search]
    return search.split()[:5]


def _digits(text: str) -> str:
    """The digits of a phone-like word; empty for a word with anything else in it."""
    return re.sub(r"\D", "", text) if _PHONE_WORD.match(text) else ""


def _phone_digits(column: ColumnElement) -> ColumnElement:
    """`column` with phone punctuation taken out, in SQL."""
    for mark in PHONE_PUNCTUATION:
        column = func.replace(column, mark, "")
    return column


def possible_duplicates(
    session: AnySession, *, phone: str = "", email: str = "", exclude_id: int | None = None
) -> list[Client]:
    """Client records that may be the same person as a new one: the same email address (case
    ignored) or the same phone number (punctuation and country prefix ignored); at most ten,
    by name."""
    matches = []
    if email.strip():
        matches.append(func.lower(Client.email) == email.strip().lower())
    digits = _digits(phone.strip())
    if len(digits) >= LOCAL_PHONE_DIGITS:
        matches.append(_phone_digits(Client.phone).endswith(digits[-LOCAL_PHONE_DIGITS:]))
    elif len(digits) >= MIN_PHONE_DIGITS:
        matches.append(_phone_digits(Client.phone) == digits)
    if not matches:
        return []
    statement = (
        select(Client)
        .where(or_(*matches))
        .order_by(Client.last_name, Client.first_name, Client.id)
        .limit(10)
    )
    if exclude_id is not None:
        statement = statement.where(Client.id != exclude_id)
    return list(session.scalars(statement))


@dataclass(frozen=True)
class ClientCard:
    """A client record with their appointments: upcoming, and past or cancelled (the newest
    50), and how often they did not come."""

    client: Client
    upcoming: list[Appointment]
    past: list[Appointment]
    no_shows: int


def client_card(
    session: AnySession, viewer: User, client_id: int, now: datetime | None = None
) -> ClientCard:
    """The client record `viewer` may see with their appointments; NotFound for any other."""
    now = now or clinic_now()
    client = get_row(session, Client, client_id, "client")
    if not policy_for(viewer).sees(client):
        raise NotFound(f"There is no client {client.id}.")
    theirs = appointments_query(viewer, client_id=client.id, status=ALL).options(*WITH_PEOPLE)
    upcoming = session.scalars(
        theirs.where(Appointment.ends_at >= now, Appointment.status != AppointmentStatus.CANCELLED)
    ).unique()
    past = session.scalars(
        theirs.where(
            or_(Appointment.ends_at < now, Appointment.status == AppointmentStatus.CANCELLED)
        )
        .order_by(None)
        .order_by(Appointment.starts_at.desc(), Appointment.id.desc())
        .limit(HISTORY_LENGTH)
    ).unique()
    no_shows = session.scalar(
        select(func.count())
        .select_from(Appointment)
        .where(
            Appointment.client_id == client.id,
            Appointment.status == AppointmentStatus.NO_SHOW,
        )
    )
    return ClientCard(client, list(upcoming), list(past), no_shows)


def visit_type_suggestions(session: AnySession, specialist: Specialist) -> list[str]:
    """The types of visit the desk is offered for a specialist: their own list, then the
    types typed for their appointments before (the most used first; twenty in all)."""
    used = session.scalars(
        select(Appointment.type)
        .where(Appointment.specialist_id == specialist.id, Appointment.type != "")
        .group_by(Appointment.type)
        .order_by(func.count().desc(), Appointment.type)
        .limit(20)
    )
    return list(dict.fromkeys([*specialist.visit_types, *used]))[:20]
