"""The agenda's time grid: the day's plan laid out as table rows of equal length, a column per
specialist, each appointment or free time one cell spanning its rows. Layout only; what is
booked and free comes from the booking rules (`scheduling.day_plan`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from ...models import Appointment
from ...scheduling import Column, DayPlan

MIN_STEP = 5
"""The shortest row, in minutes: bookings at odd minutes are rounded onto it."""
MAX_STEP = 30


@dataclass
class Cell:
    """A table cell: what it shows (an appointment, a free time, working time with neither, or
    time outside the hours) and how many rows it spans."""

    kind: str
    rows: int = 1
    appointment: Appointment | None = None
    start: datetime | None = None


@dataclass
class Grid:
    """Rows of `step` from `times[0]`; `cells[row][column]` a Cell starting there, or None
    where a cell above spans over it."""

    times: list[datetime]
    step: timedelta
    cells: list[list[Cell | None]]


def lay_out(plan: DayPlan) -> Grid | None:
    """The plan's grid; None when nobody works or is booked that day."""
    edges = _edges(plan.columns)
    if not edges:
        return None
    first, last = min(edges), max(edges)
    minutes = [int((edge - first).total_seconds() // 60) for edge in edges]
    step = max(MIN_STEP, min(MAX_STEP, math.gcd(*minutes) or MAX_STEP))
    count = max(1, math.ceil((last - first) / timedelta(minutes=step)))
    times = [first + n * timedelta(minutes=step) for n in range(count)]
    columns = [_column(column, times, timedelta(minutes=step)) for column in plan.columns]
    return Grid(times, timedelta(minutes=step), [list(row) for row in zip(*columns, strict=True)])


def _edges(columns: list[Column]) -> list[datetime]:
    """Every moment a row must start or end at."""
    edges = []
    for column in columns:
        length = timedelta(minutes=column.specialist.slot_minutes)
        for span in column.hours:
            edges += [span.start, span.end]
        for appointment in column.appointments:
            edges += [appointment.starts_at, appointment.ends_at]
        for start in column.free:
            edges += [start, start + length]
    return edges


def _column(column: Column, times: list[datetime], step: timedelta) -> list[Cell | None]:
    """One specialist's cells, row by row."""
    first, count = times[0], len(times)
    cells: list[Cell | None] = [Cell(_idle(column, moment)) for moment in times]
    length = timedelta(minutes=column.specialist.slot_minutes)
    items = [(a.starts_at, a.ends_at, a) for a in column.appointments]
    items += [(start, start + length, None) for start in column.free]
    taken = [False] * count
    for start, end, appointment in sorted(items, key=lambda item: item[0]):
        row = max(0, int((start - first) // step))
        while row < count and taken[row]:
            row += 1
        stop = min(count, max(row + 1, math.ceil((end - first) / step)))
        if row >= count:
            continue
        stop = next((n for n in range(row, stop) if taken[n]), stop)
        kind = "free" if appointment is None else "appointment"
        cells[row] = Cell(kind, stop - row, appointment, start)
        for n in range(row, stop):
            taken[n] = True
        for n in range(row + 1, stop):
            cells[n] = None
    return _merge_idle(cells)


def _idle(column: Column, moment: datetime) -> str:
    """What an empty row is: working time ("open") or not ("off")."""
    return "open" if any(span.start <= moment < span.end for span in column.hours) else "off"


def _merge_idle(cells: list[Cell | None]) -> list[Cell | None]:
    """Join runs of empty rows of the same kind into one cell."""
    merged: list[Cell | None] = list(cells)
    run: Cell | None = None
    for n, cell in enumerate(merged):
        if cell is not None and cell.kind in ("open", "off"):
            if run is not None and run.kind == cell.kind:
                run.rows += 1
                merged[n] = None
                continue
            run = cell
        else:
            run = None
    return merged
