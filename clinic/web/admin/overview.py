"""The clinic at a glance: what is set up, and this day's and week's appointments by status."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from sqlalchemy import func, select

from ... import scheduling
from ...extensions import db
from ...kernel.clock import clinic_now
from ...models import Client, Role, User
from . import bp


@bp.get("/")
def index():
    """How many specialists, locations, clients and staff the clinic has, today's and this
    week's appointments by status, and a link to every section."""
    counts = db.session.execute(
        select(
            scheduling.counted(scheduling.seen_specialists(scheduling.ANONYMOUS)),
            scheduling.counted(scheduling.seen_locations(scheduling.ANONYMOUS)),
            select(func.count()).select_from(Client).scalar_subquery(),
            select(func.count())
            .select_from(User)
            .where(User.role != Role.CLIENT, User.active)
            .scalar_subquery(),
        )
    ).one()
    today = clinic_now().date()
    monday = today - timedelta(days=today.weekday())
    return render_template(
        "admin/index.html",
        specialists=counts[0],
        locations=counts[1],
        clients=counts[2],
        staff=counts[3],
        today=today,
        monday=monday,
        today_counts=scheduling.status_counts(db.session, today, today),
        week_counts=scheduling.status_counts(db.session, monday, monday + timedelta(days=6)),
    )
