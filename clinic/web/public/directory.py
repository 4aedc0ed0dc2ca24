"""The home page: the clinic, its specialists found by name, specialty or location, and each
one's next free time."""

from __future__ import annotations

from flask import render_template, request

from ... import scheduling
from ...extensions import db
from ...http.caching import for_visitors
from ...kernel.errors import Invalid
from . import bp
from .forms import DirectoryForm


@bp.get("/")
@for_visitors("q", "specialty", "location")
def index():
    """The directory: search and filters (a plain GET form), a card per specialist; a field
    in error is shown beside it and left out of the search."""
    form = DirectoryForm(request.args).offer(
        scheduling.specialties(db.session), scheduling.public_locations(db.session)
    )
    form.validate()
    try:
        specialists = scheduling.find_specialists(db.session, **form.filters())
    except Invalid as refusal:
        form.show_refusal(refusal)
        specialists = scheduling.find_specialists(db.session, **form.filters())
    return render_template(
        "public/index.html",
        form=form,
        specialists=specialists,
        next_free=scheduling.next_free_slots(db.session, specialists),
    )
