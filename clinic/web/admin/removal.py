"""What the specialist and location pages share: the appointments a refusal lists, a page's
status, and removing one after a confirmation (deleted, or deactivated when anything refers
to it; refused while appointments are to come)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ... import scheduling
from ...extensions import db
from ...kernel.errors import Conflict
from ...models import Appointment
from ...setup import Removal
from ..forms import Form


def listed(conflict: Conflict) -> list[Appointment]:
    """The appointments a refusal lists, read again with who and where."""
    return scheduling.with_people(db.session, current_user, conflict.appointments)


def status_of(form: Form, refusal: Conflict | None) -> int:
    """A page's status: 409 for a conflict, 400 for errors, 200 otherwise."""
    if refusal is not None:
        return 409
    return 400 if form.errors or form.form_errors else 200


def removal_page(
    name: str,
    remove: Callable[..., Removal],
    row_id: int,
    said: Mapping[Removal, str],
    back: str,
    template: str,
    **context: Any,
):
    """The confirmation page of removing `name` (`remove(session, row_id, actor=)`); once
    confirmed, what happened said in `said` and back to the list `back`, or the refusal
    listing the appointments still to come (409)."""
    form, refusal, upcoming = Form(), None, []
    if form.validate_on_submit():
        try:
            removal = remove(db.session, row_id, actor=current_user)
        except Conflict as conflict:
            refusal, upcoming = conflict, listed(conflict)
        else:
            flash(said[removal].format(name=name), "success")
            return redirect(url_for(back))
    page = render_template(template, form=form, refusal=refusal, upcoming=upcoming, **context)
    return page, status_of(form, refusal)
