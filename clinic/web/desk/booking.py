"""Booking at the desk: a specialist, a time and a client — found by a plain GET search (which
the desk's script runs while one types) or created inline, after a look for the same person
already on file. Creating the client and booking are one unit: a refused booking leaves no
client behind."""

from __future__ import annotations

import contextlib
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import scheduling, setup
from ...extensions import db
from ...kernel.clock import clinic_now
from ...kernel.database import writing
from ...kernel.dates import when
from ...kernel.errors import Conflict, Invalid
from ...kernel.values import parse_id, parse_moment
from ...models import Appointment, Client, Specialist
from ...scheduling.directory import MAX_SEARCH_LENGTH
from . import bp
from .appointment_forms import NEW_CLIENT, BookingForm, InlineClientForm
from .forms import ClientSearchForm

FOUND_CLIENTS = 10
"""How many clients a search on the booking page lists."""


@bp.route("/appointments/new", methods=["GET", "POST"])
def new_appointment():
    """Book a client with a specialist; prefilled from `?specialist_id=&date=&start_time=
    &client_id=` (the agenda's free times), the client found with `?q=` or created inline."""
    specialists = scheduling.active_specialists(db.session)
    form, new_client = booking_forms(specialists)
    duplicates, refusal = [], None
    taken = take_time(form)
    if taken is not None:
        return booking_page(form, new_client, specialists, [], None, taken)
    if form.validate_on_submit() and (form.client_id.data != NEW_CLIENT or new_client.validate()):
        duplicates = unconfirmed_duplicates(form, new_client)
        if not duplicates:
            try:
                appointment = book(form, new_client)
            except Conflict as conflict:
                refusal = conflict
            except Invalid as invalid:
                show_refusal(invalid, form, new_client)
            else:
                flash(f"Booked: {booked_words(appointment)}.", "success")
                return redirect(url_for("desk.appointment", appointment_id=appointment.id))
    page = booking_page(form, new_client, specialists, duplicates, refusal)
    if request.method == "GET":
        return page
    return page, 409 if refusal else 200 if duplicates else 400


def booking_forms(specialists: list[Specialist]) -> tuple[BookingForm, InlineClientForm]:
    """The booking form and the new client's, from what was posted, or prefilled from the
    query (today when no date is given)."""
    reading = {} if request.method == "POST" else {"formdata": request.args}
    form = BookingForm(**reading)
    new_client = InlineClientForm(prefix="new_client", **reading)
    form.offer(specialists, scheduling.public_locations(db.session))
    if request.method == "GET":
        form.q.data = request.args.get("q", "")[:MAX_SEARCH_LENGTH]
        if not request.args.get("date"):
            form.date.data = clinic_now().date()
    return form, new_client


def take_time(form: BookingForm) -> datetime | None:
    """The suggested time a button of the refusal asked for (`take_time`), put in the form
    with every other value as posted; None when none was asked for (or none that is a time)."""
    if request.method != "POST" or not request.form.get("take_time"):
        return None
    try:
        moment = parse_moment(request.form["take_time"], "start_time")
    except Invalid:
        return None
    form.date.data, form.date.raw_data = moment.date(), [moment.date().isoformat()]
    form.start_time.data, form.start_time.raw_data = moment.time(), [f"{moment:%H:%M}"]
    form.end_time.data, form.end_time.raw_data = None, []
    return moment


def unconfirmed_duplicates(form: BookingForm, new_client: InlineClientForm) -> list[Client]:
    """The records that may be the new client already, unless creating one anyway was
    confirmed (or an existing client is chosen)."""
    if form.client_id.data != NEW_CLIENT or form.create_anyway.data:
        return []
    return scheduling.possible_duplicates(
        db.session, phone=new_client.phone.data or "", email=new_client.email.data or ""
    )


def book(form: BookingForm, new_client: InlineClientForm) -> Appointment:
    """Book the chosen client, or create the new one and book them, all or nothing."""
    with writing(db.session):
        client_id = form.client_id.data
        if client_id == NEW_CLIENT:
            fields = new_client.fields()
            client_id = setup.save_client(db.session, None, fields, actor=current_user).id
        return scheduling.book_appointment(
            db.session, client_id=client_id, actor=current_user, **form.details()
        )


def show_refusal(invalid: Invalid, form: BookingForm, new_client: InlineClientForm) -> None:
    """Put each message beside its field: the new client's, or the booking's."""
    theirs = {name: text for name, text in invalid.errors.items() if name in new_client._fields}
    if theirs:
        new_client.show_refusal(Invalid(theirs))
    rest = {name: text for name, text in invalid.errors.items() if name not in theirs}
    if rest:
        form.show_refusal(Invalid(rest))


def booked_words(appointment: Appointment) -> str:
    """ "Monday 4 January 2027 at 10:00 with <specialist> for <client>"."""
    return (
        f"{when(appointment.starts_at)} with {appointment.specialist.full_name} "
        f"for {appointment.client.full_name}"
    )


def found_clients(form: BookingForm, duplicates: list[Client]) -> list[Client]:
    """The clients to choose from: the one chosen already, the possible duplicates, then the
    search's matches (the first ten), each once."""
    chosen = None
    with contextlib.suppress(Invalid):
        chosen = db.session.get(Client, parse_id(form.client_id.data, "client_id"))
    search = (form.q.data or "").strip()
    found = (
        db.session.scalars(scheduling.clients_query(current_user, search).limit(FOUND_CLIENTS))
        if search
        else []
    )
    together = [*([chosen] if chosen else []), *duplicates, *found]
    return list({client.id: client for client in together}.values())


def booking_page(
    form: BookingForm,
    new_client: InlineClientForm,
    specialists: list[Specialist],
    duplicates: list[Client],
    refusal: Conflict | None,
    taken_time: datetime | None = None,
) -> str:
    """The booking page: the client search, the clients found, the booking form."""
    chosen = form.chosen(specialists)
    carried = form.carried()
    return render_template(
        "desk/book.html",
        form=form,
        new_client=new_client,
        search=ClientSearchForm(formdata=None, q=form.q.data or ""),
        clients=found_clients(form, duplicates),
        duplicate_ids={client.id for client in duplicates},
        visit_types=scheduling.visit_type_suggestions(db.session, chosen) if chosen else [],
        refusal=refusal,
        carried=carried,
        new_client_choice=NEW_CLIENT,
        taken_time=taken_time,
    )
