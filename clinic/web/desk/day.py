"""The day's appointments (booking pages come with the desk's issue)."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_login import current_user

from ...clock import clinic_now
from ...extensions import db
from ...models import AppointmentStatus
from ...scheduling import Invalid, day_appointments, parse_date
from . import bp


@bp.get("/")
def index():
    """The appointments of a day (?date=, today by default), cancelled ones included."""
    try:
        day = parse_date(request.args.get("date") or clinic_now().date())
    except Invalid:
        day = clinic_now().date()
    appointments = day_appointments(db.session, current_user, day)
    return render_template(
        "desk/index.html",
        day=day,
        appointments=appointments,
        previous=day - timedelta(days=1),
        next=day + timedelta(days=1),
        cancelled=AppointmentStatus.CANCELLED,
    )
