"""Shifts ("work schedules" in the API): anyone reads them; admins change them."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import jwt_required

from .. import scheduling
from ..extensions import db
from ..http.caching import for_visitors
from ..models import Role, Shift
from .common import ApiBlueprint, caller, get_or_404
from .schemas import ShiftIn, ShiftOut

blp = ApiBlueprint("work_schedules", __name__, description="Weekly shifts")


@blp.route("/work_schedules/", strict_slashes=False)
class Shifts(MethodView):
    @for_visitors()
    @blp.public
    @jwt_required(optional=True)
    @blp.response(200, ShiftOut(many=True))
    @blp.documents(401)
    def get(self):
        """Every shift, by weekday and time"""
        caller()
        return scheduling.every_shift(db.session)

    @jwt_required()
    @blp.arguments(ShiftIn)
    @blp.response(201, ShiftOut)
    @blp.alt_response(200, schema=ShiftOut, description="A shift with these times existed")
    @blp.documents(400, 401, 403)
    def post(self, fields):
        """Add a shift, or get the one with these times (admins)"""
        user = caller(Role.ADMIN)
        shift, created = scheduling.create_shift(
            db.session, fields["weekday"], fields["from_hour"], fields["to_hour"], actor=user
        )
        return shift, 201 if created else 200


@blp.route("/work_schedules/<int:pk>/", strict_slashes=False)
class ShiftItem(MethodView):
    @for_visitors()
    @blp.public
    @jwt_required(optional=True)
    @blp.response(200, ShiftOut)
    @blp.documents(401, 404)
    def get(self, pk):
        """One shift"""
        caller()
        return get_or_404(Shift, pk, "shift")

    @jwt_required()
    @blp.arguments(ShiftIn)
    @blp.response(200, ShiftOut)
    @blp.documents(400, 401, 403, 404, 409)
    def put(self, fields, pk):
        """Change a shift's times (refused while upcoming appointments would fall outside)"""
        return self._save(fields, pk)

    @jwt_required()
    @blp.arguments(ShiftIn(partial=True))
    @blp.response(200, ShiftOut)
    @blp.documents(400, 401, 403, 404, 409)
    def patch(self, fields, pk):
        """Change some of a shift's times (as PUT)"""
        return self._save(fields, pk)

    def _save(self, fields, pk):
        user = caller(Role.ADMIN)
        shift = get_or_404(Shift, pk, "shift")
        current = ShiftOut().dump(shift)
        return scheduling.update_shift(
            db.session,
            pk,
            weekday=fields.get("weekday", current["weekday"]),
            start_time=fields.get("from_hour", current["from_hour"]),
            end_time=fields.get("to_hour", current["to_hour"]),
            actor=user,
        )

    @jwt_required()
    @blp.response(204)
    @blp.documents(401, 403, 404, 409)
    def delete(self, pk):
        """Delete a shift no specialist or location works (admins)"""
        user = caller(Role.ADMIN)
        get_or_404(Shift, pk, "shift")
        scheduling.remove_shift(db.session, pk, actor=user)
