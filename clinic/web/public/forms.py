"""The directory's search: a plain GET form (no CSRF token: it changes nothing)."""

from __future__ import annotations

from wtforms import SearchField
from wtforms.validators import Length, Optional

from ...scheduling.directory import MAX_SEARCH_LENGTH
from ..forms import FilterForm


class DirectoryForm(FilterForm):
    q = SearchField(
        "Name or specialty",
        validators=[Optional(), Length(max=MAX_SEARCH_LENGTH)],
        render_kw={"autocomplete": "off"},
    )

    def filters(self) -> dict:
        """What to search for: the fields given and not in error."""
        return {"search": (self.q.data or "") if not self.q.errors else "", **self.places()}
