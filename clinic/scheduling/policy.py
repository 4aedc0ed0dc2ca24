"""Who may do what, and by which rules: the policy of an actor.

The clinic's staff (and the system itself: the demo, the command line) book any free time as
long as the specialist works then. Anonymous visitors and clients go by the online rules: only
the free slots on the grid, with the clinic's minimum notice and no further ahead than its
horizon, changes only until the cancellation window, and of the statuses only cancelling.
Which rules apply to whom is itself a rule, so it lives here and nowhere else.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from ..kernel.clock import real_time_between, wall_clock_after
from ..kernel.errors import Conflict, Invalid, NotAllowed
from ..kernel.values import AnySession
from ..models import Appointment, AppointmentStatus, Client, ClinicSettings, Role, Specialist, User
from .calendar import Span, working_spans

Status = AppointmentStatus

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.BOOKED: frozenset({Status.ARRIVED, Status.NO_SHOW, Status.CANCELLED}),
    Status.ARRIVED: frozenset({Status.COMPLETED, Status.CANCELLED, Status.BOOKED}),
    Status.COMPLETED: frozenset({Status.BOOKED}),
    Status.NO_SHOW: frozenset({Status.BOOKED}),
    Status.CANCELLED: frozenset(),
}
"""Which status may follow which; staying in the same status is no change, never an error.
Back to booked is the undo of a mistaken check-in, completion or no-show (on the day only, see
`Policy.status_refusal`); a cancellation is never undone: its time may be taken since and its
patient was told."""
ON_THE_DAY = frozenset({Status.ARRIVED, Status.BOOKED})
"""Statuses set only on the appointment's own day: a check-in, and an undo."""
ONCE_STARTED = frozenset({Status.COMPLETED, Status.NO_SHOW})
"""Statuses set only once the appointment has started (completing later is fine: clinics
close their records the next morning)."""


class Actor(enum.StrEnum):
    """Who is acting: the system (no user), an anonymous visitor, or a user of a role."""

    SYSTEM = "system"
    ANONYMOUS = "anonymous"
    CLIENT = "client"
    MANAGER = "manager"
    ADMIN = "admin"


BOOKING_OFF = "Online booking is switched off; please call the clinic."

STAFF_DETAILS = frozenset({"type", "notes"})
"""The details of an appointment besides its time and status that the clinic changes (the
patient's own note is the patient's)."""
PATIENT_DETAILS = frozenset({"patient_note"})
"""The one detail a client changes: their own note."""


