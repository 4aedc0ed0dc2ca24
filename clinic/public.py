"""The public side: the specialist directory (calendars and self-booking come later) and a
client's own appointments."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .auth import role_required
from .clock import clinic_now
from .extensions import db
from .models import Appointment, AppointmentStatus, Client, Role, Specialist

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    """The home page: the clinic and its active specialists."""
    specialists = db.session.scalars(
        select(Specialist)
        .where(Specialist.active)
        .options(joinedload(Specialist.default_location))
        .order_by(Specialist.last_name, Specialist.first_name, Specialist.id)
    ).all()
    return render_template("public/index.html", specialists=specialists)


@bp.get("/me/appointments")
@role_required(Role.CLIENT)
def my_appointments():
    """A client's upcoming appointments."""
    appointments = db.session.scalars(
        select(Appointment)
        .join(Client)
        .where(Client.user_id == current_user.id, Appointment.ends_at >= clinic_now(),
               Appointment.status != AppointmentStatus.CANCELLED)
        .options(joinedload(Appointment.specialist), joinedload(Appointment.location))
        .order_by(Appointment.starts_at)
    ).all()
    return render_template("public/my_appointments.html", appointments=appointments)
