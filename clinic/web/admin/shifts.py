"""Shifts: the weekly blocks specialists and locations work, grouped by weekday, with who works
each; creating, changing (refused while it would strand booked appointments) and removing
them (refused while anyone works them)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import scheduling
from ...extensions import db
from ...kernel.errors import Conflict, Invalid
from ...kernel.values import WEEKDAYS, get_row
from ...models import Shift
from ..forms import Form
from ..words import shift_words
from . import bp
from .schedule_forms import ShiftForm


@bp.get("/shifts/")
def shifts():
    """Every shift by weekday (Monday first), with who works it."""
    every = scheduling.every_shift(db.session)
    by_day = {n: [s for s in every if s.weekday == n] for n in range(len(WEEKDAYS))}
    return render_template(
        "admin/shifts.html",
        by_day=by_day,
        weekdays=WEEKDAYS,
        workers=scheduling.shift_workers(db.session),
        shift_in_words=shift_words,
    )


@bp.route("/shifts/new", methods=["GET", "POST"])
def new_shift():
    """Add a shift; one with the same weekday and hours is not made twice."""
    form, status = ShiftForm(), 200
    if form.validate_on_submit():
        try:
            shift, made = scheduling.create_shift(
                db.session,
                form.weekday.data,
                form.from_hour.data,
                form.to_hour.data,
                actor=current_user,
            )
        except Invalid as invalid:
            form.show_refusal(invalid)
        else:
            if made:
                flash(f"Shift added: {shift_words(shift)}.", "success")
                return redirect(url_for("admin.shifts"))
            form.form_errors.append(f"The shift {shift_words(shift)} exists already.")
            return render_template("admin/shift_form.html", form=form, existing=shift), 409
    if request.method == "POST":
        status = 400
    return render_template("admin/shift_form.html", form=form), status


@bp.route("/shifts/<int:shift_id>/edit", methods=["GET", "POST"])
def edit_shift(shift_id: int):
    """Change a shift's weekday or hours; refused, listing them, while booked appointments
    would fall outside the new hours."""
    shift = get_row(db.session, Shift, shift_id, "shift")
    form = ShiftForm(
        data={
            "weekday": str(shift.weekday),
            "from_hour": shift.start_time,
            "to_hour": shift.end_time,
        }
    )
    stranded, refusal = [], None
    if form.validate_on_submit():
        try:
            scheduling.update_shift(
                db.session,
                shift.id,
                weekday=form.weekday.data,
                start_time=form.from_hour.data,
                end_time=form.to_hour.data,
                actor=current_user,
            )
        except Conflict as conflict:
            refusal = conflict
            stranded = scheduling.with_people(db.session, current_user, conflict.appointments)
        except Invalid as invalid:
            form.show_refusal(invalid)
        else:
            flash(f"Shift changed: {shift_words(shift)}.", "success")
            return redirect(url_for("admin.shifts"))
    page = render_template(
        "admin/shift_form.html",
        form=form,
        shift=shift,
        was=shift_words(shift),
        refusal=refusal,
        stranded=stranded,
        works=scheduling.shift_workers(db.session, [shift.id])[shift.id],
    )
    if request.method == "GET":
        return page
    return page, 409 if refusal else 400


@bp.route("/shifts/<int:shift_id>/remove", methods=["GET", "POST"])
def remove_shift(shift_id: int):
    """Remove a shift (a page asks first); refused, naming who, while anyone works it."""
    shift = get_row(db.session, Shift, shift_id, "shift")
    form, refusal, named = Form(), None, shift_words(shift)
    if form.validate_on_submit():
        try:
            scheduling.remove_shift(db.session, shift.id, actor=current_user)
        except Conflict as conflict:
            refusal = conflict
        else:
            flash(f"Shift removed: {named}.", "success")
            return redirect(url_for("admin.shifts"))
    page = render_template(
        "admin/shift_remove.html",
        form=form,
        shift=shift,
        named=named,
        refusal=refusal,
        works=scheduling.shift_workers(db.session, [shift.id])[shift.id],
    )
    return (page, 409) if refusal else page
