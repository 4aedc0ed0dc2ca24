"""Clients (patients): staff read, create and change them, admins delete them; a client sees
and changes only their own record (anyone else's answers 404)."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from sqlalchemy.orm import selectinload

from .. import scheduling, setup
from ..extensions import db
from ..models import Client, Role
from .common import STAFF, ApiBlueprint, caller, listing, own_or_404
from .schemas import ClientIn, ClientOut, PageQuery

blp = ApiBlueprint("clients", __name__, description="Clients (patients)")


@blp.route("/clients/", strict_slashes=False)
class Clients(MethodView):
    @jwt_required()
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, ClientOut(many=True))
    @blp.documents(400, 401)
    def get(self, query):
        """The clients (staff), or your own record (a client)"""
        statement = scheduling.clients_query(caller()).options(selectinload(Client.user))
        return listing(statement, query)

    @jwt_required()
    @blp.arguments(ClientIn)
    @blp.response(201, ClientOut)
    @blp.documents(400, 401, 403)
    def post(self, fields):
        """Add a client (staff)"""
        return setup.save_client(db.session, None, fields, actor=caller(*STAFF))


@blp.route("/clients/<int:pk>/", strict_slashes=False)
class ClientItem(MethodView):
    @jwt_required()
    @blp.response(200, ClientOut)
    @blp.documents(401, 404)
    def get(self, pk):
        """One client"""
        return own_or_404(caller(), Client, pk)

    @jwt_required()
    @blp.arguments(ClientIn)
    @blp.response(200, ClientOut)
    @blp.documents(400, 401, 404)
    def put(self, fields, pk):
        """Replace a client's details"""
        user = caller()
        return setup.save_client(db.session, own_or_404(user, Client, pk), fields, actor=user)

    @jwt_required()
    @blp.arguments(ClientIn(partial=True))
    @blp.response(200, ClientOut)
    @blp.documents(400, 401, 404)
    def patch(self, fields, pk):
        """Change some of a client's details"""
        user = caller()
        return setup.save_client(db.session, own_or_404(user, Client, pk), fields, actor=user)

    @jwt_required()
    @blp.response(204)
    @blp.documents(401, 403, 404, 409)
    def delete(self, pk):
        """Delete a client with no appointments (admins)"""
        user = caller(Role.ADMIN)
        own_or_404(user, Client, pk)
        setup.remove_client(db.session, pk, actor=user)
