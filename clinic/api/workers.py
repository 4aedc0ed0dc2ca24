"""Specialists ("workers" in the API): anyone reads the active ones and their free slots;
admins create, change and remove them."""

from __future__ import annotations

from datetime import timedelta

from flask import jsonify
from flask.views import MethodView
from flask_jwt_extended import jwt_required

from .. import scheduling, setup
from ..extensions import db
from ..http.caching import for_visitors
from ..kernel.clock import clinic_now
from ..models import Role, Specialist
from ..scheduling import policy_for
from .common import ApiBlueprint, caller, get_or_404
from .schemas import SlotsQuery, WorkerIn, WorkerOut, WorkerQuery

blp = ApiBlueprint("workers", __name__, description="Specialists and their free slots")
DEFAULT_SLOT_DAYS = 7


def with_slots(specialists: list[Specialist], day, user) -> list[Specialist]:
    """Give each specialist `available_slots` for the day: what the public may book, or for
    staff every free time."""
    slots = scheduling.free_slots_by_specialist(
        db.session, day, specialists, policy=policy_for(user)
    )
    for specialist in specialists:
        specialist.available_slots = [f"{slot:%H:%M}" for slot in slots.get(specialist.id, [])]
    return specialists


@blp.route("/workers/", strict_slashes=False)
class Workers(MethodView):
    @for_visitors("date")
    @blp.public
    @jwt_required(optional=True)
    @blp.arguments(WorkerQuery, location="query")
    @blp.response(200, WorkerOut(many=True))
    @blp.documents(400, 401)
    def get(self, query):
        """The specialists, with their free slots on ?date= (today by default)"""
        user = caller()
        specialists = list(db.session.scalars(scheduling.seen_specialists(policy_for(user))))
        return with_slots(specialists, query.get("date") or clinic_now().date(), user)

    @jwt_required()
    @blp.arguments(WorkerIn)
    @blp.response(201, WorkerOut)
    @blp.documents(400, 401, 403, 409)
    def post(self, fields):
        """Add a specialist (admins)"""
        user = caller(Role.ADMIN)
        specialist = setup.save_specialist(db.session, None, fields, actor=user)
        return with_slots([specialist], clinic_now().date(), user)[0]


@blp.route("/workers/<int:pk>/", strict_slashes=False)
class Worker(MethodView):
    @for_visitors("date")
    @blp.public
    @jwt_required(optional=True)
    @blp.arguments(WorkerQuery, location="query")
    @blp.response(200, WorkerOut)
    @blp.documents(400, 401, 404)
    def get(self, query, pk):
        """One specialist, with their free slots on ?date="""
        user = caller()
        specialist = scheduling.seen_specialist(db.session, policy_for(user), pk)
        return with_slots([specialist], query.get("date") or clinic_now().date(), user)[0]

    @jwt_required()
    @blp.arguments(WorkerIn)
    @blp.response(200, WorkerOut)
    @blp.documents(400, 401, 403, 404, 409)
    def put(self, fields, pk):
        """Replace a specialist's details and shifts (admins)"""
        return self._save(fields, pk)

    @jwt_required()
    @blp.arguments(WorkerIn(partial=True))
    @blp.response(200, WorkerOut)
    @blp.documents(400, 401, 403, 404, 409)
    def patch(self, fields, pk):
        """Change some of a specialist's details or their shifts (admins)"""
        return self._save(fields, pk)

    def _save(self, fields, pk):
        user = caller(Role.ADMIN)
        specialist = get_or_404(Specialist, pk, "specialist")
        setup.save_specialist(db.session, specialist, fields, actor=user)
        return with_slots([specialist], clinic_now().date(), user)[0]

    @jwt_required()
    @blp.response(204)
    @blp.alt_response(200, schema=WorkerOut, description="Deactivated: appointments refer to it")
    @blp.documents(401, 403, 404, 409)
    def delete(self, pk):
        """Remove a specialist (admins): deleted, or deactivated when appointments refer to
        them; refused (409, listing them) while appointments are still to come"""
        user = caller(Role.ADMIN)
        get_or_404(Specialist, pk, "specialist")
        if setup.remove_specialist(db.session, pk, actor=user) is setup.Removal.DELETED:
            return None
        specialist = db.session.get(Specialist, pk)
        return WorkerOut().dump(with_slots([specialist], clinic_now().date(), user)[0]), 200


@blp.route("/workers/<int:pk>/slots/", strict_slashes=False)
class WorkerSlots(MethodView):
    @for_visitors("from", "to")
    @blp.public
    @jwt_required(optional=True)
    @blp.arguments(SlotsQuery, location="query")
    @blp.response(
        200,
        {
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "items": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
            },
        },
    )
    @blp.documents(400, 401, 404)
    def get(self, query, pk):
        """Free start times (HH:MM) per day from ?from= to ?to= (at most 62 days)"""
        user = caller()
        scheduling.seen_specialist(db.session, policy_for(user), pk)
        first = query.get("first") or clinic_now().date()
        last = query.get("last") or first + timedelta(days=DEFAULT_SLOT_DAYS - 1)
        days = scheduling.free_slots_range(db.session, pk, first, last, policy=policy_for(user))
        return jsonify(
            {day.isoformat(): [f"{slot:%H:%M}" for slot in slots] for day, slots in days.items()}
        )
