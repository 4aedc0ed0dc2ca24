"""The clinic at a glance (setup pages come with the admin's issue)."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from ...extensions import db
from ...models import Client, Location, Role, Specialist, User
from . import bp


@bp.get("/")
def index():
    """How many specialists, locations, clients and staff the clinic has."""
    counts = db.session.execute(
        select(
            select(func.count()).select_from(Specialist).where(Specialist.active).scalar_subquery(),
            select(func.count()).select_from(Location).where(Location.active).scalar_subquery(),
            select(func.count()).select_from(Client).scalar_subquery(),
            select(func.count())
            .select_from(User)
            .where(User.role != Role.CLIENT, User.active)
            .scalar_subquery(),
        )
    ).one()
    return render_template(
        "admin/index.html",
        specialists=counts[0],
        locations=counts[1],
        clients=counts[2],
        staff=counts[3],
    )
