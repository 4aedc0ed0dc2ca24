"""The forms of the staff and settings pages: a staff account (new, or changed), a temporary
password, the reset link's button, and the clinic's settings."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ...kernel.values import limit
from ...models import ClinicSettings, Role, User
from ..forms import Form, email_field, new_password, phone_field

PASSWORD_FIELDS = {"repeat_password": "confirm"}
"""The domain's name of a password's repetition, as these forms call it."""

ROLE_CHOICES = [
    SelectChoice(Role.MANAGER.value, "Manager: the front desk (clients and appointments)"),
    SelectChoice(Role.ADMIN.value, "Admin: everything, including setup, staff and settings"),
]


def optional_name(label: str, autocomplete: str) -> StringField:
    """A first or last name a staff account may leave empty."""
    return StringField(
        label,
        validators=[Optional(), Length(max=limit(User.first_name))],
        render_kw={"autocomplete": autocomplete},
    )


class StaffDetailsForm(Form):
    """What every staff account has: names, email, username and role."""

    first_name = optional_name("First name", "off")
    last_name = optional_name("Last name", "off")
    email = email_field(
        "Password-reset links go here; without one, only a temporary password can be set.",
        required=False,
    )
    username = StringField(
        "Username",
        validators=[DataRequired(), Length(max=limit(User.username))],
        description="What they sign in with: letters, digits and . @ + - _ only.",
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    role = SelectField(
        "Role",
        choices=ROLE_CHOICES,
        validators=[InputRequired()],
        description="Takes effect at once, on the website and in the API.",
    )

    def fields(self) -> dict[str, Any]:
        """The account's fields as the setup reads them."""
        return {
            "username": self.username.data or "",
            "first_name": self.first_name.data or "",
            "last_name": self.last_name.data or "",
            "email": self.email.data or "",
            "role": self.role.data,
        }


class StaffForm(StaffDetailsForm):
    """A staff account as an admin changes it: its details and the active switch."""

    active = BooleanField(
        "Active: may sign in (switching off signs them out everywhere and ends their API tokens)"
    )

    def fields(self) -> dict[str, Any]:
        """The account's fields as `update_staff_user` reads them."""
        return {**super().fields(), "active": bool(self.active.data)}


class NewStaffForm(StaffDetailsForm):
    """A new staff account: its details and a first password, given twice."""

    password, confirm = new_password()

    def fields(self) -> dict[str, Any]:
        """The new account's fields as `create_user` takes them."""
        fields = super().fields()
        return {
            **fields,
            "email": fields["email"] or None,
            "password": self.password.data or "",
            "repeat_password": self.confirm.data or "",
        }


class TemporaryPasswordForm(Form):
    """A password the user must change at their next sign-in."""

    password, confirm = new_password("Temporary password")


class SettingsForm(Form):
    """The clinic's details and the rules of online booking (the ranges are the setup's)."""

    name = StringField(
        "Clinic name",
        validators=[DataRequired(), Length(max=limit(ClinicSettings.name))],
        description="Shown at the top of every page and in emails.",
    )
    address = TextAreaField(
        "Address",
        validators=[Optional(), Length(max=limit(ClinicSettings.address))],
        description="Shown to patients on the public pages and in emails.",
    )
    phone = phone_field(ClinicSettings.phone)
    self_booking = BooleanField("Patients may book, move and cancel online")
    min_notice_minutes = IntegerField(
        "Minimum notice (minutes)",
        validators=[InputRequired("Give a whole number of minutes.")],
        description="How long before a time patients may still book it online; earlier "
        "times are not offered to them. Staff at the desk may book any future time.",
    )
    max_days_ahead = IntegerField(
        "Maximum days ahead",
        validators=[InputRequired("Give a whole number of days.")],
        description="How far into the future patients may book online.",
    )
    cancellation_window_hours = IntegerField(
        "Cancellation window (hours)",
        validators=[InputRequired("Give a whole number of hours.")],
        description="Patients may cancel or move an appointment online until this many hours "
        "before it starts; after that they call the clinic.",
    )
    default_slot_minutes = IntegerField(
        "Default appointment length (minutes)",
        validators=[InputRequired("Give a whole number of minutes.")],
        description="What the new-specialist form proposes; each specialist has their own "
        "appointment length.",
    )
    max_client_bookings = IntegerField(
        "Online bookings per patient",
        validators=[InputRequired("Give a whole number.")],
        description="How many upcoming appointments a patient may hold that they booked "
        "themselves. Staff are not capped.",
    )

    NAMES = (
        "name",
        "address",
        "phone",
        "self_booking",
        "min_notice_minutes",
        "max_days_ahead",
        "cancellation_window_hours",
        "default_slot_minutes",
        "max_client_bookings",
    )

    def fields(self) -> dict[str, Any]:
        """The settings as the setup reads them."""
        fields = {name: self[name].data for name in self.NAMES}
        for text in ("name", "address", "phone"):
            fields[text] = fields[text] or ""
        fields["self_booking"] = bool(fields["self_booking"])
        return fields
