"""A specialist is absent: the desk records their time off (today or another day), through the
same rules as the admin area, and decides what becomes of the appointments it covers."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ... import scheduling
from ...extensions import db
from ...kernel.clock import clinic_now
from ...kernel.errors import Invalid
from ...kernel.values import parse_date
from ..forms import AbsenceForm
from ..time_off import Recorded, outcome_in_words, record_time_off
from . import bp

FIELDS = {"starts_at": "from_time", "ends_at": "to_time", "specialist_id": "specialist"}
"""The time off's fields as the form names them."""


@bp.route("/absence", methods=["GET", "POST"])
def absence():
    """Record a specialist's time off (`?specialist_id=` and `?date=` prefill it). When it
    covers booked appointments, they are listed and the desk keeps them (flagged on the agenda
    until moved) or cancels them, each client told by email."""
    form = AbsenceForm(data=_prefill()).offer(scheduling.active_specialists(db.session))
    recorded = Recorded()
    if form.validate_on_submit():
        recorded = record_time_off(form, None, FIELDS, specialist_id=form.specialist.data)
        if recorded.saved is not None:
            flash(_saved_in_words(recorded.saved), "success")
            day = recorded.saved.time_off.starts_at.date()
            return redirect(url_for("desk.index", date=day.isoformat()))
    page = render_template("desk/absence.html", form=form, covered=recorded.covered)
    return page, 409 if recorded.refusal else 400 if form.errors or form.form_errors else 200


def _prefill() -> dict:
    """The specialist and day asked for in the query, else today."""
    day = request.args.get("date")
    try:
        first_day = parse_date(day) if day else clinic_now().date()
    except Invalid:
        first_day = clinic_now().date()
    return {"specialist": request.args.get("specialist_id", ""), "first_day": first_day}


def _saved_in_words(saved: scheduling.TimeOffSaved) -> str:
    """What recording the time off did, for the flash message."""
    time_off = saved.time_off
    return (
        f"Time off recorded for {time_off.specialist.full_name}, "
        f"{time_off.starts_at:%Y-%m-%d %H:%M} to {time_off.ends_at:%Y-%m-%d %H:%M}."
        + outcome_in_words(saved)
    )
