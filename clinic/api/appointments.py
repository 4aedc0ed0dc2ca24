"""Appointments: staff book, move, check in and cancel any; a client books and manages their
own (with the online rules); nobody else sees them."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import jwt_required

from .. import scheduling
from ..extensions import db
from ..http.limits import account_key, self_booking_limited
from ..models import Appointment
from .common import ApiBlueprint, caller, listing, own_or_404
from .schemas import (
    SEEN_BY_STAFF,
    AppointmentIn,
    AppointmentOut,
    AppointmentPatch,
    AppointmentQuery,
)

blp = ApiBlueprint("appointments", __name__, description="Appointments")
PAGING = ("page", "page_size")


def not_self_booking() -> bool:
    """Whether the caller is staff (or no one, refused later): only clients are rate-limited."""
    user = caller()
    return user is None or scheduling.policy_for(user).staff


def booking_client() -> str:
    """Self-service bookings are counted per user (with the web's, in one count)."""
    return account_key(caller().id)


def as_written(user, fields: dict) -> dict:
    """What the caller sends: a client's `notes` is their own note; staff name both."""
    if not scheduling.policy_for(user).staff and "notes" in fields:
        fields["patient_note"] = fields.pop("notes")
    return fields


def shown(user, result):
    """Appointments as the caller sees them: staff with the clinic's notes and the patient's
    (marked for AppointmentOut), anyone else as the patient does."""
    if scheduling.policy_for(user).staff:
        for appointment in result if isinstance(result, list) else [result]:
            setattr(appointment, SEEN_BY_STAFF, True)
    return result


@blp.route("/appointments/", strict_slashes=False)
class Appointments(MethodView):
    @jwt_required()
    @blp.arguments(AppointmentQuery, location="query")
    @blp.response(200, AppointmentOut(many=True))
    @blp.documents(400, 401)
    def get(self, query):
        """Appointments (staff: all; a client: their own), cancelled ones only when asked"""
        filters = {key: value for key, value in query.items() if key not in PAGING}
        day = filters.pop("date", None)
        user = caller()
        return shown(user, listing(scheduling.appointments_query(user, day=day, **filters), query))

    @jwt_required()
    @self_booking_limited(booking_client, exempt_when=not_self_booking)
    @blp.arguments(AppointmentIn)
    @blp.response(201, AppointmentOut)
    @blp.documents(400, 401, 403, 409, 429)
    def post(self, fields):
        """Book an appointment (staff for anyone; a client for themself, by the online rules)"""
        user = caller()
        booked = scheduling.book_appointment(db.session, actor=user, **as_written(user, fields))
        return shown(user, booked)


@blp.route("/appointments/<int:pk>/", strict_slashes=False)
class AppointmentItem(MethodView):
    @jwt_required()
    @blp.response(200, AppointmentOut)
    @blp.documents(401, 404)
    def get(self, pk):
        """One appointment"""
        user = caller()
        return shown(user, own_or_404(user, Appointment, pk))

    @jwt_required()
    @blp.arguments(AppointmentIn)
    @blp.response(200, AppointmentOut)
    @blp.documents(400, 401, 403, 404, 409)
    def put(self, fields, pk):
        """Move an appointment and replace its details (the client stays)"""
        return self._change(fields, pk)

    @jwt_required()
    @blp.arguments(AppointmentPatch)
    @blp.response(200, AppointmentOut)
    @blp.documents(400, 401, 403, 404, 409)
    def patch(self, fields, pk):
        """Change an appointment: move it, set its status, or edit its type and notes"""
        return self._change(fields, pk)

    def _change(self, fields, pk):
        user = caller()
        own_or_404(user, Appointment, pk)
        changed = scheduling.update_appointment(
            db.session, pk, as_written(user, fields), actor=user
        )
        return shown(user, changed)

    @jwt_required()
    @blp.response(204)
    @blp.documents(401, 404, 409)
    def delete(self, pk):
        """Cancel an appointment (it is kept; cancelling again changes nothing)"""
        user = caller()
        own_or_404(user, Appointment, pk)
        scheduling.cancel_appointment(db.session, pk, actor=user)
