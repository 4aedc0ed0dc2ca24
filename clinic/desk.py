"""The front desk (/desk): the day's appointments (booking pages come with the desk's issue)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .auth import role_required
from .clock import clinic_now
from .extensions import db
from .models import Appointment, AppointmentStatus, Role
from .scheduling import Invalid, parse_date

bp = Blueprint("desk", __name__, url_prefix="/desk")


@bp.get("/")
@role_required(Role.MANAGER, Role.ADMIN)
def index():
    """The appointments of a day (?date=, today by default), cancelled ones included."""
    try:
        day = parse_date(request.args.get("date") or clinic_now().date())
    except Invalid:
        day = clinic_now().date()
    midnight = datetime.combine(day, time())
    appointments = db.session.scalars(
        select(Appointment)
        .where(Appointment.starts_at >= midnight,
               Appointment.starts_at < midnight + timedelta(days=1))
        .options(joinedload(Appointment.specialist), joinedload(Appointment.client),
                 joinedload(Appointment.location))
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    return render_template("desk/index.html", day=day, appointments=appointments,
                           previous=day - timedelta(days=1), next=day + timedelta(days=1),
                           cancelled=AppointmentStatus.CANCELLED)
