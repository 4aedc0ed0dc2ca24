"""A specialist's week at the desk: each day's bookings and free times, Monday to Sunday."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_login import current_user

from ... import scheduling
from ...clock import clinic_now
from ...extensions import db
from ...scheduling import Invalid
from . import bp


@bp.get("/specialists/<int:specialist_id>")
def specialist_week(specialist_id: int):
    """The week holding `?date=` (this week by default): each day's appointments (cancelled
    ones too) and the free times the desk may book, in time order."""
    try:
        week = scheduling.specialist_week(
            db.session,
            specialist_id,
            request.args.get("date") or clinic_now().date(),
            policy=scheduling.policy_for(current_user),
        )
        bad_date = None
    except Invalid as invalid:
        week = scheduling.specialist_week(
            db.session,
            specialist_id,
            clinic_now().date(),
            policy=scheduling.policy_for(current_user),
        )
        bad_date = invalid.message
    booked = db.session.scalars(
        scheduling.appointments_query(
            current_user,
            first=week.monday,
            last=week.monday + timedelta(days=6),
            specialist_id=specialist_id,
            status=scheduling.ALL,
        ).options(*scheduling.agenda.WITH_PEOPLE)
    ).unique()
    by_day = {day.date: [(slot, None) for slot in day.slots] for day in week.days}
    for appointment in booked:
        by_day[appointment.starts_at.date()].append((appointment.starts_at, appointment))
    entries = {day: sorted(items, key=lambda item: item[0]) for day, items in by_day.items()}
    return render_template("desk/week.html", week=week, entries=entries, bad_date=bad_date)
