"""A specialist is absent: the desk records their time off (today or another day), through the
same rules as the admin area, and decides what becomes of the appointments it covers."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import scheduling
from ...clock import clinic_now
from ...extensions import db
from ...scheduling import Conflict, Invalid
from ...scheduling.slots import active_specialists
from ..forms import AbsenceForm
from . import bp

FIELDS = {"starts_at": "from_time", "ends_at": "to_time", "specialist_id": "specialist"}
"""The time off's fields as the form names them."""


@bp.route("/absence", methods=["GET", "POST"])
def absence():
    """Record a specialist's time off (`?specialist_id=` and `?date=` prefill it). When it
    covers booked appointments, they are listed and the desk keeps them (flagged on the agenda
    until moved) or cancels them, each client told by email."""
    form = AbsenceForm(data=_prefill()).offer(active_specialists(db.session))
    covered, refusal = [], None
    if form.validate_on_submit():
        starts_at, ends_at = form.span()
        try:
            saved = scheduling.save_time_off(
                db.session,
                starts_at=starts_at,
                ends_at=ends_at,
                specialist_id=form.specialist.data,
                reason=form.reason.data or "",
                covered=form.covered.data or None,
                actor=current_user,
            )
        except Conflict as conflict:
            refusal = conflict
            covered = scheduling.with_people(db.session, current_user, conflict.appointments)
            if covered:
                form.covered.errors = [conflict.message]
            else:
                form.form_errors.append(conflict.message)
        except Invalid as invalid:
            form.show_refusal(invalid, FIELDS)
        else:
            flash(_saved_in_words(saved), "success")
            return redirect(url_for("desk.index", date=starts_at.date().isoformat()))
    return render_template("desk/absence.html", form=form, covered=covered), (
        409 if refusal else 400 if form.errors else 200
    )


def _prefill() -> dict:
    """The specialist and day asked for in the query, else today."""
    day = request.args.get("date")
    try:
        first_day = scheduling.parse_date(day) if day else clinic_now().date()
    except Invalid:
        first_day = clinic_now().date()
    return {"specialist": request.args.get("specialist_id", ""), "first_day": first_day}


def _saved_in_words(saved: scheduling.TimeOffSaved) -> str:
    """What recording the time off did, for the flash message."""
    time_off = saved.time_off
    said = (
        f"Time off recorded for {time_off.specialist.full_name}, "
        f"{time_off.starts_at:%Y-%m-%d %H:%M} to {time_off.ends_at:%Y-%m-%d %H:%M}."
    )
    if saved.cancelled:
        said += f" {len(saved.cancelled)} appointment(s) cancelled; each client is emailed."
    if saved.kept:
        said += f" {len(saved.kept)} appointment(s) kept and flagged on the agenda: move them."
    return said
