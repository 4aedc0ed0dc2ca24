"""One appointment at the desk: its details and history, moving it (same form, same rules as
booking), cancelling it with a reason, the status changes the status table allows, and its
calendar file. Booking a new one lives in booking.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ... import audit, scheduling
from ...extensions import db
from ...kernel.clock import clinic_now
from ...kernel.errors import Conflict, Invalid, NotAllowed
from ...models import Appointment
from ...scheduling import Status
from ..access import safe_next
from ..audit_words import in_words
from ..downloads import calendar_download
from . import bp
from .appointment_forms import CancelForm, MoveForm, StatusForm, without_time
from .booking import booked_words

HISTORY = frozenset(
    {
        "starts_at",
        "ends_at",
        "status",
        "specialist_id",
        "location_id",
        "client_id",
        "type",
        "notes",
        "patient_note",
        "cancel_reason",
    }
)
"""The columns the history shows; the others (created, created by) are on the page."""


def staff_appointment(appointment_id: int) -> Appointment:
    """The appointment with who and where; 404 for an unknown one."""
    return scheduling.seen_appointment(db.session, current_user, appointment_id)


@bp.get("/appointments/<int:appointment_id>")
def appointment(appointment_id: int):
    """An appointment's details, whether a time off covers it, its history, and what may be
    done with it now."""
    appointment = staff_appointment(appointment_id)
    policy, now = scheduling.policy_for(current_user), clinic_now()
    refusals = policy.change_refusals(db.session, [appointment], now, moving=True)
    allowed = policy.next_statuses(appointment, now)
    return render_template(
        "desk/appointment.html",
        appointment=appointment,
        flagged=appointment.id in scheduling.flagged(db.session, [appointment]),
        history=in_words(audit.history(db.session, "appointments", appointment.id), HISTORY),
        statuses=[status for status in allowed if status is not Status.CANCELLED],
        cancellable=Status.CANCELLED in allowed,
        cannot_move=refusals.get(appointment.id),
        status_form=StatusForm(formdata=None),
    )


@bp.route("/appointments/<int:appointment_id>/move", methods=["GET", "POST"])
def move_appointment(appointment_id: int):
    """Move an appointment to another time, specialist or room (`?date=&start_time=` from a
    suggested time); a refusal is said with what collides and the nearest free times."""
    appointment = staff_appointment(appointment_id)
    form, refusal = move_form(appointment), None
    if form.validate_on_submit():
        was = placed(appointment)
        try:
            scheduling.update_appointment(
                db.session, appointment.id, form.timing(), actor=current_user
            )
        except Conflict as conflict:
            refusal = conflict
        except Invalid as invalid:
            form.show_refusal(invalid)
        else:
            done = "Moved" if placed(appointment) != was else "Nothing changed"
            flash(f"{done}: {booked_words(appointment)}.", "success")
            return redirect(url_for("desk.appointment", appointment_id=appointment.id))
    page = render_template(
        "desk/appointment_move.html",
        appointment=appointment,
        form=form,
        refusal=refusal,
        slot_args=without_time(form.carried()),
    )
    if request.method == "GET":
        return page
    return page, 409 if refusal else 400


def placed(appointment: Appointment) -> tuple:
    """Where and when an appointment is: its time, specialist and room."""
    return (
        appointment.starts_at,
        appointment.ends_at,
        appointment.specialist_id,
        appointment.location_id,
    )


def move_form(appointment: Appointment) -> MoveForm:
    """The move form: as posted, or the appointment's current values (the query's instead
    where given); an empty end keeps its length."""
    if request.method == "POST":
        form = MoveForm()
    else:
        current = {
            "specialist_id": str(appointment.specialist_id),
            "location_id": str(appointment.location_id),
            "date": appointment.starts_at.date().isoformat(),
            "start_time": appointment.starts_at.strftime("%H:%M"),
        }
        form = MoveForm(formdata=MultiDict({**current, **request.args.to_dict()}))
    form.offer(scheduling.active_specialists(db.session), scheduling.public_locations(db.session))
    minutes = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
    form.end_time.description = f"Optional; empty keeps its length ({minutes} minutes)."
    return form


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["GET", "POST"])
def cancel_appointment(appointment_id: int):
    """Cancel an appointment with a reason; the client is emailed (by the after-commit
    signal), and its time is free again."""
    appointment = staff_appointment(appointment_id)
    form, refusal = CancelForm(), None
    if form.validate_on_submit():
        try:
            scheduling.cancel_appointment(
                db.session, appointment.id, reason=form.reason.data or "", actor=current_user
            )
        except (Conflict, NotAllowed) as error:
            refusal = error
        except Invalid as invalid:
            form.show_refusal(invalid)
        else:
            flash(f"Cancelled: {booked_words(appointment)}.", "success")
            return redirect(url_for("desk.appointment", appointment_id=appointment.id))
    page = render_template(
        "desk/appointment_cancel.html",
        appointment=appointment,
        form=form,
        refusal=refusal,
        cancellable=Status.CANCELLED
        in scheduling.policy_for(current_user).next_statuses(appointment, clinic_now()),
    )
    if request.method == "GET":
        return page
    return page, refusal.status if refusal else 400


@bp.post("/appointments/<int:appointment_id>/status")
def appointment_status(appointment_id: int):
    """Move an appointment to the status posted (`status`), then back to `next` (a local
    page, such as the agenda) or the appointment; a refused change is said, never a 500."""
    appointment = staff_appointment(appointment_id)
    form = StatusForm()
    back = safe_next(form.next.data) or url_for("desk.appointment", appointment_id=appointment.id)
    if not form.validate_on_submit():
        problems = [message for messages in form.errors.values() for message in messages]
        flash(f"The status was not changed: {' '.join(problems)}", "error")
        return redirect(back)
    try:
        scheduling.change_status(db.session, appointment.id, form.status.data, actor=current_user)
    except (Conflict, NotAllowed, Invalid) as refusal:
        flash(f"The status was not changed: {refusal.message}", "error")
    else:
        flash(
            f"{appointment.status.in_words.capitalize()}: {booked_words(appointment)}.", "success"
        )
    return redirect(back)


@bp.get("/appointments/<int:appointment_id>.ics")
def appointment_calendar(appointment_id: int):
    """The appointment as a calendar file."""
    return calendar_download(staff_appointment(appointment_id))