@dataclass(frozen=True)
class Policy:
    """The rules one actor (`user_id` the signed-in user's id, if any) goes by."""

    actor: Actor
    user_id: int | None = None

    @property
    def online(self) -> bool:
        """Whether the online self-service rules apply (notice, horizon, grid, window)."""
        return self.actor in (Actor.ANONYMOUS, Actor.CLIENT)

    @property
    def staff(self) -> bool:
        """Whether this is the clinic itself: its staff, or the system."""
        return self.actor in (Actor.SYSTEM, Actor.MANAGER, Actor.ADMIN)

    @property
    def sees_inactive(self) -> bool:
        """Whether switched-off specialists and locations are shown (to admins, for setup)."""
        return self.actor in (Actor.SYSTEM, Actor.ADMIN)

    @property
    def removes_clients(self) -> bool:
        """Whether this actor may delete client records (those with no appointments)."""
        return self.actor in (Actor.SYSTEM, Actor.ADMIN)

    @property
    def overrides_addresses(self) -> bool:
        """Whether this actor may move an account to another address without its holder's
        confirmation (a patient whose old address is dead)."""
        return self.actor in (Actor.SYSTEM, Actor.ADMIN)

    @property
    def editable(self) -> frozenset[str]:
        """The details of an appointment this actor may change: staff the type and the
        clinic's notes, a client only their own note."""
        if self.staff:
            return STAFF_DETAILS
        return PATIENT_DETAILS if self.actor is Actor.CLIENT else frozenset()

    @property
    def statuses(self) -> frozenset[Status]:
        """The statuses this actor may move an appointment to."""
        if self.actor is Actor.CLIENT:
            return frozenset({Status.CANCELLED})
        if self.actor is Actor.ANONYMOUS:
            return frozenset()
        return frozenset(Status)

    def bounds(self, session: AnySession, now: datetime) -> tuple[datetime, datetime | None]:
        """The earliest and (online only) latest start a new appointment may have, as
        wall-clock times that order as the moments they name (see `wall_clock_after`): the
        notice is real time, also across a change of the clocks."""
        if not self.online:
            return wall_clock_after(now, timedelta(0)), None
        settings = session.get_one(ClinicSettings, 1)
        earliest = wall_clock_after(now, timedelta(minutes=settings.min_notice_minutes))
        latest = datetime.combine(now.date() + timedelta(days=settings.max_days_ahead + 1), time())
        return earliest, latest

    def books_online(self, session: AnySession) -> bool:
        """Whether this actor books (and moves) online, by the online rules: an anonymous
        visitor (once signed in) or a client, while the clinic has self-booking on."""
        return self.online and session.get_one(ClinicSettings, 1).self_booking

    def check_start(self, session: AnySession, span: Span, now: datetime) -> None:
        """Online: self-booking switched on, with notice, not too far ahead."""
        if not self.online:
            return
        settings = session.get_one(ClinicSettings, 1)
        if not settings.self_booking:
            raise Invalid({"start_time": BOOKING_OFF})
        earliest, latest = self.bounds(session, now)
        if span.start < earliest:
            raise Invalid(
                {"start_time": f"Book at least {settings.min_notice_minutes} minutes ahead."}
            )
        if latest is not None and span.start >= latest:
            raise Invalid({"date": f"Book at most {settings.max_days_ahead} days ahead."})

    def check_cap(
        self, session: AnySession, client: Client, now: datetime, lock: bool = True
    ) -> None:
        """A client may have only so many live future appointments they booked themself (the
        clinic's `max_client_bookings`); staff book any number (a course of sessions).

        Counted inside the booking's unit of work: on SQLite that holds the write lock; on
        PostgreSQL the client's row is locked first (unless only looking, `lock` False), so
        two bookings at once count in turn."""
        if self.actor is not Actor.CLIENT:
            return
        if lock:
            session.execute(select(Client.id).where(Client.id == client.id).with_for_update())
        booked = session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(
                Appointment.client_id == client.id,
                Appointment.created_by_id == self.user_id,
                Appointment.status.in_((Status.BOOKED, Status.ARRIVED)),
                Appointment.ends_at > now,
            )
        )
        cap = session.get_one(ClinicSettings, 1).max_client_bookings
        if booked >= cap:
            raise Conflict(
                f"You already have {booked} upcoming appointment{'s' if booked != 1 else ''} "
                "booked online, the most the clinic allows; cancel one, or call the clinic to "
                "book more."
            )

    def check_grid(self, specialist: Specialist, span: Span) -> None:
        """Online, a new time must be one of the slots: one slot long, a step of the slot
        length from the start of its working interval."""
        if not self.online:
            return
        length = timedelta(minutes=specialist.slot_minutes)
        if span.end - span.start != length or not any(
            span.within(interval) and (span.start - interval.start) % length == timedelta(0)
            for interval in working_spans(specialist.shifts, span.start.date())
        ):
            raise Invalid({"start_time": "Choose one of the free times."})

    def check_type(self, specialist: Specialist, kind: str) -> None:
        """Online, the type of visit is one of the specialist's visit types when they have any
        (so that patients never see, nor add to, what other patients typed)."""
        if self.online and specialist.visit_types and kind not in specialist.visit_types:
            raise Invalid({"type": "Choose one of the types of visit offered."})

    def change_refusals(
        self,
        session: AnySession,
        appointments: list[Appointment],
        now: datetime,
        moving: bool = False,
    ) -> dict[int, str]:
        """Why this actor may not cancel (or, `moving`, move) each of `appointments` now, in
        words, by id; those they may are left out. The clinic's settings are read once."""
        window = self._window(session)
        booking_off = moving and self.online and not self.books_online(session)
        refusals = {}
        for appointment in appointments:
            if appointment.status is not Status.BOOKED:
                status = appointment.status.in_words
                refusals[appointment.id] = (
                    f"Only booked appointments can be moved; this one is {status}."
                    if moving
                    else f"This appointment is {status}; it cannot change any more."
                )
            elif window is not None and real_time_between(now, appointment.starts_at) < window:
                refusals[appointment.id] = (
                    f"It starts in less than {window // timedelta(hours=1)} hours: too soon "
                    "to change online."
                )
            elif booking_off:
                refusals[appointment.id] = BOOKING_OFF
        return refusals

    def check_move(self, session: AnySession, appointment: Appointment, now: datetime) -> None:
        """Only a booked appointment moves, and online only until the window before it."""
        if appointment.status is not Status.BOOKED:
            raise Conflict(
                f"Only booked appointments can be moved; this one is {appointment.status.in_words}."
            )
        self.check_window(session, appointment, now, "moved")

    def check_window(
        self, session: AnySession, appointment: Appointment, now: datetime, done: str
    ) -> None:
        """Online, an appointment may be moved or cancelled only until the window before it."""
        window = self._window(session)
        if window is not None and real_time_between(now, appointment.starts_at) < window:
            raise Conflict(
                f"Appointments can be {done} online until {window // timedelta(hours=1)} hours "
                "before they start; please call the clinic."
            )

    def _window(self, session: AnySession) -> timedelta | None:
        """How long before an appointment online changes end (None: no limit, for staff)."""
        if not self.online:
            return None
        return timedelta(hours=session.get_one(ClinicSettings, 1).cancellation_window_hours)

    def sees(self, row: Client | Appointment) -> bool:
        """Whether this actor may see a client record or an appointment: staff any, a client
        their own record and their own appointments, nobody else any."""
        if self.staff:
            return True
        client = row.client if isinstance(row, Appointment) else row
        return self.actor is Actor.CLIENT and client.user_id == self.user_id

    def bookable(self, client: Client) -> Client:
        """The client a booking is for: anyone for staff, only themself for a client."""
        if not self.sees(client):
            raise Invalid({"client_id": f"There is no client {client.id}."})
        return client

    def check_edit(self, field: str) -> None:
        """Refuse changing a detail this actor may not change."""
        if field not in self.editable:
            if field == "patient_note":
                raise NotAllowed("Only the patient changes their own note.")
            raise NotAllowed(f"Only the clinic changes the {field.replace('_', ' ')}.")

    def next_statuses(self, appointment: Appointment, now: datetime) -> list[Status]:
        """The statuses this actor may move the appointment to now, in the table's order."""
        return [status for status in Status if self.allows(appointment, status, now)]

    def allows(self, appointment: Appointment, wanted: Status, now: datetime) -> bool:
        """Whether this actor may move the appointment to `wanted` now (another status)."""
        return (
            wanted in self.statuses
            and wanted in TRANSITIONS[appointment.status]
            and status_refusal(appointment, wanted, now) is None
        )

    def check_status(self, appointment: Appointment, wanted: Status, now: datetime) -> None:
        """Refuse a status this actor may not set, a change the table does not allow, or one
        not yet (or no longer) due (staying in the same status is no change)."""
        if wanted not in self.statuses:
            raise NotAllowed("Only the clinic sets that status.")
        if wanted is appointment.status:
            return
        if wanted not in TRANSITIONS[appointment.status]:
            raise Conflict(
                f"An appointment that is {appointment.status.in_words} "
                f"cannot become {wanted.in_words}."
            )
        refusal = status_refusal(appointment, wanted, now)
        if refusal is not None:
            raise Conflict(refusal)


