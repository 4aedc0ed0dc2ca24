"""What the site's forms share: a base form that shows the booking rules' refusals beside its
fields, the specialty and location filters, a person's names, email and phone, the new
password with its confirmation, and a time off (the desk's absence, the admin's time off)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta

from flask_wtf import FlaskForm
from sqlalchemy.orm import InstrumentedAttribute
from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TimeField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ..accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from ..kernel.errors import Invalid
from ..kernel.values import limit, parse_date
from ..models import TimeOff, User


class Form(FlaskForm):
    """A form that can show a domain refusal on its fields."""

    def show_refusal(self, refusal: Invalid, names: Mapping[str, str] | None = None) -> None:
        """Put each message of `refusal` on its field (the domain's name mapped through
        `names` where the form's differs); messages about no field of the form go above it."""
        for name, message in refusal.errors.items():
            field = self._fields.get((names or {}).get(name, name))
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]


class FilterForm(Form):
    """A plain GET form narrowing a list by specialty and location (no CSRF token: it changes
    nothing); `offer` fills the choices."""

    class Meta:
        csrf = False

    specialty = SelectField("Specialty", validators=[Optional()])
    location = SelectField("Location", validators=[Optional()])

    def offer(self, specialties: list[str], locations: list) -> FilterForm:
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

    def places(self) -> dict:
        """The specialty and location chosen (those not in error, nor blank: any)."""
        location = (self.location.data or "").strip() if not self.location.errors else ""
        return {
            "specialty": (self.specialty.data or "") if not self.specialty.errors else "",
            "location_id": int(location) if location.isascii() and location.isdigit() else None,
        }


def names(model: type) -> tuple[StringField, StringField]:
    """A person's first and last name, as long as the model's columns hold:
    `first_name, last_name = names(Client)`."""
    return tuple(
        StringField(
            label,
            validators=[DataRequired(), Length(max=limit(column))],
            render_kw={"autocomplete": autocomplete},
        )
        for label, autocomplete, column in (
            ("First name", "given-name", model.first_name),
            ("Last name", "family-name", model.last_name),
        )
    )


def email_field(description: str, required: bool = True) -> EmailField:
    """An email address, saying what happens to it (as long as an account's holds)."""
    return EmailField(
        "Email",
        validators=[
            DataRequired() if required else Optional(),
            Email(),
            Length(max=limit(User.email)),
        ],
        description=description,
        render_kw={"autocomplete": "email"},
    )


def phone_field(column: InstrumentedAttribute) -> TelField:
    """An optional phone number, as long as the column holds."""
    return TelField(
        "Phone",
        validators=[Optional(), Length(max=limit(column))],
        render_kw={"autocomplete": "tel"},
    )


def new_password(label: str = "Password") -> tuple[PasswordField, PasswordField]:
    """A new password and its confirmation: `password, confirm = new_password("New password")`."""
    at_least = f"At least {MIN_PASSWORD_LENGTH} characters."
    length = Length(
        min=MIN_PASSWORD_LENGTH,
        max=MAX_PASSWORD_LENGTH,
        message=f"Use at least {MIN_PASSWORD_LENGTH} characters.",
    )
    password = PasswordField(
        label,
        validators=[DataRequired(), length],
        description=at_least,
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        f"{label} again",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


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
        calendar_day(field)

    def validate_last_day(self, field: DateField) -> None:
        """A day the clinic's calendar holds."""
        calendar_day(field)

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


def calendar_day(field: DateField) -> None:
    """Refuse a day outside the clinic's calendar (as the booking rules read days)."""
    try:
        parse_date(field.data)
    except Invalid as invalid:
        raise ValidationError(invalid.message) from None
