"""The admin's specialists: the list (marking hours no location holds), creating and editing
one with the shifts they work in one save, and removing one (deleted, or deactivated when
anything refers to them)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ... import scheduling, setup
from ...extensions import db
from ...kernel.errors import Conflict, Invalid
from ...kernel.values import get_row
from ...models import ClinicSettings, Specialist
from ...scheduling import policy_for
from ...scheduling.coverage import unplaced_by_specialist, unplaced_hours
from ...setup import Removal
from ..words import shift_words
from . import bp
from .removal import listed, removal_page, status_of
from .setup_forms import SpecialistForm

REMOVED = {
    Removal.DELETED: "{name} is deleted.",
    Removal.DEACTIVATED: "{name} is deactivated: kept with their history, hidden from the "
    "public and from new bookings.",
}


@bp.get("/specialists/")
def specialists():
    """Every specialist (the inactive marked) with specialty, default location, slot length
    and shifts, and a mark where no location is open for their hours."""
    everyone = list(db.session.scalars(scheduling.seen_specialists(policy_for(current_user))))
    return render_template(
        "admin/specialists.html",
        specialists=everyone,
        unplaced=unplaced_by_specialist(db.session, everyone),
        shift_words=shift_words,
    )


@bp.route("/specialists/new", methods=["GET", "POST"])
def new_specialist():
    """Add a specialist, with the shifts they work (a new one too), in one save."""
    return specialist_page(None)


@bp.route("/specialists/<int:specialist_id>/edit", methods=["GET", "POST"])
def edit_specialist(specialist_id: int):
    """Change a specialist and their shifts in one save; the page warns of hours no
    location is open for."""
    return specialist_page(get_row(db.session, Specialist, specialist_id, "specialist"))


def specialist_page(specialist: Specialist | None):
    """The new or edit page: saved → the edit page; a refusal → 400 with the errors beside
    the fields, or 409 listing the appointments the change would leave stranded."""
    if specialist is None:
        initial = {"slot_minutes": ClinicSettings.get().default_slot_minutes}
    else:
        initial = SpecialistForm.data_of(specialist)
    form = SpecialistForm(data=initial).offer(
        setup.default_location_choices(db.session, specialist), scheduling.every_shift(db.session)
    )
    if specialist is None:
        del form.active
    refusal, stranded = None, []
    if form.validate_on_submit():
        try:
            saved = setup.save_specialist(db.session, specialist, form.fields(), actor=current_user)
        except Conflict as conflict:
            refusal, stranded = conflict, listed(conflict)
        except Invalid as invalid:
            form.show_refusal(invalid)
        else:
            flash(f"{saved.full_name} is {'saved' if specialist else 'added'}.", "success")
            return redirect(url_for("admin.edit_specialist", specialist_id=saved.id))
    unplaced = []
    if specialist is not None and request.method == "GET":
        unplaced = unplaced_hours(db.session, specialist)
    page = render_template(
        "admin/specialist_form.html",
        form=form,
        specialist=specialist,
        refusal=refusal,
        stranded=stranded,
        unplaced=unplaced,
        shift_words=shift_words,
    )
    return page, status_of(form, refusal)


@bp.route("/specialists/<int:specialist_id>/remove", methods=["GET", "POST"])
def remove_specialist(specialist_id: int):
    """Remove a specialist after a confirmation: deleted when nothing refers to them, else
    deactivated; refused (409) while they have appointments to come, listing them."""
    specialist = get_row(db.session, Specialist, specialist_id, "specialist")
    return removal_page(
        specialist.full_name,
        setup.remove_specialist,
        specialist.id,
        REMOVED,
        "admin.specialists",
        "admin/specialist_remove.html",
        specialist=specialist,
    )
