"""Appointments: staff book, move, check in and cancel any; a client books and manages their
own (with the online rules); nobody else sees them."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort

from .. import scheduling
from ..extensions import db
from ..models import Appointment
from .common import ApiBlueprint, caller, listing, own_or_404
from .schemas import AppointmentIn, AppointmentOut, AppointmentPatch, AppointmentQuery

blp = ApiBlueprint("appointments", __name__, description="Appointments")
PAGING = ("page", "page_size")


@blp.route("/appointments/", strict_slashes=False)
class Appointments(MethodView):
    @blp.arguments(AppointmentQuery, location="query")
    @blp.response(200, AppointmentOut(many=True))
    @blp.documents(400, 401)
    def get(self, query):
        """Appointments (staff: all; a client: their own), cancelled ones only when asked"""
        filters = {key: value for key, value in query.items() if key not in PAGING}
        day = filters.pop("date", None)
        return listing(scheduling.appointments_query(caller(), day=day, **filters), query)

    @blp.arguments(AppointmentIn)
    @blp.response(201, AppointmentOut)
    @blp.documents(400, 401, 403, 409)
    def post(self, fields):
        """Book an appointment (staff for anyone; a client for themself, by the online rules)"""
        user = caller()
        if not scheduling.policy_for(user).staff:
            fields.setdefault("client_id", scheduling.own_client_id(db.session, user))
        if fields.get("client_id") is None:
            abort(
                400,
                message="The request has invalid fields.",
                errors={"client": ["Missing data for required field."]},
            )
        return scheduling.book_appointment(db.session, actor=user, **fields)


@blp.route("/appointments/<int:pk>/", strict_slashes=False)
class AppointmentItem(MethodView):
    @blp.response(200, AppointmentOut)
    @blp.documents(401, 404)
    def get(self, pk):
        """One appointment"""
        return own_or_404(caller(), Appointment, pk)

    @blp.arguments(AppointmentIn)
    @blp.response(200, AppointmentOut)
    @blp.documents(400, 401, 403, 404, 409)
    def put(self, fields, pk):
        """Move an appointment and replace its details (the client stays)"""
        return self._change(fields, pk)

    @blp.arguments(AppointmentPatch)
    @blp.response(200, AppointmentOut)
    @blp.documents(400, 401, 403, 404, 409)
    def patch(self, fields, pk):
        """Change an appointment: move it, set its status, or edit its type and notes"""
        return self._change(fields, pk)

    def _change(self, fields, pk):
        user = caller()
        appointment = own_or_404(user, Appointment, pk)
        if fields.pop("client_id", appointment.client_id) != appointment.client_id:
            abort(
                400,
                message="The request has invalid fields.",
                errors={"client": ["An appointment's client cannot change; book anew."]},
            )
        return scheduling.update_appointment(db.session, pk, fields, actor=user)

    @blp.response(204)
    @blp.documents(401, 404, 409)
    def delete(self, pk):
        """Cancel an appointment (it is kept; cancelling again changes nothing)"""
        user = caller()
        own_or_404(user, Appointment, pk)
        scheduling.cancel_appointment(db.session, pk, actor=user)
