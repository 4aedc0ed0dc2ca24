"""The admin's locations (rooms): the list, creating and editing one with the shifts it is
open in one save, and removing one (deleted, or deactivated when anything refers to it)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ... import scheduling, setup
from ...extensions import db
from ...kernel.errors import Conflict, Invalid
from ...kernel.values import get_row
from ...models import Location
from ...setup import Removal
from ..words import shift_words
from . import bp
from .removal import listed, removal_page, status_of
from .setup_forms import LocationForm

REMOVED = {
    Removal.DELETED: "{name} is deleted.",
    Removal.DEACTIVATED: "{name} is deactivated: kept with its history; no new appointment "
    "is booked there.",
}


@bp.get("/locations/")
def locations():
    """Every location (those not in use marked) with its address and shifts."""
    return render_template(
        "admin/locations.html",
        locations=scheduling.every_location(db.session),
        shift_words=shift_words,
    )


@bp.route("/locations/new", methods=["GET", "POST"])
def new_location():
    """Add a location, with the shifts it is open (a new one too), in one save."""
    return location_page(None)


@bp.route("/locations/<int:location_id>/edit", methods=["GET", "POST"])
def edit_location(location_id: int):
    """Change a location and its shifts in one save."""
    return location_page(get_row(db.session, Location, location_id, "location"))


def location_page(location: Location | None):
    """The new or edit page: saved → the edit page; a refusal → 400 with the errors beside
    the fields, or 409 listing the appointments the change would leave stranded."""
    form = LocationForm(data=LocationForm.data_of(location) if location else {})
    form.offer_shifts(scheduling.every_shift(db.session))
    if location is None:
        del form.active
    refusal, stranded = None, []
    if form.validate_on_submit():
        try:
            saved = setup.save_location(db.session, location, form.fields(), actor=current_user)
        except Conflict as conflict:
            refusal, stranded = conflict, listed(conflict)
        except Invalid as invalid:
            form.show_refusal(invalid)
        else:
            flash(f"{saved.name} is {'saved' if location else 'added'}.", "success")
            return redirect(url_for("admin.edit_location", location_id=saved.id))
    page = render_template(
        "admin/location_form.html",
        form=form,
        location=location,
        refusal=refusal,
        stranded=stranded,
    )
    return page, status_of(form, refusal)


@bp.route("/locations/<int:location_id>/remove", methods=["GET", "POST"])
def remove_location(location_id: int):
    """Remove a location after a confirmation: deleted when nothing refers to it, else
    deactivated; refused (409) while appointments there are to come, listing them."""
    location = get_row(db.session, Location, location_id, "location")
    return removal_page(
        location.name,
        setup.remove_location,
        location.id,
        REMOVED,
        "admin.locations",
        "admin/location_remove.html",
        location=location,
    )
