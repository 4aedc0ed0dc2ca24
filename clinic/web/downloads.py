"""Files pages hand out: an appointment as a calendar file (the patient's and the desk's)."""

from __future__ import annotations

from flask import Response

from ..models import Appointment, ClinicSettings
from ..notifications import calendar_file


def calendar_download(appointment: Appointment) -> Response:
    """The appointment as a calendar file to open in any calendar app."""
    return Response(
        calendar_file(appointment, ClinicSettings.get(), method="PUBLISH"),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="appointment-{appointment.id}.ics"'},
    )
