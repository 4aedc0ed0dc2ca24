"""Appointments and their statuses."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .columns import AUTOINCREMENT, LocalDateTime, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from .people import Client, User
    from .setup import Location, Specialist


class AppointmentStatus(enum.StrEnum):
    """Where an appointment stands; only `cancelled` ones free their time."""

    BOOKED = "booked"
    ARRIVED = "arrived"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def in_words(self) -> str:
        """The status as people read it ("no show"): the one place it is said."""
        return STATUS_WORDS[self]


STATUS_WORDS = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.ARRIVED: "arrived",
    AppointmentStatus.COMPLETED: "completed",
    AppointmentStatus.NO_SHOW: "no show",
    AppointmentStatus.CANCELLED: "cancelled",
}

UNDER_WAY = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED)
"""The statuses of an appointment still to happen or happening: what time off or a shift
change must not strand."""


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
        enum_column(AppointmentStatus, "status"), default=AppointmentStatus.BOOKED
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
