"""A client's own appointments: upcoming and past, each as a calendar file, and cancelling or
moving one online until the clinic's cancellation window (then the page says to call)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import scheduling
from ...extensions import db
from ...kernel.clock import clinic_now
from ...kernel.dates import when
from ...kernel.errors import Conflict, Invalid
from ...kernel.values import parse_moment
from ..downloads import calendar_download
from . import bp
from .forms import CancelForm, ConfirmForm


def own_appointment(appointment_id: int):
    """The signed-in client's appointment; 404 for anyone else's (or none)."""
    return scheduling.seen_appointment(db.session, current_user, appointment_id)


def why_not(appointment, moving: bool = False) -> str | None:
    """Why the client may not cancel (or move) it online now, in words; None if they may."""
    refusals = scheduling.policy_for(current_user).change_refusals(
        db.session, [appointment], clinic_now(), moving=moving
    )
    return refusals.get(appointment.id)


@bp.get("/appointments")
def appointments():
    """Upcoming appointments (with what may still be done online) and the past ones."""
    now, policy = clinic_now(), scheduling.policy_for(current_user)
    upcoming = scheduling.upcoming_appointments(db.session, current_user, now)
    return render_template(
        "me/appointments.html",
        upcoming=upcoming,
        cannot_cancel=policy.change_refusals(db.session, upcoming, now),
        cannot_move=policy.change_refusals(db.session, upcoming, now, moving=True),
        history=scheduling.appointment_history(db.session, current_user, now),
    )


@bp.get("/appointments/<int:appointment_id>.ics")
def calendar(appointment_id: int):
    """The appointment as a calendar file to open in any calendar app."""
    return calendar_download(own_appointment(appointment_id))


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["GET", "POST"])
def cancel(appointment_id: int):
    """Cancel an appointment, giving a reason if one likes."""
    appointment = own_appointment(appointment_id)
    form = CancelForm()
    refusal = None
    if form.validate_on_submit():
        try:
            scheduling.cancel_appointment(
                db.session, appointment.id, reason=form.reason.data or "", actor=current_user
            )
        except Conflict as conflict:
            refusal = conflict
        except Invalid as invalid:
            form.show_refusal(invalid)
        else:
            flash(f"Your appointment of {when(appointment.starts_at)} is cancelled.", "success")
            return redirect(url_for("me.appointments"))
    return render_template(
        "me/cancel.html",
        appointment=appointment,
        form=form,
        refusal=refusal,
        cannot=why_not(appointment),
    ), 409 if refusal else 200


@bp.get("/appointments/<int:appointment_id>/move")
def move(appointment_id: int):
    """Choose another free time of the same specialist: their week, `?date=` as on the
    public page, each free time leading to the confirmation."""
    appointment = own_appointment(appointment_id)
    week, cannot = None, why_not(appointment, moving=True)
    if cannot is None:
        week = scheduling.specialist_week(
            db.session,
            appointment.specialist_id,
            request.args.get("date") or appointment.starts_at.date(),
            policy=scheduling.policy_for(current_user),
            client_id=appointment.client_id,
            ignore_id=appointment.id,
        )
    return render_template("me/move.html", appointment=appointment, week=week, cannot=cannot)


@bp.route("/appointments/<int:appointment_id>/move/confirm", methods=["GET", "POST"])
def confirm_move(appointment_id: int):
    """Confirm the move to `?start=YYYY-MM-DDTHH:MM`; a time that cannot be had (taken
    meanwhile, too late to move online) is said in words, with the nearest free times."""
    appointment = own_appointment(appointment_id)
    start = parse_moment(request.args.get("start"), "start")
    form, refusal, location = ConfirmForm(), None, None
    try:
        location = scheduling.preview_move(db.session, appointment.id, start, actor=current_user)
    except Conflict as conflict:
        refusal = conflict
    if location is not None and form.validate_on_submit():
        was = when(appointment.starts_at)
        try:
            scheduling.reschedule_appointment(
                db.session,
                appointment.id,
                date=start.date(),
                start_time=start.time(),
                actor=current_user,
            )
        except (Conflict, Invalid) as error:
            refusal, location = error, None
        else:
            moved = when(appointment.starts_at)
            flash(f"Your appointment of {was} is moved to {moved}.", "success")
            return redirect(url_for("me.appointments"))
    return render_template(
        "me/move_confirm.html",
        appointment=appointment,
        start=start,
        location=location,
        form=form,
        refusal=refusal,
    ), 409 if refusal else 200
