"""A specialist's week at the desk: each day's bookings and free times, Monday to Sunday."""

from __future__ import annotations

from datetime import date, timedelta

from flask import render_template, request
from flask_login import current_user

from ... import scheduling
from ...extensions import db
from ...kernel.clock import clinic_now
from ...kernel.errors import Invalid
from ...kernel.values import parse_date
from . import bp


@bp.get("/specialists/<int:specialist_id>")
def specialist_week(specialist_id: int):
    """The week holding `?date=` (this week by default, or for a day that is none): each
    day's appointments (cancelled ones too) and the free times the desk may book, by time."""
    day, bad_date = asked_day()
    week = scheduling.specialist_week(
        db.session, specialist_id, day, policy=scheduling.policy_for(current_user)
    )
    booked = scheduling.appointments_between(
        db.session,
        current_user,
        week.monday,
        week.monday + timedelta(days=6),
        specialist_id=specialist_id,
    )
    by_day = {day.date: [(slot, None) for slot in day.slots] for day in week.days}
    for appointment in booked:
        by_day[appointment.starts_at.date()].append((appointment.starts_at, appointment))
    entries = {day: sorted(items, key=lambda item: item[0]) for day, items in by_day.items()}
    return render_template("desk/week.html", week=week, entries=entries, bad_date=bad_date)


def asked_day() -> tuple[date, str | None]:
    """The day of `?date=`, or today and why the one asked for is no day."""
    try:
        return parse_date(request.args.get("date") or clinic_now().date()), None
    except Invalid as invalid:
        return clinic_now().date(), invalid.message
