"""The desk's client records: search with pagination, a client's card with their
appointments, creating (after a look at possible duplicates), editing and deleting one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import BooleanField

from ... import scheduling, setup
from ...accounts import read_email
from ...extensions import db
from ...kernel.errors import Conflict, Invalid
from ...kernel.values import get_row
from ...models import Client
from ...scheduling import acting
from ..forms import Form
from ..paging import page_number
from . import bp
from .forms import ClientForm, ClientSearchForm

PER_PAGE = 25


class NewClientForm(ClientForm):
    """A client record, with the go-ahead to save it despite possible duplicates."""

    anyway = BooleanField("Create a new record anyway")


@bp.get("/clients/")
def clients():
    """Client records matching `?q=` (name, phone or email), 25 a page, by name."""
    form = ClientSearchForm(formdata=request.args)
    search, pagination = form.search(), None
    if search is not None:
        statement = scheduling.clients_query(current_user, search)
        pagination = db.paginate(statement, page=page_number(), per_page=PER_PAGE, error_out=False)
        if not pagination.items and pagination.page > 1 and pagination.pages:
            pagination = db.paginate(
                statement, page=pagination.pages, per_page=PER_PAGE, error_out=False
            )
    status = 400 if search is None else 200
    return render_template(
        "desk/clients.html", form=form, search=search, pagination=pagination
    ), status


def card(client_id: int) -> scheduling.ClientCard:
    """The client's card (record and appointments); 404 for an unknown id."""
    return scheduling.client_card(db.session, current_user, client_id)


def why_not_remove(client: Client) -> str | None:
    """Why the signed-in user may not delete the client record, in words; None if they may."""
    return setup.removal_refusal(db.session, client, current_user)


@bp.get("/clients/<int:client_id>")
def client(client_id: int):
    """A client's card: contact details, notes, upcoming and past appointments, no-shows."""
    client_card = card(client_id)
    return render_template(
        "desk/client.html",
        card=client_card,
        client=client_card.client,
        cannot_remove=why_not_remove(client_card.client),
        may_replace_address=acting(current_user).overrides_addresses,
    )


@bp.route("/clients/new", methods=["GET", "POST"])
def new_client():
    """Create a client record; possible duplicates (same phone or email) are shown first and
    nothing is written until the desk says to create it anyway."""
    form, duplicates = NewClientForm(), []
    if form.validate_on_submit():
        duplicates = unconfirmed_duplicates(form)
        if not duplicates:
            try:
                created = setup.save_client(db.session, None, form.fields(), actor=current_user)
            except Invalid as invalid:
                form.show_refusal(invalid)
            else:
                flash(f"{created.full_name} is added.", "success")
                return redirect(url_for("desk.client", client_id=created.id))
    return client_form(form, None, duplicates)


@bp.route("/clients/<int:client_id>/edit", methods=["GET", "POST"])
def edit_client(client_id: int):
    """Change a client record; a phone or address that another record has is shown first (as
    for a new one), and for an account holder a new address is confirmed by a link."""
    client = get_row(db.session, Client, client_id, "client")
    form, duplicates = NewClientForm(obj=client), []
    if form.validate_on_submit():
        duplicates = unconfirmed_duplicates(form, client)
        if not duplicates:
            try:
                setup.save_client(db.session, client, form.fields(), actor=current_user)
            except Invalid as invalid:
                form.show_refusal(invalid)
            else:
                flash(f"{client.full_name}'s record is saved.", "success")
                awaiting = awaiting_confirmation(client, form.email.data)
                if awaiting:
                    flash(
                        f"{client.email} was sent a link to confirm the move to {awaiting}: "
                        "only the account's holder can move it, and mail keeps going to the "
                        "old address until they do.",
                        "info",
                    )
                return redirect(url_for("desk.client", client_id=client.id))
    return client_form(form, client, duplicates)


def unconfirmed_duplicates(form: NewClientForm, client: Client | None = None) -> list[Client]:
    """Other records with the phone or address typed (only those changed, for a record being
    edited), unless the desk said to save anyway."""
    if form.anyway.data:
        return []
    phone, email = form.phone.data or "", form.email.data or ""
    if client is not None:
        phone = "" if phone == client.phone else phone
        email = "" if email.lower() == (client.email or "").lower() else email
    return scheduling.possible_duplicates(
        db.session, phone=phone, email=email, exclude_id=client.id if client else None
    )


def client_form(form: NewClientForm, client: Client | None, duplicates: list[Client]):
    """The new or edit page: 400 with the errors beside the fields, 200 otherwise (possible
    duplicates are a question, not an error)."""
    page = render_template("desk/client_form.html", form=form, client=client, duplicates=duplicates)
    return page, 400 if form.errors or form.form_errors else 200


def awaiting_confirmation(client: Client, asked: str | None) -> str | None:
    """The address asked for that the saved record does not have yet: an account holder's new
    address, sent a confirmation link instead of being saved."""
    if client.user_id is None or not asked:
        return None
    address = read_email(asked)
    return address if address != (client.email or "").lower() else None


@bp.route("/clients/<int:client_id>/delete", methods=["GET", "POST"])
def remove_client(client_id: int):
    """Delete a client record (admins; only one with no appointments), after a confirmation;
    the page says why not when it cannot be done."""
    client_card = card(client_id)
    form, refusal = Form(), None
    if form.validate_on_submit():
        name = client_card.client.full_name
        try:
            setup.remove_client(db.session, client_card.client.id, actor=current_user)
        except Conflict as conflict:
            refusal = conflict
        else:
            flash(f"{name}'s record is deleted.", "success")
            return redirect(url_for("desk.clients"))
    return render_template(
        "desk/client_delete.html",
        client=client_card.client,
        form=form,
        refusal=refusal,
        cannot=why_not_remove(client_card.client),
    ), 409 if refusal else 200
