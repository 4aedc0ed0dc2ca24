"""The desk's forms that several pages share, and the agenda's: a client record's fields
and the client search (the client pages and the booking form), the agenda's filters, and a
specialist's absence."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from wtforms import (
    DateField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ...models import Client, TimeOff
from ...scheduling import Invalid, parse_date
from ...scheduling.values import limit, parse_text
from ..forms import FilterForm, Form, email_field, names, phone_field


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


MAX_SEARCH_LENGTH = 100
"""The longest client search (a name, a phone number or an address fits)."""


class ClientSearchForm(Form):
    """A search for client records: a plain GET form (no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    q = SearchField(
        "Find a client",
        description="Part of a name, a phone number (any spacing) or an email address.",
        render_kw={"autocomplete": "off"},
    )

    def search(self) -> str | None:
        """The words to look for (empty: everyone); None, with the reason on the field, for a
        search that cannot be one."""
        try:
            return parse_text(self.q.data or "", "q", MAX_SEARCH_LENGTH)
        except Invalid as invalid:
            self.show_refusal(invalid)
            return None


class AgendaForm(FilterForm):
    """The agenda's day, specialty and location."""

    date = DateField("Day", validators=[Optional()])


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

    def validate_first_day(self, field: DateField) -> None:
        """A day the clinic's calendar holds."""
        _calendar_day(field)

    def validate_last_day(self, field: DateField) -> None:
        """A day the clinic's calendar holds."""
        _calendar_day(field)

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


def _calendar_day(field: DateField) -> None:
    """Refuse a day outside the clinic's calendar (as the booking rules read days)."""
    try:
        parse_date(field.data)
    except Invalid as invalid:
        raise ValidationError(invalid.message) from None
