"""The clinic booking website: `create_app` builds the Flask app."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from . import config as settings
from .database import configure_engine
from .extensions import csrf, db, jwt, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with `config` taking precedence (tests use it)."""
    instance_path = Path(os.environ.get("INSTANCE_PATH") or PROJECT_ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(settings.from_environ(os.environ, instance_path))
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.instance_secret(instance_path)
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if database.drivername == "sqlite" and database.database:
        Path(database.database).parent.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    jwt.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        configure_engine(db.engine)

    from . import api, cli, notifications, security, web

    web.init_app(app)
    api.init_app(app)
    _answer_errors(app)
    security.init_app(app)
    notifications.init_app(app)
    cli.init_app(app)
    _log_to_console(app)

    @app.get("/healthz")
    def healthz():
        """Alive and able to query the database (503 when it cannot)."""
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            app.logger.exception("health check: the database does not answer")
            return jsonify(status="unavailable"), 503
        return jsonify(status="ok")

    return app


def _answer_errors(app: Flask) -> None:
    """One app-level error handler: the API's JSON under /api/, a page elsewhere. Routing
    errors (404, 405, 413) reach no blueprint's handler, hence app-level; registered after
    flask-smorest's own (in api.init_app), so that this one wins."""
    from .api.errors import error_answer, in_api
    from .scheduling import SchedulingError
    from .web import error_page

    def answer(error: HTTPException | SchedulingError):
        """An HTTP error or a refusal of the booking rules, as the door it came through says."""
        if isinstance(error, InternalServerError) and error.original_exception is not None:
            app.logger.error("Unhandled error", exc_info=error.original_exception)
        return error_answer(error) if in_api() else error_page(error)

    app.register_error_handler(HTTPException, answer)
    app.register_error_handler(SchedulingError, answer)


def _log_to_console(app: Flask) -> None:
    """Show the clinic's own INFO messages (such as emails under the console backend) on
    stderr, unless logging is configured already or this is a test run."""
    log = logging.getLogger("clinic")
    if app.testing or log.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
