"""The clinic's data: typed SQLAlchemy 2.x models.

Two kinds of time live here. Appointments and time off are clinic-local wall-clock times
(naive `LocalDateTime`); system timestamps (created, audit, tokens) are aware UTC (`UTCDateTime`).
The overlap invariants of appointments are kept by the database itself: PostgreSQL exclusion
constraints and SQLite triggers, both written in the migrations and kept out of this metadata.
"""

from __future__ import annotations

import enum
import unicodedata
from datetime import UTC, datetime, time
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db


def comparison_key(text: str) -> str:
    """How names compare: NFKC-normalised and case-folded (`ADMIN` is `admin`)."""
    return unicodedata.normalize("NFKC", text).casefold()


def utcnow() -> datetime:
    """The current moment, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime, stored naive (in UTC) so both databases store it alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a UTC timestamp needs an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class _SQLiteLocalDateTime(sqlite.DATETIME):
    """SQLite's DATETIME as `LocalDateTime` stores it, read by `datetime.fromisoformat` when a
    value has exactly the stored form (the regular expression, far slower, reads anything else,
    as before): busy time is read a thousand values at a time."""

    cache_ok = True

    def result_processor(self, dialect, coltype):
        by_pattern = super().result_processor(dialect, coltype)
        parse = datetime.fromisoformat

        def process(value):
            if type(value) is str and len(value) == 19 and value[4:20:3] == "-- ::":
                try:
                    return parse(value)
                except ValueError:
                    pass
            return by_pattern(value)

        return process


# Clinic wall-clock time to the second. On SQLite it is stored as "YYYY-MM-DD HH:MM:SS", the
# form a person writes in SQL too, so that the overlap triggers compare like with like.
LocalDateTime = DateTime().with_variant(
    _SQLiteLocalDateTime(
        storage_format="%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d",
        regexp=r"(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)",
    ),
    "sqlite",
)


class Role(enum.StrEnum):
    """What a user may do: admin everything, manager the front desk, client their own data."""

    ADMIN = "admin"
    MANAGER = "manager"
    CLIENT = "client"


class AppointmentStatus(enum.StrEnum):
    """Where an appointment stands; only `cancelled` ones free their time."""

    BOOKED = "booked"
    ARRIVED = "arrived"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


UNDER_WAY = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED)
"""The statuses of an appointment still to happen or happening: what a closure or a shift
change must not strand."""


AUTOINCREMENT = {"sqlite_autoincrement": True}
"""Ids are never reused: SQLite would otherwise hand a deleted row's id to the next one."""


def _enum(kind: type[enum.StrEnum], name: str) -> Enum:
    """A portable enum column: VARCHAR with a CHECK of the values."""
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


specialist_shifts = Table(
    "specialist_shifts",
    db.metadata,
    Column("specialist_id", ForeignKey("specialists.id", ondelete="CASCADE"), primary_key=True),
    Column("shift_id", ForeignKey("shifts.id", ondelete="RESTRICT"), primary_key=True),
)

location_shifts = Table(
    "location_shifts",
    db.metadata,
    Column("location_id", ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True),
    Column("shift_id", ForeignKey("shifts.id", ondelete="RESTRICT"), primary_key=True),
)


class User(UserMixin, db.Model):
    """Someone who signs in: staff (admin, manager) or a client."""

    __tablename__ = "users"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    username_key: Mapped[str] = mapped_column(String(150), unique=True)
    """The username NFKC-normalised and case-folded: what uniqueness and sign-in compare."""
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(150), default="")
    last_name: Mapped[str] = mapped_column(String(150), default="")
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    auth_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """Carried by every sign-in and token; bumped to end them all (password change, sign out
    everywhere, switched off)."""
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    """The password is a temporary one an admin set: its owner chooses their own first."""
    pending_email: Mapped[str | None] = mapped_column(String(254))
    """The address a change waits to move the account to (asked by its holder and confirmed at
    the new address, or asked by staff and confirmed at the current one); none waits."""

    client: Mapped[Client | None] = relationship(back_populates="user")

    @property
    def full_name(self) -> str:
        """First and last name, or the username when both are empty."""
        return f"{self.first_name} {self.last_name}".strip() or self.username

    @property
    def is_active(self) -> bool:
        """flask-login asks: the admin's switch."""
        return self.active

    __eq__ = object.__eq__  # one object per row in a session; UserMixin would compare get_id
    __hash__ = object.__hash__
    sign_in_token = None
    """The token of the sign-in this user object came through (not stored; see sign_ins)."""

    def get_id(self) -> str:
        """flask-login keeps this in the session and the remember-me cookie: the sign-in's
        token, never the user's id, so that signing out ends the cookie's worth."""
        if not self.sign_in_token:
            raise RuntimeError("sign in through sign_ins.start_sign_in first")
        return self.sign_in_token

    @validates("username")
    def _keep_username_key(self, _field: str, username: str) -> str:
        """Every username carries its comparison key."""
        self.username_key = comparison_key(username)
        return username


