"""The clinic booking website: `create_app` builds the Flask app."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

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

    from . import api, auth, cli, errors, public

    app.register_blueprint(public.bp)
    auth.init_app(app)
    api.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

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
