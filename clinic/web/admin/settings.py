"""The clinic's settings: its name and contact, and the rules of online booking (the time
zone is the deployment's, shown but not changed here)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from ... import setup
from ...extensions import db
from ...kernel.errors import Invalid
from ...models import ClinicSettings
from . import bp
from .staff_forms import SettingsForm


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Show and change the settings; refusals beside their fields, with nothing saved (400)."""
    form = SettingsForm(obj=ClinicSettings.get())
    if form.validate_on_submit():
        try:
            setup.save_settings(db.session, form.fields(), actor=current_user)
        except Invalid as invalid:
            form.show_refusal(invalid)
        else:
            flash(
                "The settings are saved; the public calendar and new bookings follow them now.",
                "success",
            )
            return redirect(url_for("admin.settings"))
    page = render_template(
        "admin/settings.html", form=form, time_zone=current_app.config["CLINIC_TIMEZONE"]
    )
    return page, 400 if form.errors or form.form_errors else 200
