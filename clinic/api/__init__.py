"""The JSON API at /api/v1: flask-smorest resources behind flask-jwt-extended tokens, kept
compatible with the older Django service (same endpoints, same field names)."""

from __future__ import annotations

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, render_template
from flask_smorest import Api

from ..extensions import csrf
from . import appointments, auth, clients, locations, managers, work_schedules, workers
from .common import CheckedJSON, add_pagination_header
from .tokens import init_tokens

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
    app.json = CheckedJSON(app)
    api.init_app(
        app,
        spec_kwargs={
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
            "security": [{"bearerAuth": []}],
            "info": {
                "description": "Bookings for the clinic. Send `Authorization: Bearer "
                "<access token>` from POST /api/v1/login/."
            },
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for module in (auth, workers, locations, work_schedules, clients, appointments, managers):
        api.register_blueprint(module.blp, url_prefix="/api/v1")
        csrf.exempt(module.blp)
    app.register_blueprint(docs)
    app.after_request(add_pagination_header)
    init_tokens()


def schema_name(schema) -> str:
    """A schema's name in the spec; the partial one (PATCH bodies) gets its own."""
    if isinstance(schema, type):
        return schema.__name__
    return type(schema).__name__ + ("Partial" if schema.partial else "")
