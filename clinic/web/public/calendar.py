"""A specialist's week: their free times, day by day, to pick one and book it."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from ... import scheduling
from ...extensions import db
from ...http.caching import for_visitors
from ...kernel.clock import clinic_now
from . import bp


@bp.get("/specialists/<int:specialist_id>")
@for_visitors("date")
def specialist_week(specialist_id: int):
    """The week holding `?date=` (default today) as the public sees it (a signed-in client:
    without the times they are booked elsewhere). Each free time links to the booking page
    (which asks visitors to sign in first) when the viewer books online; a week without any
    points to the next free time."""
    policy = scheduling.policy_for(current_user)
    client_id = None
    if policy.actor is scheduling.Actor.CLIENT:
        client_id = scheduling.own_client_id(db.session, current_user)
    week = scheduling.specialist_week(
        db.session,
        specialist_id,
        request.args.get("date") or clinic_now().date(),
        client_id=client_id,
    )
    following = None
    if not any(day.slots for day in week.days):
        following = scheduling.next_free_slots(db.session, [week.specialist])[week.specialist.id]
    return render_template(
        "public/week.html",
        week=week,
        following=following,
        staff=policy.staff,
        slot_endpoint="me.book" if policy.books_online(db.session) else None,
    )
