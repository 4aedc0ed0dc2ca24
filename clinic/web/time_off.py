"""Recording a time off from a page (the desk's absence, the admin's time off): the form's
span and reason through the rules, and what to show when they refuse — the appointments it
covers (to keep or cancel) or why not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_login import current_user

from .. import scheduling
from ..extensions import db
from ..kernel.errors import Conflict, Invalid
from ..models import Appointment
from .forms import AbsenceForm


@dataclass
class Recorded:
    """What recording gave: the saved time off, or the refusal with what it covers."""

    saved: scheduling.TimeOffSaved | None = None
    refusal: Conflict | None = None
    covered: list[Appointment] = field(default_factory=list)


def record_time_off(
    form: AbsenceForm,
    time_off_id: int | None,
    names: Mapping[str, str],
    **scope: Any,
) -> Recorded:
    """Save the form's time off (of `scope`: specialist_id or location_id, neither for the
    clinic); a refusal lands on the form (`names` maps the rules' fields to the form's), and
    covered appointments are read again with who and where, to be kept or cancelled."""
    starts_at, ends_at = form.span()
    try:
        saved = scheduling.save_time_off(
            db.session,
            time_off_id,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=form.reason.data or "",
            covered=form.covered.data or None,
            actor=current_user,
            **scope,
        )
    except Conflict as conflict:
        covered = scheduling.with_people(db.session, current_user, conflict.appointments)
        if covered:
            form.covered.errors = [conflict.message]
        else:
            form.form_errors.append(conflict.message)
        return Recorded(refusal=conflict, covered=covered)
    except Invalid as invalid:
        form.show_refusal(invalid, names)
        return Recorded()
    return Recorded(saved=saved)


def outcome_in_words(saved: scheduling.TimeOffSaved) -> str:
    """What became of the appointments a saved time off covers, for the flash message."""
    said = ""
    if saved.cancelled:
        said += f" {len(saved.cancelled)} appointment(s) cancelled; each client is emailed."
    if saved.kept:
        said += f" {len(saved.kept)} appointment(s) kept and flagged until moved."
    return said
