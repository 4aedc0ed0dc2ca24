"""The agenda's time grid: the day's lanes laid out as table rows of equal length, a column per
specialist, each appointment or free time one cell spanning its rows. Layout only; what is
booked and free comes from the booking rules (`scheduling.day_plan`), in the agenda's words
(`agenda.py`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from .agenda import Entry, Lane, Slot

MIN_STEP = 5
"""The shortest row, in minutes: bookings at odd minutes are rounded onto it."""
MAX_STEP = 30


@dataclass(slots=True)
class Cell:
    """A table cell: what it shows (an appointment, a free time, working time with neither, or
    time outside the hours), how many rows it spans, and its class attribute."""

    kind: str
    rows: int = 1
    item: Entry | Slot | None = None

    @property
    def css(self) -> str:
        """The cell's classes: its kind, and whether a time off covers its appointment."""
        flagged = self.item is not None and self.item.flagged
        return f"cell-{self.kind} cell-flagged" if flagged else f"cell-{self.kind}"


@dataclass
class Grid:
    """Rows of `step` from `times[0]`; `cells[row][column]` a Cell starting there, or None
    where a cell above spans over it."""

    times: list[datetime]
    step: timedelta
    cells: list[list[Cell | None]]


def lay_out(lanes: list[Lane]) -> Grid | None:
    """The lanes' grid; None when nobody works or is booked that day."""
    edges = _edges(lanes)
    if not edges:
        return None
    first, last = min(edges), max(edges)
    minutes = [int((edge - first).total_seconds() // 60) for edge in edges]
    step = max(MIN_STEP, min(MAX_STEP, math.gcd(*minutes) or MAX_STEP))
    count = max(1, math.ceil((last - first) / timedelta(minutes=step)))
    times = [first + n * timedelta(minutes=step) for n in range(count)]
    columns = [_column(lane, times, timedelta(minutes=step)) for lane in lanes]
    return Grid(times, timedelta(minutes=step), [list(row) for row in zip(*columns, strict=True)])


def _edges(lanes: list[Lane]) -> list[datetime]:
    """Every moment a row must start or end at."""
    edges = []
    for lane in lanes:
        for span in lane.spans:
            edges += [span.start, span.end]
        for start, end, _ in lane.items:
            edges += [start, end]
    return edges


def _column(lane: Lane, times: list[datetime], step: timedelta) -> list[Cell | None]:
    """One specialist's cells, row by row (the lane's items come by start)."""
    first, count = times[0], len(times)
    cells: list[Cell | None] = [Cell(_idle(lane, moment)) for moment in times]
    taken = [False] * count
    for start, end, item in lane.items:
        row = max(0, int((start - first) // step))
        while row < count and taken[row]:
            row += 1
        stop = min(count, max(row + 1, math.ceil((end - first) / step)))
        if row >= count:
            continue
        stop = next((n for n in range(row, stop) if taken[n]), stop)
        cells[row] = Cell(item.kind, stop - row, item)
        for n in range(row, stop):
            taken[n] = True
        for n in range(row + 1, stop):
            cells[n] = None
    return _merge_idle(cells)


def _idle(lane: Lane, moment: datetime) -> str:
    """What an empty row is: working time ("open") or not ("off")."""
    return "open" if any(span.start <= moment < span.end for span in lane.spans) else "off"


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
