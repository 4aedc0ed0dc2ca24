"""The desk's appointment forms: booking (with the client found or created inline), moving,
cancelling and a status change. They check shape only; the booking rules decide the rest."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ...kernel.values import limit
from ...models import Appointment, Location, Specialist
from ..forms import Form
from .forms import ClientForm

NEW_CLIENT = "new"
"""The client choice that creates the client from the new client's fields."""
TIMES = ("date", "start_time", "end_time")
CARRIED = ("specialist_id", "location_id", "date", "start_time", "end_time", "type")
"""What the links of the booking and move forms (the client search, a suggested time) carry
along in their address, besides the client chosen: never the clinic's notes or a new
client's details, which are personal and would stay in logs and browser histories."""


class TimingForm(Form):
    """When and with whom: the fields a booking and a move share."""

    specialist_id = SelectField(
        "Specialist", validators=[DataRequired(message="Choose a specialist.")]
    )
    location_id = SelectField("Location", validators=[Optional()])
    date = DateField("Date", validators=[DataRequired(message="Give a date.")])
    start_time = TimeField("Start", validators=[DataRequired(message="Give a start time.")])
    end_time = TimeField("End", validators=[Optional()])

    def offer(self, specialists: list[Specialist], locations: list[Location]) -> None:
        """Fill the choices: the active specialists and locations; say what an empty end and
        location mean for the specialist chosen."""
        self.specialist_id.choices = [
            SelectChoice("", "Choose a specialist"),
            *(SelectChoice(str(s.id), _specialist_label(s)) for s in specialists),
        ]
        self.location_id.choices = [
            SelectChoice("", "The specialist's default room, else the first free one"),
            *(SelectChoice(str(location.id), location.name) for location in locations),
        ]
        chosen = self.chosen(specialists)
        length = f"{chosen.slot_minutes} minutes" if chosen else "the specialist's slot length"
        self.end_time.description = f"Optional; empty means {length} after the start."
        if chosen and chosen.default_location:
            self.location_id.description = (
                f"Empty: {chosen.full_name}'s default room, {chosen.default_location.name}."
            )

    def chosen(self, specialists: list[Specialist]) -> Specialist | None:
        """The specialist chosen, if any (and active)."""
        return next((s for s in specialists if str(s.id) == self.specialist_id.data), None)

    def carried(self) -> dict[str, str]:
        """The values typed so far, for links that reload the page keeping them."""
        values = {name: _typed(self[name]) for name in CARRIED if name in self._fields}
        return {name: value for name, value in values.items() if value}

    def timing(self) -> dict[str, Any]:
        """The time, specialist and location as the booking rules read them."""
        return {
            "specialist_id": self.specialist_id.data,
            "location_id": self.location_id.data or None,
            "date": self.date.data,
            "start_time": self.start_time.data,
            "end_time": self.end_time.data,
        }


class BookingForm(TimingForm):
    """A new appointment: the timing, the visit's type and the clinic's notes, and the client
    (one found, one of the possible duplicates, or `NEW_CLIENT`)."""

    type = StringField(
        "Type of visit",
        validators=[Optional(), Length(max=limit(Appointment.type))],
        description="Choose a suggestion or type any.",
        render_kw={"list": "visit-types", "autocomplete": "off"},
    )
    notes = TextAreaField(
        "The clinic's notes",
        validators=[Optional(), Length(max=limit(Appointment.notes))],
        description="For the clinic's staff only; the patient never sees them.",
    )
    client_id = StringField(
        "Client", validators=[DataRequired(message="Choose a client, or a new client.")]
    )
    create_anyway = BooleanField("Create a new record anyway")
    q = HiddenField(id="booking-q")

    def details(self) -> dict[str, Any]:
        """The booking as the booking rules read it, all but the client."""
        return {**self.timing(), "type": self.type.data or "", "notes": self.notes.data or ""}

    def carried(self) -> dict[str, str]:
        """The values typed so far and the client chosen, for links that reload the page."""
        chosen = {"client_id": self.client_id.data} if self.client_id.data else {}
        return {**super().carried(), **chosen}


class InlineClientForm(ClientForm):
    """A client created while booking (prefix "new_client"): names, phone and email."""

    class Meta:
        csrf = False

    notes = None

    def fields(self) -> dict[str, str]:
        """The record's fields as the setup reads them."""
        return {
            name: self[name].data or "" for name in ("first_name", "last_name", "phone", "email")
        }


class MoveForm(TimingForm):
    """Another time, specialist or room for an appointment."""


class CancelForm(Form):
    """Cancelling, with the reason the staff give."""

    reason = StringField(
        "Reason",
        validators=[Optional(), Length(max=limit(Appointment.cancel_reason))],
        description="Optional; staff see it with the appointment. The client is told by email.",
    )


class StatusForm(Form):
    """A status button: the status wanted, and a local page to go back to."""

    status = StringField(validators=[DataRequired(message="Choose a status.")])
    next = HiddenField()


def without_time(values: dict[str, str]) -> dict[str, str]:
    """`values` without the date and times (a suggested time brings its own)."""
    return {name: value for name, value in values.items() if name not in TIMES}


def _typed(field: Field) -> str:
    """What a field holds as typed (a select's value as chosen)."""
    return field.data or "" if isinstance(field, SelectField) else field._value()


def _specialist_label(specialist: Specialist) -> str:
    """A specialist in a choice: name, specialty and slot length."""
    specialty = f", {specialist.specialty}" if specialist.specialty else ""
    return f"{specialist.full_name}{specialty} ({specialist.slot_minutes} min)"
