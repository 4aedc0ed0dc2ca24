"""What the admin sets up: shifts, locations (rooms), specialists, time off and the clinic's
settings, with the orders they are listed in."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .columns import AUTOINCREMENT, LocalDateTime

SHORTEST_SLOT, LONGEST_SLOT = 5, 480
"""The slot lengths the clinic takes, in minutes: the database's CHECK and every reader's."""
SLOT_MINUTES = f"{SHORTEST_SLOT} AND {LONGEST_SLOT}"

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
        CheckConstraint(f"slot_minutes BETWEEN {SLOT_MINUTES}", name="slot_minutes_range"),
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


class ClinicSettings(db.Model):
    """The clinic's own settings; exactly one row (id 1), made by the first migration."""

    __tablename__ = "clinic_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("min_notice_minutes >= 0", name="min_notice_valid"),
        CheckConstraint("max_days_ahead > 0", name="max_days_ahead_valid"),
        CheckConstraint("cancellation_window_hours >= 0", name="cancellation_window_valid"),
        CheckConstraint(f"default_slot_minutes BETWEEN {SLOT_MINUTES}", name="default_slot_valid"),
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


SPECIALIST_ORDER = (Specialist.last_name, Specialist.first_name, Specialist.id)
"""How specialists are listed everywhere: by last name, first name, then id."""
LOCATION_ORDER = (Location.name, Location.id)
"""How locations are listed on the pages: by name, then id."""
SHIFT_ORDER = (Shift.weekday, Shift.start_time, Shift.end_time, Shift.id)
"""How shifts are listed: by weekday and time."""
