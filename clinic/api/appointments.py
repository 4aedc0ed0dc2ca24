"""Appointments: staff book, move, check in and cancel any; a client books and manages their
own (with the online rules); nobody else sees them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy import select

from .. import scheduling
from ..extensions import db
from ..models import Appointment, AppointmentStatus, Client, User
from .common import ApiBlueprint, caller, is_staff, listing
from .schemas import AppointmentIn, AppointmentOut, AppointmentPatch, AppointmentQuery

blp = ApiBlueprint("appointments", __name__, description="Appointments")
RENAMED = {"worker": "specialist_id", "location": "location_id", "cancel_reason": "reason"}


def own_client_id(user: User) -> int | None:
    """The client record of a client user."""
    return db.session.scalar(select(Client.id).where(Client.user_id == user.id))


def own_or_404(user: User, pk: int) -> Appointment:
    """An appointment the caller may see: any for staff, their own for a client."""
    appointment = db.session.get(Appointment, pk)
    if appointment is None or not (
        is_staff(user) or appointment.client_id == own_client_id(user)
    ):
        abort(404, message=f"There is no appointment {pk}.")
    return appointment


def filtered(query: dict, user: User):
    """The list's query from ?date= ?from= ?to= ?worker= ?client= ?location= ?status=
    ?updated_since=, limited to their own for a client."""
    statement = select(Appointment).order_by(Appointment.starts_at, Appointment.id)
    if not is_staff(user):
        statement = statement.where(Appointment.client_id == own_client_id(user))
    for day, bound in ((query.get("date"), "day"), (query.get("first"), "from"),
                       (query.get("last"), "to")):
        if day is None:
            continue
        midnight = datetime.combine(day, time())
        if bound in ("day", "from"):
            statement = statement.where(Appointment.starts_at >= midnight)
        if bound in ("day", "to"):
            statement = statement.where(Appointment.starts_at < midnight + timedelta(days=1))
    for field, column in (("worker", Appointment.specialist_id),
                          ("client", Appointment.client_id),
                          ("location", Appointment.location_id)):
        if query.get(field) is not None:
            statement = statement.where(column == query[field])
    status = query.get("status")
    if status is None:
        statement = statement.where(Appointment.status != AppointmentStatus.CANCELLED)
    elif status != "all":
        statement = statement.where(Appointment.status == AppointmentStatus(status))
    if query.get("updated_since") is not None:
        statement = statement.where(Appointment.updated_at >= query["updated_since"])
    return statement


def changes_from(fields: dict) -> dict:
    """The booking rules' names for the API's fields."""
    return {RENAMED.get(key, key): value for key, value in fields.items()
            if key != "client"}


@blp.route("/appointments/", strict_slashes=False)
class Appointments(MethodView):
    @blp.arguments(AppointmentQuery, location="query")
    @blp.response(200, AppointmentOut(many=True))
    @blp.documents(400, 401)
    def get(self, query):
        """Appointments (staff: all; a client: their own), cancelled ones only when asked"""
        return listing(filtered(query, caller()), query)

    @blp.arguments(AppointmentIn)
    @blp.response(201, AppointmentOut)
    @blp.documents(400, 401, 403, 409)
    def post(self, fields):
        """Book an appointment (staff for anyone; a client for themself, by the online rules)"""
        user = caller()
        if is_staff(user):
            client_id = fields.get("client")
            if client_id is None:
                abort(400, message="The request has invalid fields.",
                      errors={"client": ["Missing data for required field."]})
        else:
            client_id = own_client_id(user)
            if fields.get("client") not in (None, client_id):
                abort(400, message="The request has invalid fields.",
                      errors={"client": [f"There is no client {fields['client']}."]})
        return scheduling.book_appointment(
            db.session, specialist_id=fields["worker"], client_id=client_id,
            date=fields["date"], start_time=fields["start_time"],
            end_time=fields.get("end_time"), location_id=fields.get("location"),
            type=fields.get("type", ""), notes=fields.get("notes", ""),
            actor=user, public=not is_staff(user),
        )


@blp.route("/appointments/<int:pk>/", strict_slashes=False)
class AppointmentItem(MethodView):
    @blp.response(200, AppointmentOut)
    @blp.documents(401, 404)
    def get(self, pk):
        """One appointment"""
        return own_or_404(caller(), pk)

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
        appointment = own_or_404(user, pk)
        if fields.get("client") not in (None, appointment.client_id):
            abort(400, message="The request has invalid fields.",
                  errors={"client": ["An appointment's client cannot change; book anew."]})
        if not is_staff(user) and fields.get("status") not in (
            None, AppointmentStatus.CANCELLED.value
        ):
            abort(403, message="Only the clinic sets that status.")
        return scheduling.update_appointment(db.session, pk, changes_from(fields), actor=user,
                                             public=not is_staff(user))

    @blp.response(204)
    @blp.documents(401, 404, 409)
    def delete(self, pk):
        """Cancel an appointment (it is kept; cancelling again changes nothing)"""
        user = caller()
        own_or_404(user, pk)
        scheduling.cancel_appointment(db.session, pk, actor=user, public=not is_staff(user))


