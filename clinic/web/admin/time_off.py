"""Time off of a specialist, a location or the whole clinic: the list (upcoming and current,
or past), recording and changing one — asking what becomes of the booked appointments it
covers, as the desk's absence page does — and removing one."""

from __future__ import annotations

from datetime import time, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import scheduling
from ...extensions import db
from ...kernel.clock import clinic_now
from ...kernel.values import get_row
from ...models import TimeOff
from ..forms import Form
from ..paging import page_number
from ..time_off import Recorded, outcome_in_words, record_time_off
from ..words import span_in_words, whose
from . import bp
from .schedule_forms import CLINIC, TimeOffForm

PER_PAGE = 50
FIELDS = {
    "starts_at": "from_time",
    "ends_at": "to_time",
    "specialist_id": "scope",
    "location_id": "scope",
}
"""The time off's fields as the form names them."""


@bp.get("/time-off/")
def time_off():
    """The time off not yet over, soonest first (`?past=1`: those over, latest first), 50 a
    page."""
    past = request.args.get("past") == "1"
    statement = scheduling.time_off_query(clinic_now(), past=past)
    pagination = db.paginate(statement, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/time_off.html",
        pagination=pagination,
        past=past,
        whose=whose,
        span_in_words=span_in_words,
    )


@bp.route("/time-off/new", methods=["GET", "POST"])
def new_time_off():
    """Record a time off (`?scope=` prefills whose)."""
    return time_off_page(None)


@bp.route("/time-off/<int:time_off_id>/edit", methods=["GET", "POST"])
def edit_time_off(time_off_id: int):
    """Change a time off; the appointments it newly covers are asked about."""
    return time_off_page(get_row(db.session, TimeOff, time_off_id, "time off"))


def time_off_page(time_off: TimeOff | None):
    """The time off form (new, or of `time_off`): when it covers booked appointments, they
    are listed and the admin keeps them (flagged until moved) or cancels them, each client
    told by email."""
    prefill = prefilled(time_off) if request.method == "GET" else None
    form = TimeOffForm(data=prefill).offer(*scopes(time_off))
    recorded = Recorded()
    if form.validate_on_submit():
        time_off_id = None if time_off is None else time_off.id
        recorded = record_time_off(form, time_off_id, FIELDS, **form.whose())
        if recorded.saved is not None:
            flash(saved_in_words(recorded.saved), "success")
            return redirect(url_for("admin.time_off"))
    page = render_template(
        "admin/time_off_form.html", form=form, time_off=time_off, covered=recorded.covered
    )
    if request.method == "GET":
        return page
    return page, 409 if recorded.refusal else 400


def scopes(time_off: TimeOff | None) -> tuple[list, list]:
    """The specialists and locations a time off may be of: the active ones, and the one it
    already has."""
    specialists = scheduling.active_specialists(db.session)
    locations = scheduling.public_locations(db.session)
    if time_off is not None and time_off.specialist and time_off.specialist not in specialists:
        specialists.append(time_off.specialist)
    if time_off is not None and time_off.location and time_off.location not in locations:
        locations.append(time_off.location)
    return specialists, locations


def prefilled(time_off: TimeOff | None) -> dict:
    """The form's first values: the time off's own, or (new) whose from `?scope=` and today."""
    if time_off is None:
        return {"scope": request.args.get("scope", ""), "first_day": clinic_now().date()}
    start, end = time_off.starts_at, time_off.ends_at
    to_midnight = end.time() == time()
    if time_off.specialist_id:
        scope = f"specialist:{time_off.specialist_id}"
    else:
        scope = f"location:{time_off.location_id}" if time_off.location_id else CLINIC
    return {
        "scope": scope,
        "first_day": start.date(),
        "from_time": start.time() if start.time() != time() else None,
        "last_day": (end - timedelta(days=1)).date() if to_midnight else end.date(),
        "to_time": None if to_midnight else end.time(),
        "reason": time_off.reason,
    }


def saved_in_words(saved: scheduling.TimeOffSaved) -> str:
    """What saving the time off did, for the flash message."""
    time_off = saved.time_off
    return (
        f"Time off saved: {whose(time_off)}, {span_in_words(time_off.starts_at, time_off.ends_at)}."
        + outcome_in_words(saved)
    )


@bp.route("/time-off/<int:time_off_id>/remove", methods=["GET", "POST"])
def remove_time_off(time_off_id: int):
    """Remove a time off (a page asks first); what it covered is no longer flagged."""
    time_off = get_row(db.session, TimeOff, time_off_id, "time off")
    form = Form()
    said = f"{whose(time_off)}, {span_in_words(time_off.starts_at, time_off.ends_at)}"
    if form.validate_on_submit():
        scheduling.remove_time_off(db.session, time_off.id, actor=current_user)
        flash(f"Time off removed: {said}.", "success")
        return redirect(url_for("admin.time_off"))
    return render_template("admin/time_off_remove.html", form=form, time_off=time_off, said=said)
