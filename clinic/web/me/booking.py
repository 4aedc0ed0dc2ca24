"""Booking a free time for oneself: the confirmation page a free time of the public week leads
to (visitors sign in or register first and come back here)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import scheduling
from ...extensions import db
from ...http.limits import self_booking_limited, signed_in_account
from ...kernel.dates import when
from ...kernel.errors import Conflict, Invalid
from ...kernel.values import parse_moment
from . import bp
from .forms import booking_form


def not_a_client() -> bool:
    """Only clients booking for themselves count (others never get past the area's guard)."""
    return not current_user.is_authenticated or scheduling.policy_for(current_user).staff


@bp.route("/book/<int:specialist_id>", methods=["GET", "POST"])
@self_booking_limited(signed_in_account, exempt_when=not_a_client)
def book(specialist_id: int):
    """Confirm a free time `?start=YYYY-MM-DDTHH:MM` of a specialist: type of visit and a
    note, then booked through the rules. A time that cannot be had (taken meanwhile, too
    soon, booking off) is said in words, with the nearest free times instead."""
    start = parse_moment(request.args.get("start"), "start")
    specialist = scheduling.public_specialist(db.session, specialist_id)
    client_id = scheduling.own_client(db.session, current_user).id
    booking = {"specialist_id": specialist.id, "client_id": client_id, "actor": current_user}
    form, refusal, location = booking_form(specialist), None, None
    try:
        location = scheduling.preview_booking(db.session, start=start, **booking)
    except Conflict as conflict:
        refusal = conflict
    if location is not None and form.validate_on_submit():
        try:
            appointment = scheduling.book_appointment(
                db.session,
                date=start.date(),
                start_time=start.time(),
                type=form.type.data or "",
                patient_note=form.patient_note.data or "",
                **booking,
            )
        except Conflict as conflict:
            refusal, location = conflict, None
        except Invalid as invalid:
            form.show_refusal(invalid)
        else:
            flash(f"Booked: {when(appointment.starts_at)} with {specialist.full_name}.", "success")
            return redirect(url_for("me.appointments"))
    return render_template(
        "me/book.html",
        specialist=specialist,
        start=start,
        location=location,
        form=form,
        refusal=refusal,
    ), 409 if refusal else 200