SYSTEM = Policy(Actor.SYSTEM)
ANONYMOUS = Policy(Actor.ANONYMOUS)


def policy_for(user: User | None) -> Policy:
    """The policy of a signed-in user, or of an anonymous visitor (None)."""
    if user is None or not getattr(user, "is_authenticated", True):
        return ANONYMOUS
    return Policy(Actor(Role(user.role).value), user.id)


def acting(actor: User | None) -> Policy:
    """The policy of a change's actor: a change without one is the system's (demo, CLI)."""
    return SYSTEM if actor is None else policy_for(actor)


def status_refusal(appointment: Appointment, wanted: Status, now: datetime) -> str | None:
    """Why the appointment cannot move to `wanted` at `now` (clinic time), or None: a check-in
    and an undo only on its day, a completion or a no-show only once it has started."""
    day = appointment.starts_at.date()
    if wanted in ON_THE_DAY and now.date() != day:
        if wanted is Status.BOOKED:
            return f"A status goes back to booked on the day of the appointment only ({day})."
        return f"A patient is checked in on the day of the appointment only ({day})."
    if wanted in ONCE_STARTED and real_time_between(appointment.starts_at, now) < timedelta(0):
        return (
            f"An appointment becomes {wanted.in_words} once it has started "
            f"({day} {appointment.starts_at:%H:%M})."
        )
    return None
