"""The admin's forms for the clinic's hours: a shift, a time off of a specialist, a location
or the whole clinic, and the audit log's filters."""

from __future__ import annotations

from datetime import date

from wtforms import DateField, SelectField, StringField, TimeField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ...kernel.values import WEEKDAYS, limit
from ...models import Location, Specialist, TimeOff
from ..forms import AbsenceForm, Form, calendar_day

CLINIC = "clinic"
"""The scope of a time off of the whole clinic."""
SYSTEM = "system"
"""The audit log's choice of changes nobody made (the system did)."""


class ShiftForm(Form):
    """A weekly shift: the weekday and the hours (named as the booking rules name them)."""

    weekday = SelectField(
        "Weekday",
        choices=[SelectChoice(str(n), name) for n, name in enumerate(WEEKDAYS)],
        validators=[InputRequired("Choose the weekday.")],
    )
    from_hour = TimeField("From", validators=[InputRequired("Give the start time.")])
    to_hour = TimeField("To", validators=[InputRequired("Give the end time.")])


class TimeOffForm(AbsenceForm):
    """A time off of a specialist, a location or the whole clinic: the desk's absence form
    with a choice of whose instead of the specialist."""

    specialist = None
    scope = SelectField(
        "Who is off",
        validators=[InputRequired("Choose who is off.")],
        description="A specialist, a location, or the whole clinic.",
    )
    reason = StringField(
        "Reason",
        validators=[Optional(), Length(max=limit(TimeOff.reason))],
        description="For the staff only: the public sees “Not working” or “Clinic closed”.",
    )

    def offer(self, specialists: list[Specialist], locations: list[Location]) -> TimeOffForm:
        """Fill the choice of whose time off it is (those given: the active ones, and the
        one a time off being changed already has)."""
        self.scope.choices = [
            SelectChoice(CLINIC, "Whole clinic"),
            *(
                SelectChoice(f"specialist:{s.id}", _named(s.full_name, s.active))
                for s in specialists
            ),
            *(
                SelectChoice(f"location:{room.id}", _named(room.name, room.active))
                for room in locations
            ),
        ]
        return self

    def whose(self) -> dict[str, str | None]:
        """The chosen scope as the booking rules read it: a specialist's or location's id."""
        kind, _, key = (self.scope.data or CLINIC).partition(":")
        return {
            "specialist_id": key if kind == "specialist" else None,
            "location_id": key if kind == "location" else None,
        }


def _named(name: str, active: bool) -> str:
    """A choice's label, saying when it is switched off."""
    return name if active else f"{name} (inactive)"


class AuditFilterForm(Form):
    """The audit log's filters: a plain GET form (no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    user = SelectField("Who", validators=[Optional()])
    entity = SelectField("What kind of thing", validators=[Optional()])
    first = DateField(
        "From day",
        validators=[Optional()],
        description="Days of the clinic's time zone.",
        name="from",
    )
    last = DateField(
        "To day", validators=[Optional()], description="Empty: up to the latest.", name="to"
    )

    def validate_first(self, field: DateField) -> None:
        """A day the clinic's calendar holds."""
        if field.data is not None:
            calendar_day(field)

    def validate_last(self, field: DateField) -> None:
        """A day the clinic's calendar holds, not before the first."""
        if field.data is None:
            return
        calendar_day(field)
        if self.first.data and not self.first.errors and field.data < self.first.data:
            raise ValidationError("The last day comes before the first.")

    def offer(self, users: list, entities: dict[str, str]) -> AuditFilterForm:
        """Fill the choices: everyone, the system, each user given; every kind of thing."""
        self.user.choices = [
            SelectChoice("", "Anyone"),
            SelectChoice(SYSTEM, "The system"),
            *(SelectChoice(str(user.id), user.full_name) for user in users),
        ]
        self.entity.choices = [
            SelectChoice("", "Anything"),
            *(SelectChoice(name, label) for name, label in entities.items()),
        ]
        return self

    def filters(self) -> dict:
        """The filters chosen, those in error left out."""
        user = "" if self.user.errors else (self.user.data or "")
        return {
            "user_id": int(user) if user.isdigit() else None,
            "by_system": user == SYSTEM,
            "entity": None if self.entity.errors else (self.entity.data or None),
            "first": None if self.first.errors else self.first.data,
            "last": None if self.last.errors else self.last.data,
        }

    def args(self) -> dict[str, str]:
        """The filters as the page's query arguments (for the page links)."""
        chosen = self.filters()
        return {
            key: value
            for key, value in (
                ("user", SYSTEM if chosen["by_system"] else str(chosen["user_id"] or "")),
                ("entity", chosen["entity"] or ""),
                ("from", _iso(chosen["first"])),
                ("to", _iso(chosen["last"])),
            )
            if value
        }


def _iso(day: date | None) -> str:
    """A day as YYYY-MM-DD, or nothing."""
    return day.isoformat() if day else ""
