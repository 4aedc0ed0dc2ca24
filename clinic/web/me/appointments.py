"""A client's own appointments."""

from flask import render_template
from flask_login import current_user

from ...extensions import db
from ...scheduling import upcoming_appointments
from . import bp


@bp.get("/appointments")
def appointments():
    """A client's upcoming appointments."""
    return render_template(
        "me/appointments.html", appointments=upcoming_appointments(db.session, current_user)
    )
