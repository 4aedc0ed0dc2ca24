"""The admin's forms for specialists and locations, and what they share: the shifts worked,
picked among every existing shift (checkboxes by weekday) with a new one added in the same
save."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import groupby
from typing import Any

from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ...kernel.errors import Invalid
from ...kernel.values import WEEKDAYS, hm, limit
from ...models import LONGEST_SLOT, SHORTEST_SLOT, Location, Shift, Specialist
from ...setup.specialists import ABOUT_LENGTH
from ..forms import Form, names, phone_field

NEW_SHIFT = {"weekday": "new_weekday", "from_hour": "new_from_hour", "to_hour": "new_to_hour"}
"""The new shift's fields as the booking rules name them, and as the form does."""


class ShiftsField(SelectMultipleField):
    """The shifts worked: a checkbox for each existing shift, grouped by weekday."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: str = "Shifts worked", **kwargs: Any) -> None:
        super().__init__(label, coerce=int, validators=[Optional()], **kwargs)

    def offer(self, shifts: Sequence[Shift]) -> None:
        """A choice for each shift, by weekday and time."""
        self.choices = [
            SelectChoice(
                shift.id,
                f"{hm(shift.start_time)}\N{EN DASH}{hm(shift.end_time)}",
                optgroup=WEEKDAYS[shift.weekday],
            )
            for shift in sorted(shifts, key=lambda s: (s.weekday, s.start_time, s.end_time))
        ]

    def by_weekday(self) -> Iterator[tuple[str, list]]:
        """The checkboxes of each weekday that has shifts: (weekday, [checkbox])."""
        boxes = zip(self.choices or [], self, strict=True)
        for weekday, group in groupby(boxes, key=lambda pair: pair[0].optgroup):
            yield weekday, [box for _choice, box in group]


def shift_fields() -> tuple[ShiftsField, SelectField, TimeField, TimeField]:
    """The shifts picked and a new shift's weekday and times:
    `shifts, new_weekday, new_from_hour, new_to_hour = shift_fields()` (where the form shows
    them, so that its error summary follows the page)."""
    weekdays = [SelectChoice(str(n), day) for n, day in enumerate(WEEKDAYS)]
    return (
        ShiftsField(),
        SelectField("New shift's weekday", choices=[SelectChoice("", "No new shift"), *weekdays]),
        TimeField("New shift from", validators=[Optional()]),
        TimeField("New shift to", validators=[Optional()]),
    )


class ShiftsForm(Form):
    """A form of something that works shifts (its fields from `shift_fields`): those picked,
    and a new one (optional)."""

    shifts: ShiftsField
    new_weekday: SelectField
    new_from_hour: TimeField
    new_to_hour: TimeField

    def validate_new_weekday(self, field: SelectField) -> None:
        """A new shift's times need its weekday."""
        if not field.data and (self.new_from_hour.data or self.new_to_hour.data):
            raise ValidationError("Choose the new shift's weekday.")

    def offer_shifts(self, shifts: Sequence[Shift]) -> None:
        """Fill the choice of shifts."""
        self.shifts.offer(shifts)

    def shift_items(self) -> list[Any]:
        """The shifts as the setup reads them: the ids picked, and the new shift's weekday and
        times when any of them is given (made in the same save)."""
        items: list[Any] = list(self.shifts.data or [])
        new = (self.new_weekday.data or "", self.new_from_hour.data, self.new_to_hour.data)
        if any(part not in ("", None) for part in new):
            items.append(new)
        return items

    def show_refusal(self, refusal: Invalid, names: dict[str, str] | None = None) -> None:
        """Put the refusal's messages on the fields: a picked shift's (`shifts.N`) on the
        shifts, the new shift's (`weekday`, `from_hour`, `to_hour`) on its fields."""
        fields = {**NEW_SHIFT, **(names or {})}
        fields.update({key: "shifts" for key in refusal.errors if key.startswith("shifts.")})
        super().show_refusal(refusal, fields)