class Shift(db.Model):
    """A weekly block of working time, e.g. Monday 09:00-18:00 (weekday 0 is Monday)."""

    __tablename__ = "shifts"
    __table_args__ = (
        UniqueConstraint("weekday", "start_time", "end_time"),
        CheckConstraint("start_time < end_time", name="start_before_end"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_valid"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)


class Location(db.Model):
    """A room where one appointment at a time takes place."""

    __tablename__ = "locations"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    shifts: Mapped[list[Shift]] = relationship(
        secondary=location_shifts, order_by=lambda: (Shift.weekday, Shift.start_time)
    )


class Specialist(db.Model):
    """A doctor or other person who sees clients."""

    __tablename__ = "specialists"
    __table_args__ = (
        CheckConstraint("slot_minutes BETWEEN 5 AND 480", name="slot_minutes_range"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(150))
    last_name: Mapped[str] = mapped_column(String(150))
    phone: Mapped[str] = mapped_column(String(32), default="")
    specialty: Mapped[str] = mapped_column(String(150), default="")
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    default_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    about: Mapped[str] = mapped_column(Text, default="", server_default="")
    visit_types: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    """The visit types patients choose from when booking online (free text when empty)."""

    default_location: Mapped[Location | None] = relationship()
    shifts: Mapped[list[Shift]] = relationship(
        secondary=specialist_shifts, order_by=lambda: (Shift.weekday, Shift.start_time)
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class TimeOff(db.Model):
    """A dated block when a specialist, a location, or (neither given) the whole clinic is closed.

    `starts_at` and `ends_at` are clinic-local and half-open: [starts_at, ends_at).
    """

    __tablename__ = "time_off"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="start_before_end"),
        CheckConstraint("specialist_id IS NULL OR location_id IS NULL", name="one_scope"),
        Index("ix_time_off_span", "starts_at", "ends_at"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    specialist_id: Mapped[int | None] = mapped_column(
        ForeignKey("specialists.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(LocalDateTime)
    ends_at: Mapped[datetime] = mapped_column(LocalDateTime)
    reason: Mapped[str] = mapped_column(String(255), default="")

    specialist: Mapped[Specialist | None] = relationship()
    location: Mapped[Location | None] = relationship()


class Client(db.Model):
    """A patient who is booked; may have a user account of their own."""

    __tablename__ = "clients"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(150))
    last_name: Mapped[str] = mapped_column(String(150))
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(back_populates="client")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Appointment(db.Model):
    """A client seeing a specialist at a location from `starts_at` to `ends_at` (clinic-local)."""

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="start_before_end"),
        CheckConstraint("ics_sequence >= 0", name="ics_sequence_valid"),
        Index("ix_appointments_specialist_start", "specialist_id", "starts_at"),
        Index("ix_appointments_location_start", "location_id", "starts_at"),
        Index("ix_appointments_client_start", "client_id", "starts_at"),
        Index("ix_appointments_starts_at", "starts_at"),
        Index("ix_appointments_updated_at", "updated_at"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(100), default="")
    specialist_id: Mapped[int] = mapped_column(ForeignKey("specialists.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    starts_at: Mapped[datetime] = mapped_column(LocalDateTime)
    ends_at: Mapped[datetime] = mapped_column(LocalDateTime)
    status: Mapped[AppointmentStatus] = mapped_column(
        _enum(AppointmentStatus, "status"), default=AppointmentStatus.BOOKED
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    """The clinic's notes: staff only, never shown to the patient."""
    patient_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    """What the patient wrote when booking (theirs to change)."""
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancel_reason: Mapped[str] = mapped_column(String(255), default="")
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0)

    specialist: Mapped[Specialist] = relationship()
    client: Mapped[Client] = relationship()
    location: Mapped[Location] = relationship()
    created_by: Mapped[User | None] = relationship()


class AuditEntry(db.Model):
    """One change: who (none when the system did it), when, what, and the before/after."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity", "entity", "entity_id"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()


class RevokedToken(db.Model):
    """A JWT revoked before it expired (logout); kept until it would have expired anyway."""

    __tablename__ = "token_blocklist"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(primary_key=True)
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    token_type: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(Integer)
    """Whose token it was; no foreign key, so that the revocation outlives the user."""
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SignIn(db.Model):
    """One browser sign-in, checked on every request and removed at sign-out.

    The session and remember-me cookies carry its token; only a hash of it is stored, with the
    user's `auth_version` at the time (a later bump ends the sign-in).
    """

    __tablename__ = "sign_ins"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    auth_version: Mapped[int] = mapped_column(Integer)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class ClinicSettings(db.Model):
    """The clinic's own settings; exactly one row (id 1), made by the first migration."""

    __tablename__ = "clinic_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("min_notice_minutes >= 0", name="min_notice_valid"),
        CheckConstraint("max_days_ahead > 0", name="max_days_ahead_valid"),
        CheckConstraint("cancellation_window_hours >= 0", name="cancellation_window_valid"),
        CheckConstraint("default_slot_minutes BETWEEN 5 AND 480", name="default_slot_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    name: Mapped[str] = mapped_column(String(150), default="Clinic")
    address: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    self_booking: Mapped[bool] = mapped_column(Boolean, default=True)
    min_notice_minutes: Mapped[int] = mapped_column(Integer, default=60)
    max_days_ahead: Mapped[int] = mapped_column(Integer, default=60)
    cancellation_window_hours: Mapped[int] = mapped_column(Integer, default=24)
    default_slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    max_client_bookings: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    """How many live future appointments a client may book for themself (staff: no cap)."""

    @classmethod
    def get(cls) -> ClinicSettings:
        """The settings row."""
        return db.session.get_one(cls, 1)


class DataVersion(db.Model):
    """How many times the clinic's data has changed; exactly one row (id 1).

    Every unit of work that makes an audited change adds one inside its own transaction, so a
    reader that sees a change also sees the version it came with. The response cache keys on
    it (clinic/caching.py): an answer cached under an older version is never asked for again.
    """

    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


SPECIALIST_ORDER = (Specialist.last_name, Specialist.first_name, Specialist.id)
"""How specialists are listed everywhere: by last name, first name, then id."""
LOCATION_ORDER = (Location.name, Location.id)
"""How locations are listed on the pages: by name, then id."""
SHIFT_ORDER = (Shift.weekday, Shift.start_time, Shift.end_time, Shift.id)
"""How shifts are listed: by weekday and time."""
