"""The desk's forms that several pages share, and the agenda's: a client record's fields
and the client search (the client pages and the booking form), the agenda's filters, and a
specialist's absence."""

from __future__ import annotations

from wtforms import (
    DateField,
    SearchField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from ...kernel.errors import Invalid
from ...kernel.values import limit, parse_text
from ...models import Client
from ...scheduling.directory import MAX_SEARCH_LENGTH
from ..forms import FilterForm, Form, email_field, names, phone_field


class ClientForm(Form):
    """A client record: names, phone, email (optional) and the clinic's notes about them."""

    first_name, last_name = names(Client)
    phone = phone_field(Client.phone)
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