class SpecialistForm(ShiftsForm):
    """A specialist: names, phone, specialty, about, visit types, slot length, default
    location, shifts and (when editing) active."""

    first_name, last_name = names(Specialist)
    phone = phone_field(Specialist.phone)
    specialty = StringField(
        "Specialty", validators=[Optional(), Length(max=limit(Specialist.specialty))]
    )
    about = TextAreaField(
        "About",
        validators=[Optional(), Length(max=ABOUT_LENGTH)],
        description=f"Shown to patients on the specialist's page; up to {ABOUT_LENGTH} characters.",
    )
    visit_types = TextAreaField(
        "Visit types",
        validators=[Optional()],
        description="One a line; patients booking online choose among them (none: they write "
        "their own).",
    )
    slot_minutes = IntegerField(
        "Slot length (minutes)",
        validators=[InputRequired("Give the slot length in minutes.")],
        description=f"How long one appointment lasts: {SHORTEST_SLOT} to {LONGEST_SLOT} minutes.",
    )
    default_location_id = SelectField(
        "Default location",
        validators=[Optional()],
        description="Where their appointments take place; none: any location open then.",
    )
    shifts, new_weekday, new_from_hour, new_to_hour = shift_fields()
    active = BooleanField(
        "Active", description="Switched off: hidden from patients and from new bookings."
    )

    def offer(self, locations: Sequence[Location], shifts: Sequence[Shift]) -> SpecialistForm:
        """Fill the choices: the locations (none for no default), and the shifts."""
        self.default_location_id.choices = [
            SelectChoice("", "None: any location open then"),
            *(
                SelectChoice(str(loc.id), loc.name if loc.active else f"{loc.name} (not in use)")
                for loc in locations
            ),
        ]
        self.offer_shifts(shifts)
        return self

    def fields(self) -> dict[str, Any]:
        """The specialist as the setup reads them."""
        chosen = self.default_location_id.data or ""
        fields = {
            "first_name": self.first_name.data or "",
            "last_name": self.last_name.data or "",
            "phone": self.phone.data or "",
            "specialty": self.specialty.data or "",
            "about": self.about.data or "",
            "visit_types": self.visit_types.data or "",
            "slot_minutes": self.slot_minutes.data,
            "default_location_id": int(chosen) if chosen else None,
            "shifts": self.shift_items(),
        }
        if "active" in self:
            fields["active"] = bool(self.active.data)
        return fields

    @staticmethod
    def data_of(specialist: Specialist) -> dict[str, Any]:
        """A saved specialist's values, to fill the form."""
        return {
            "first_name": specialist.first_name,
            "last_name": specialist.last_name,
            "phone": specialist.phone,
            "specialty": specialist.specialty,
            "about": specialist.about,
            "visit_types": "\n".join(specialist.visit_types or []),
            "slot_minutes": specialist.slot_minutes,
            "default_location_id": str(specialist.default_location_id or ""),
            "shifts": [shift.id for shift in specialist.shifts],
            "active": specialist.active,
        }


class LocationForm(ShiftsForm):
    """A location: name, address, the shifts it is open and (when editing) active."""

    name = StringField("Name", validators=[DataRequired(), Length(max=limit(Location.name))])
    address = StringField(
        "Address",
        validators=[Optional(), Length(max=limit(Location.address))],
        description="The building, floor or room number patients look for.",
    )
    shifts, new_weekday, new_from_hour, new_to_hour = shift_fields()
    active = BooleanField(
        "In use", description="Switched off: no appointment is booked here any more."
    )

    def fields(self) -> dict[str, Any]:
        """The location as the setup reads it."""
        fields = {
            "name": self.name.data or "",
            "address": self.address.data or "",
            "shifts": self.shift_items(),
        }
        if "active" in self:
            fields["active"] = bool(self.active.data)
        return fields

    @staticmethod
    def data_of(location: Location) -> dict[str, Any]:
        """A saved location's values, to fill the form."""
        return {
            "name": location.name,
            "address": location.address,
            "shifts": [shift.id for shift in location.shifts],
            "active": location.active,
        }
