"""The home page: the clinic and its specialists."""

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Specialist
from . import bp


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
