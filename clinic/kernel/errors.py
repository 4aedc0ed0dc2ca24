"""The rules' refusals: views and the API turn them into form errors, 400, 403, 404 or 409."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Appointment


class Refusal(Exception):
    """A request the rules refuse; `message` says why, in words for people, and `status` the
    HTTP status both doors answer it with."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(Refusal):
    """Bad input: `errors` maps each field to what is wrong with it."""

    status = 400

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


class NotFound(Refusal):
    """The thing the request is about does not exist."""

    status = 404


class NotAllowed(Refusal):
    """The actor may not do this (the policy says so)."""

    status = 403


class Conflict(Refusal):
    """The request collides with the clinic's state.

    `appointment` is the appointment it collides with (when one does), `suggestions` the
    nearest free start times, `appointments` the appointments a change would strand.
    """

    def __init__(
        self,
        message: str,
        appointment: Appointment | None = None,
        suggestions: Sequence[datetime] = (),
        appointments: Sequence[Appointment] = (),
    ) -> None:
        super().__init__(message)
        self.appointment = appointment
        self.suggestions = list(suggestions)
        self.appointments = list(appointments)
