"""A specialist's week: their free times, day by day, to pick one and book it."""

from __future__ import annotations

from datetime import datetime, time

from flask import render_template, request
from flask_login import current_user

from ... import scheduling
from ...clock import clinic_now
from ...extensions import db
from ...models import Role
from . import bp


@bp.get("/specialists/<int:specialist_id>")
def specialist_week(specialist_id: int):
    """The week holding `?date=` (default today) as the public sees it (a signed-in client:
    without the times they are booked elsewhere); each free time links to the booking page,
    which asks visitors to sign in first. A week without any points to the next free time."""
    client = current_user.is_authenticated and current_user.role is Role.CLIENT
    week = scheduling.specialist_week(
        db.session,
        specialist_id,
        request.args.get("date") or clinic_now().date(),
        client_id=scheduling.own_client_id(db.session, current_user) if client else None,
    )
    following = None
    if week.following and not any(day.slots for day in week.days):
        following = scheduling.next_free_slot(
            db.session, specialist_id, after=datetime.combine(week.following, time())
        )
    return render_template(
        "public/week.html",
        week=week,
        following=following,
        staff=current_user.is_authenticated and not client,
    )
