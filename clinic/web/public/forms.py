"""The directory's search: a plain GET form (no CSRF token: it changes nothing)."""

from __future__ import annotations

from wtforms import SearchField, SelectField
from wtforms.fields import SelectChoice
from wtforms.validators import Length, Optional

from ...scheduling.directory import MAX_SEARCH_LENGTH
from ..forms import Form


class DirectoryForm(Form):
    class Meta:
        csrf = False

    q = SearchField(
        "Name or specialty",
        validators=[Optional(), Length(max=MAX_SEARCH_LENGTH)],
        render_kw={"autocomplete": "off"},
    )
    specialty = SelectField("Specialty", validators=[Optional()])
    location = SelectField("Location", validators=[Optional()])

    def offer(self, specialties: list[str], locations: list) -> DirectoryForm:
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

    def filters(self) -> dict:
        """What to search for: the fields given and not in error."""
        location = self.location.data if not self.location.errors else ""
        return {
            "search": (self.q.data or "") if not self.q.errors else "",
            "specialty": (self.specialty.data or "") if not self.specialty.errors else "",
            "location_id": int(location) if location else None,
        }
