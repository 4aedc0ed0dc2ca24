"""The desk's day: the agenda (a column per specialist on a time grid, a list per specialist
on phones and on paper) and the same day as a spreadsheet file."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Response, render_template, request
from flask_login import current_user

from ... import scheduling
from ...extensions import db
from ...kernel.clock import clinic_now
from ...kernel.values import FIRST_DAY, LAST_DAY
from . import bp
from .agenda import agenda_of
from .forms import AgendaForm
from .grid import lay_out

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet program read a cell as a formula (OWASP's list)."""
CSV_COLUMNS = (
    "Date",
    "Start",
    "End",
    "Specialist",
    "Client",
    "Client phone",
    "Location",
    "Type",
    "Status",
    "Patient's note",
    "Clinic's notes",
)


def agenda_form() -> tuple[AgendaForm, date, dict]:
    """The day asked for (today when none or a bad one) and the filters, from `?date=`,
    `?location=` and `?specialty=`; bad values are shown beside their fields and ignored."""
    form = AgendaForm(request.args).offer(
        scheduling.specialties(db.session), scheduling.public_locations(db.session)
    )
    form.validate()
    day = form.date.data if form.date.data and not form.date.errors else clinic_now().date()
    if not FIRST_DAY <= day <= LAST_DAY:
        form.date.errors = [*form.date.errors, "Choose a day the clinic's calendar holds."]
        day = clinic_now().date()
    if not form.date.errors:
        form.date.data = day
    return form, day, form.places()


@bp.get("/")
def index():
    """The agenda of a day (`?date=`, today by default): what each specialist has booked and
    free, the counts by status, and the day's cancelled appointments."""
    form, day, filters = agenda_form()
    plan = scheduling.day_plan(db.session, current_user, day, **filters)
    shown = {key: value for key, value in request.args.items() if key in ("location", "specialty")}
    now = clinic_now()
    today = now.date()
    agenda = agenda_of(plan, scheduling.policy_for(current_user), now)
    return render_template(
        "desk/day.html",
        form=form,
        plan=plan,
        agenda=agenda,
        grid=lay_out(agenda.lanes),
        today=today,
        previous=day - timedelta(days=1) if day > FIRST_DAY else None,
        following=day + timedelta(days=1) if day < LAST_DAY else None,
        filters=shown,
    )


@bp.get("/day.csv")
def day_csv():
    """The day's appointments (with the agenda's filters) as a CSV file for spreadsheets:
    UTF-8 with a byte-order mark, a header row, and no cell a spreadsheet would run."""
    _, day, filters = agenda_form()
    plan = scheduling.day_plan(db.session, current_user, day, **filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for appointment in plan.appointments:
        writer.writerow([inert(value) for value in csv_row(appointment)])
    return Response(
        out.getvalue().encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="day-{day.isoformat()}.csv"'},
    )


def csv_row(appointment) -> list[str]:
    """One appointment's cells, in CSV_COLUMNS order."""
    return [
        appointment.starts_at.date().isoformat(),
        f"{appointment.starts_at:%H:%M}",
        f"{appointment.ends_at:%H:%M}",
        appointment.specialist.full_name,
        appointment.client.full_name,
        appointment.client.phone,
        appointment.location.name,
        appointment.type,
        appointment.status.in_words.capitalize(),
        appointment.patient_note,
        appointment.notes,
    ]


def inert(value: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a quote first."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
