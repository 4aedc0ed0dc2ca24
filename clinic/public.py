"""The public side: the specialist directory (calendars and self-booking come later)."""

from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .extensions import db
from .models import ClinicSettings, Specialist

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
    return render_template(
        "public/index.html", clinic=ClinicSettings.get(), specialists=specialists
    )
