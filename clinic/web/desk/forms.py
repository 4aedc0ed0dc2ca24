"""The desk's forms: a client record's fields (the client pages and the booking form's new
client), the agenda's filters, and a specialist's absence."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ...models import Client, TimeOff
from ...scheduling.values import limit
from ..forms import Form, email_field, names, phone_field


class ClientForm(Form):
    """A client record: names, phone, email (optional) and the clinic's notes about them."""

    first_name, last_name = names()
    phone = phone_field()
    email = email_field("Confirmations and reminders go here.", required=False)
    notes = TextAreaField(
        "Notes",
        validators=[Optional(), Length(max=limit(Client.notes))],
        description="For the clinic's staff only; the patient never sees them.",
    )

    def fields(self) -> dict[str, str]:
        """The record's fields as the setup reads them."""
        return {
            "first_name": self.first_name.data or "",
            "last_name": self.last_name.data or "",
            "phone": self.phone.data or "",
            "email": self.email.data or "",
            "notes": self.notes.data or "",
        }


class AgendaForm(Form):
    """The agenda's day and filters: a plain GET form (no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    date = DateField("Day", validators=[Optional()])
    location = SelectField("Location", validators=[Optional()])
    specialty = SelectField("Specialty", validators=[Optional()])

    def offer(self, specialties: list[str], locations: list) -> AgendaForm:
        """Fill the choices: every specialty and location in use, or any."""
        self.specialty.choices = [
            SelectChoice("", "Any specialty"),
            *(SelectChoice(specialty, specialty) for specialty in specialties),
        ]
        self.location.choices = [
            SelectChoice("", "Any location"),
            *(SelectChoice(str(location.id), location.name) for location in locations),
        ]
        return self


class AbsenceForm(Form):
    """A specialist's time off, from the desk: which days and hours, why (staff only), and
    what becomes of the appointments it covers."""

    specialist = SelectField("Specialist", validators=[InputRequired("Choose the specialist.")])
    first_day = DateField("From day", validators=[InputRequired("Give the first day.")])
    from_time = TimeField(
        "From time", validators=[Optional()], description="Empty: from the start of the day."
    )
    last_day = DateField("To day", validators=[Optional()], description="Empty: the same day.")
    to_time = TimeField(
        "To time", validators=[Optional()], description="Empty: to the end of the day."
    )
    reason = StringField(
        "Reason",
        validators=[Optional(), Length(max=limit(TimeOff.reason))],
        description="For the staff only: patients see “Not working”.",
    )
    covered = RadioField(
        "The appointments in this time",
        choices=[
            SelectChoice("keep", "Keep them, flagged on the agenda until moved"),
            SelectChoice("cancel", "Cancel them and email each client"),
        ],
        validators=[Optional()],
    )

    def offer(self, specialists: list) -> AbsenceForm:
        """Fill the choice of specialist."""
        self.specialist.choices = [
            SelectChoice("", "Choose…"),
            *(SelectChoice(str(s.id), s.full_name) for s in specialists),
        ]
        return self

    def span(self) -> tuple[datetime, datetime]:
        """The time off's start and end: whole days where no time is given."""
        first = self.first_day.data
        last = self.last_day.data or first
        start = datetime.combine(first, self.from_time.data or time())
        end = (
            datetime.combine(last, self.to_time.data)
            if self.to_time.data
            else datetime.combine(last + timedelta(days=1), time())
        )
        return start, end
