"""The JSON API at /api/v1: flask-smorest resources behind flask-jwt-extended tokens, kept
compatible with the older Django service (same endpoints, same field names)."""

from __future__ import annotations

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, render_template
from flask_smorest import Api
from sqlalchemy import select

from ..extensions import csrf, db, jwt
from ..models import RevokedToken, User
from .common import add_pagination_header

api = Api()
docs = Blueprint("api_docs", __name__)


@docs.get("/api/v1/docs/")
def api_docs():
    """Interactive documentation (Swagger UI, served by the app)."""
    return render_template("api/docs.html")


def init_app(app: Flask) -> None:
    """Configure and register the API, its token handling and its docs page."""
    app.config.update(
        API_TITLE="Clinic booking API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JWT_TOKEN_LOCATION=["headers"],
    )
    api.init_app(app, spec_kwargs={
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
        "security": [{"bearerAuth": []}],
        "info": {"description": "Bookings for the clinic. Send `Authorization: Bearer "
                                "<access token>` from POST /api/v1/login/."},
    })
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    from . import appointments, auth, clients, locations, managers, work_schedules, workers

    for module in (auth, workers, locations, work_schedules, clients, appointments, managers):
        api.register_blueprint(module.blp, url_prefix="/api/v1")
        csrf.exempt(module.blp)
    app.register_blueprint(docs)
    app.after_request(add_pagination_header)
    _token_handling()


def schema_name(schema) -> str:
    """A schema's name in the spec; the partial one (PATCH bodies) gets its own."""
    if isinstance(schema, type):
        return schema.__name__
    return type(schema).__name__ + ("Partial" if schema.partial else "")


def _token_handling() -> None:
    """Tokens name a user by id; the user is re-read on every request, and every fault of a
    token is a 401 in the API's error shape (flask-jwt-extended would say 422 for some)."""
    from ..errors import json_error

    @jwt.user_identity_loader
    def identity(user: User) -> str:
        return str(user.id)

    @jwt.user_lookup_loader
    def load_user(_header: dict, payload: dict) -> User | None:
        subject = payload.get("sub", "")
        user = db.session.get(User, int(subject)) if str(subject).isdigit() else None
        return user if user is not None and user.active else None

    @jwt.token_in_blocklist_loader
    def revoked(_header: dict, payload: dict) -> bool:
        return is_revoked(payload["jti"])

    def unauthorized(message: str):
        return json_error(401, message, headers={"WWW-Authenticate": "Bearer"})

    jwt.unauthorized_loader(lambda reason: unauthorized("Sign in first: " + reason + "."))
    jwt.invalid_token_loader(lambda reason: unauthorized("The token is not valid: " + reason))
    jwt.expired_token_loader(lambda _h, _p: unauthorized("The token has expired."))
    jwt.revoked_token_loader(lambda _h, _p: unauthorized("The token has been revoked."))
    jwt.user_lookup_error_loader(
        lambda _h, _p: unauthorized("The account is gone or switched off.")
    )
    jwt.needs_fresh_token_loader(lambda _h, _p: unauthorized("A fresh token is needed."))
    jwt.token_verification_failed_loader(lambda _h, _p: unauthorized("The token is refused."))


def is_revoked(jti: str) -> bool:
    """Whether a token was revoked (logged out)."""
    return db.session.scalar(select(RevokedToken.id).where(RevokedToken.jti == jti)) is not None
