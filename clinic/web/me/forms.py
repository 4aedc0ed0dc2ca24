"""A signed-in client's forms: the shape of what they type, nothing more."""

from __future__ import annotations

from wtforms import (
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ...accounts import MAX_PASSWORD_LENGTH
from ...kernel.values import limit
from ...models import Appointment, Client, Specialist
from ..forms import Form, email_field, names, phone_field


class AccountDetailsForm(Form):
    first_name, last_name = names(Client)
    phone = phone_field(Client.phone)
    email = email_field(
        "A new address gets a link to confirm it; until it is opened, we keep writing to the "
        "one you have now."
    )
    password = PasswordField(
        "Current password",
        validators=[Optional(), Length(max=MAX_PASSWORD_LENGTH)],
        description="Needed only to change your email address.",
        render_kw={"autocomplete": "current-password"},
    )


class BookingForm(Form):
    type = StringField(
        "Type of visit",
        validators=[Optional(), Length(max=limit(Appointment.type))],
        description="Optional, for example “first visit” or “check-up”.",
    )
    patient_note = TextAreaField(
        "A note for the clinic",
        validators=[Optional(), Length(max=limit(Appointment.patient_note))],
        description="Optional. Anything the clinic should know before your visit.",
    )


def booking_form(specialist: Specialist) -> BookingForm:
    """The booking form for `specialist`: the type of visit chosen from their visit types, or
    typed freely when they have none."""
    if not specialist.visit_types:
        return BookingForm()

    class ChosenTypeForm(BookingForm):
        type = SelectField(
            "Type of visit",
            choices=[SelectChoice(kind, kind) for kind in specialist.visit_types],
            validators=[InputRequired(message="Choose a type of visit.")],
        )

    return ChosenTypeForm()


class CancelForm(Form):
    reason = StringField(
        "Why are you cancelling?",
        validators=[Optional(), Length(max=limit(Appointment.cancel_reason))],
        description="Optional; it helps the clinic.",
    )


class ConfirmForm(Form):
    """A confirmation: the CSRF token and a button."""
