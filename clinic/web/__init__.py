"""The HTML side: the area blueprints, error pages in the site's look, and the clinic's
details on every page. It never imports the API."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..kernel import links as email_links
from ..kernel.errors import Refusal
from ..models import ClinicSettings
from . import access, admin, auth, desk, me, public
from .links import PageLinks


def init_app(app: Flask) -> None:
    """Register the areas, the signed-in user's loader and the clinic's details for pages."""
    access.init_login()
    for area in (public, auth, me, desk, admin):
        app.register_blueprint(area.bp)
    email_links.use(app, PageLinks())
    app.context_processor(clinic_settings)


def clinic_settings() -> dict[str, Any]:
    """Every page knows the clinic's name, address and phone (error pages do without)."""
    try:
        return {"clinic": ClinicSettings.get()}
    except SQLAlchemyError:
        db.session.rollback()
        return {"clinic": None}


def error_page(error: HTTPException | Refusal):
    """An error as a page: an HTTP error with its code, a refusal of the booking rules as 400
    (Invalid), 403 (NotAllowed), 404 (NotFound) or 409 (Conflict)."""
    code = (error.code or 500) if isinstance(error, HTTPException) else error.status
    return render_template("errors/error.html", code=code, error=error), code
