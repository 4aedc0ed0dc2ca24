"""Front-desk accounts ("managers"): admins only."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import jwt_required
from flask_smorest import abort
from sqlalchemy import select

from .. import setup
from ..extensions import db
from ..models import Role, User
from .common import ApiBlueprint, caller, listing
from .schemas import ManagerIn, ManagerOut, ManagerPatch, PageQuery

blp = ApiBlueprint("managers", __name__, description="Front-desk accounts (admins only)")


def manager_or_404(pk: int) -> User:
    user = db.session.get(User, pk)
    if user is None or user.role is not Role.MANAGER:
        abort(404, message=f"There is no manager {pk}.")
    return user


@blp.route("/managers/", strict_slashes=False)
class Managers(MethodView):
    @jwt_required()
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, ManagerOut(many=True))
    @blp.documents(400, 401, 403)
    def get(self, query):
        """The front-desk accounts"""
        caller(Role.ADMIN)
        return listing(select(User).where(User.role == Role.MANAGER).order_by(User.id), query)

    @jwt_required()
    @blp.arguments(ManagerIn)
    @blp.response(201, ManagerOut)
    @blp.documents(400, 401, 403)
    def post(self, fields):
        """Add a front-desk account (the password twice)"""
        return setup.create_user(db.session, role=Role.MANAGER, actor=caller(Role.ADMIN), **fields)


@blp.route("/managers/<int:pk>/", strict_slashes=False)
class Manager(MethodView):
    @jwt_required()
    @blp.response(200, ManagerOut)
    @blp.documents(401, 403, 404)
    def get(self, pk):
        """One front-desk account"""
        caller(Role.ADMIN)
        return manager_or_404(pk)

    @jwt_required()
    @blp.arguments(ManagerPatch)
    @blp.response(200, ManagerOut)
    @blp.documents(400, 401, 403, 404)
    def put(self, fields, pk):
        """Change a front-desk account"""
        return self._save(fields, pk)

    @jwt_required()
    @blp.arguments(ManagerPatch)
    @blp.response(200, ManagerOut)
    @blp.documents(400, 401, 403, 404)
    def patch(self, fields, pk):
        """Change some of a front-desk account"""
        return self._save(fields, pk)

    def _save(self, fields, pk):
        user = caller(Role.ADMIN)
        return setup.update_staff_user(db.session, manager_or_404(pk), fields, actor=user)

    @jwt_required()
    @blp.response(204)
    @blp.alt_response(200, schema=ManagerOut, description="Deactivated: their work refers to them")
    @blp.documents(401, 403, 404, 409)
    def delete(self, pk):
        """Remove a front-desk account: deleted, or deactivated when their work refers to it"""
        user = caller(Role.ADMIN)
        manager = manager_or_404(pk)
        if setup.remove_staff_user(db.session, pk, actor=user) is setup.Removal.DELETED:
            return None
        return ManagerOut().dump(manager), 200
