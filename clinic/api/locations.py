"""Locations (rooms): anyone reads the active ones; admins create, change and remove them."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import jwt_required

from .. import scheduling, setup
from ..extensions import db
from ..http.caching import for_visitors
from ..models import Location, Role
from .common import ApiBlueprint, caller, get_or_404
from .schemas import LocationIn, LocationOut

blp = ApiBlueprint("locations", __name__, description="Rooms where appointments happen")


@blp.route("/locations/", strict_slashes=False)
class Locations(MethodView):
    @for_visitors()
    @blp.public
    @jwt_required(optional=True)
    @blp.response(200, LocationOut(many=True))
    @blp.documents(401)
    def get(self):
        """The locations and the shifts they are open"""
        policy = scheduling.policy_for(caller())
        return db.session.scalars(scheduling.seen_locations(policy, Location.id, shifts=True)).all()

    @jwt_required()
    @blp.arguments(LocationIn)
    @blp.response(201, LocationOut)
    @blp.documents(400, 401, 403, 409)
    def post(self, fields):
        """Add a location (admins)"""
        return setup.save_location(db.session, None, fields, actor=caller(Role.ADMIN))


@blp.route("/locations/<int:pk>/", strict_slashes=False)
class LocationItem(MethodView):
    @for_visitors()
    @blp.public
    @jwt_required(optional=True)
    @blp.response(200, LocationOut)
    @blp.documents(401, 404)
    def get(self, pk):
        """One location"""
        policy = scheduling.policy_for(caller())
        return scheduling.seen_location(db.session, policy, pk)

    @jwt_required()
    @blp.arguments(LocationIn)
    @blp.response(200, LocationOut)
    @blp.documents(400, 401, 403, 404, 409)
    def put(self, fields, pk):
        """Replace a location's details and shifts (admins)"""
        return self._save(fields, pk)

    @jwt_required()
    @blp.arguments(LocationIn(partial=True))
    @blp.response(200, LocationOut)
    @blp.documents(400, 401, 403, 404, 409)
    def patch(self, fields, pk):
        """Change some of a location's details or its shifts (admins)"""
        return self._save(fields, pk)

    def _save(self, fields, pk):
        user = caller(Role.ADMIN)
        location = get_or_404(Location, pk, "location")
        return setup.save_location(db.session, location, fields, actor=user)

    @jwt_required()
    @blp.response(204)
    @blp.alt_response(200, schema=LocationOut, description="Deactivated: something refers to it")
    @blp.documents(401, 403, 404, 409)
    def delete(self, pk):
        """Remove a location (admins): deleted, or deactivated when something refers to it;
        refused (409, listing them) while appointments there are still to come"""
        user = caller(Role.ADMIN)
        get_or_404(Location, pk, "location")
        if setup.remove_location(db.session, pk, actor=user) is setup.Removal.DELETED:
            return None
        return LocationOut().dump(db.session.get(Location, pk)), 200
