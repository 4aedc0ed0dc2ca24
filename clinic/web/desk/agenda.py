"""The agenda's words and links, worked out once per page in plain strings: each appointment,
free time and specialist as the day's page shows them. The template only places them (drawing
them there, with `url_for` and `strftime` for each of a thousand links, took most of the
page's time)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import url_for

from ...models import Appointment, AppointmentStatus, Specialist
from ...scheduling import Column, DayPlan, Policy, Span

MARK = 987_654_320
"""Placeholders for the values an `Address` fills in (no real id or date reads like them)."""


class Address:
    """An endpoint's address built once by `url_for`, its `varying` values left as
    placeholders that `fill` replaces. Only for values that URLs carry as they are: ids,
    ISO dates, HH:MM times.

    1.3 times faster than `url_for` for each link on the bench's "GET /desk/ (a free day, 800
    free times)": 20.5 ms vs 27.2 ms (1.14 times on a day a quarter booked; 1.05 times on the
    fully booked "GET /desk/ (a day, 50 specialists)", whose links are fewer), measured by
    swapping `url_for` in, in process on SQLite."""

    def __init__(self, endpoint: str, *varying: str, **fixed: Any) -> None:
        marks = {name: MARK + n for n, name in enumerate(varying)}
        pattern = url_for(endpoint, **fixed, **marks).replace("{", "{{").replace("}", "}}")
        for name, mark in marks.items():
            if pattern.count(str(mark)) != 1:
                raise ValueError(f"{endpoint}'s address does not carry {name} once")
            pattern = pattern.replace(str(mark), f"{{{name}}}")
        self.fill = pattern.format


def hhmm(moment: datetime) -> str:
    """A moment's time of day, "HH:MM" (as strftime writes it, for less)."""
    return f"{moment.hour:02}:{moment.minute:02}"


@dataclass(slots=True)
class Entry:
    """An appointment as the agenda shows it. `place` is its room when not the specialist's
    own; `move` the page that moves it when a time off covers it; `arrive` where its check-in
    button posts (today only, while it may still arrive)."""

    id: int
    time: str
    href: str
    client: str
    type: str
    note: str
    status: str
    status_words: str
    place: str | None
    move: str | None
    arrive: str | None
    arrive_label: str
    kind = "appointment"

    @property
    def flagged(self) -> bool:
        """Whether a time off covers it."""
        return self.move is not None


@dataclass(slots=True)
class Slot:
    """A free time as the agenda shows it: "HH:MM", the link that books it and its label."""

    time: str
    href: str
    label: str
    kind = "free"
    flagged = False


@dataclass(slots=True)
class Lane:
    """A specialist's column (and list): the link to their week (while they work here), their
    own room, working hours, time off, and the appointments and free times by time, each as
    (start, end, Entry or Slot)."""

    specialist: Specialist
    week: str | None
    room: str | None
    spans: list[Span]
    hours: str
    away: list[tuple[str, str]]
    items: list[tuple[datetime, datetime, Entry | Slot]] = field(default_factory=list)


@dataclass
class Agenda:
    """The day's lanes, and its entries (each drawn once, shown in the grid and the list)."""

    lanes: list[Lane]
    entries: list[Entry]

    @property
    def checks_in(self) -> bool:
        """Whether any entry has a check-in button (which needs the CSRF token)."""
        return any(entry.arrive for entry in self.entries)


def agenda_of(plan: DayPlan, policy: Policy, now: datetime) -> Agenda:
    """The plan in the agenda's words and links; `now` the clinic's time."""
    links = {
        "appointment": Address("desk.appointment", "appointment_id"),
        "move": Address("desk.move_appointment", "appointment_id"),
        "status": Address("desk.appointment_status", "appointment_id"),
        "book": Address("desk.new_appointment", "specialist_id", "date", "start_time"),
        "week": Address("desk.specialist_week", "specialist_id", date=plan.day.isoformat()),
    }
    lanes, entries = [], []
    for column in plan.columns:
        lane = _lane(column, plan.day, links)
        for appointment in column.appointments:
            entry = _entry(appointment, plan.flagged, policy, now, links)
            entries.append(entry)
            lane.items.append((appointment.starts_at, appointment.ends_at, entry))
        lane.items += _slots(column, links)
        lane.items.sort(key=lambda item: item[0])
        lanes.append(lane)
    return Agenda(lanes, entries)


def _lane(column: Column, day: date, links: dict[str, Address]) -> Lane:
    """A specialist's lane, without its items."""
    specialist = column.specialist
    return Lane(
        specialist=specialist,
        week=links["week"].fill(specialist_id=specialist.id) if specialist.active else None,
        room=specialist.default_location.name if specialist.default_location else None,
        spans=column.hours,
        hours=", ".join(f"{hhmm(span.start)}\N{EN DASH}{hhmm(span.end)}" for span in column.hours),
        away=[
            (
                hhmm(span.start) if span.start.date() == day else "from before",
                hhmm(span.end) if span.end.date() == day else "all day",
            )
            for span in column.away
        ],
    )


def _entry(
    appointment: Appointment,
    flagged: set[int],
    policy: Policy,
    now: datetime,
    links: dict[str, Address],
) -> Entry:
    """An appointment's entry as the viewer (`policy`) sees it at `now`."""
    key, client = appointment.id, appointment.client.full_name
    start = hhmm(appointment.starts_at)
    arrives = policy.allows(appointment, AppointmentStatus.ARRIVED, now)
    specialist = appointment.specialist
    return Entry(
        id=key,
        time=f"{start}\N{EN DASH}{hhmm(appointment.ends_at)}",
        href=links["appointment"].fill(appointment_id=key),
        client=client,
        type=appointment.type,
        note=appointment.patient_note,
        status=appointment.status.value,
        status_words=appointment.status.in_words.capitalize(),
        place=(
            appointment.location.name
            if appointment.location_id != specialist.default_location_id
            else None
        ),
        move=links["move"].fill(appointment_id=key) if key in flagged else None,
        arrive=links["status"].fill(appointment_id=key) if arrives else None,
        arrive_label=f"{client} arrived ({start})",
    )


def _slots(column: Column, links: dict[str, Address]) -> list[tuple[datetime, datetime, Slot]]:
    """A specialist's free times as (start, end, Slot)."""
    specialist = column.specialist
    length, name = timedelta(minutes=specialist.slot_minutes), specialist.full_name
    book = links["book"].fill
    slots = []
    for start in column.free:
        time = hhmm(start)
        href = book(specialist_id=specialist.id, date=start.date().isoformat(), start_time=time)
        slots.append((start, start + length, Slot(time, href, f"Book {name} at {time}")))
    return slots
