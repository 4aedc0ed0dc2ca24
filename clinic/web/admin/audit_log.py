"""The audit log: every change, newest first, 50 a page, filtered by who, what kind of thing
and clinic days; each entry in words (when, who, what, the thing with a link to its page, and
before → after for each changed column)."""

from __future__ import annotations

from flask import render_template, request

from ...audit import log as audit_log
from ...extensions import db
from ...kernel.errors import Invalid
from ...kernel.values import parse_id
from ..audit_words import ENTITIES, in_words
from ..paging import page_number
from . import bp
from .schedule_forms import AuditFilterForm

PER_PAGE = 50


def chosen_user() -> int | None:
    """The id `?user=` names, if it is one (the form says what is wrong with anything else)."""
    try:
        return parse_id(request.args.get("user"), "user")
    except Invalid:
        return None


@bp.get("/audit/")
def audit():
    """The log, newest first, 50 a page, by `?user=&entity=&from=&to=&page=`; bad filters are
    shown beside their fields and ignored."""
    chosen = chosen_user()
    form = AuditFilterForm(formdata=request.args).offer(
        audit_log.actors(db.session, chosen), entity_choices()
    )
    form.validate()
    statement = audit_log.entries_query(**form.filters())
    pagination = db.paginate(statement, page=page_number(), per_page=PER_PAGE, error_out=False)
    if not pagination.items and pagination.page > 1 and pagination.pages:
        pagination = db.paginate(
            statement, page=pagination.pages, per_page=PER_PAGE, error_out=False
        )
    page = render_template(
        "admin/audit.html",
        form=form,
        pagination=pagination,
        lines=in_words(pagination.items),
        args=form.args(),
    )
    return page, 400 if form.errors else 200


def entity_choices() -> dict[str, str]:
    """Every kind of thing the log may hold, in words."""
    found = audit_log.entities(db.session)
    others = {name: name.replace("_", " ").capitalize() for name in found if name not in ENTITIES}
    return {**ENTITIES, **others}
