"""An admin's override of a patient's account address, for one whose old address is dead (no
link can reach its holder): the account moves at once, audited, the old address told, and
every sign-in and token of the account ended."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...accounts import address_changes
from ...extensions import db
from ...kernel.errors import Invalid
from ...kernel.values import get_row
from ...models import Client
from ..forms import Form, email_field
from . import bp


class ReplaceAddressForm(Form):
    email = email_field("The account moves here at once; the old address is told.")


@bp.route("/clients/<int:client_id>/email", methods=["GET", "POST"])
def replace_address(client_id: int):
    """Replace the dead address of a patient's account (a record without an account is
    edited at the desk)."""
    client = get_row(db.session, Client, client_id, "client")
    if client.user is None:
        abort(404)
    form = ReplaceAddressForm()
    if form.validate_on_submit():
        try:
            address_changes.replace_dead_address(
                db.session, client.user, form.email.data, actor=current_user
            )
        except Invalid as refusal:
            form.show_refusal(refusal)
        else:
            flash(
                f"{client.full_name}'s account now uses {client.user.email}; every sign-in of "
                "theirs has ended.",
                "success",
            )
            return redirect(url_for("desk.client", client_id=client.id))
    page = render_template("admin/replace_address.html", form=form, client=client)
    return page, 400 if form.errors or form.form_errors else 200
