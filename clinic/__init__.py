"""The clinic booking website: `create_app` builds the Flask app."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, abort, jsonify, request
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

from . import config as settings
from .extensions import babel, csrf, db, jwt, limiter, login_manager, migrate
from .kernel import dates
from .kernel.database import configure_engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MAX_ROW_ID = 2**31 - 1
"""The largest id the tables' INTEGER keys hold (PostgreSQL's bound; SQLite's is larger)."""


class RowId(IntegerConverter):
    """`<int:...>` in URLs: an id a database key can hold; a longer number matches no route
    (404) instead of overflowing the database driver."""

    def __init__(self, url_map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(url_map, *args, **kwargs)


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
    app.url_map.converters["int"] = RowId
    _refuse_large_bodies(app)
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if database.drivername == "sqlite" and database.database:
        _make_folder(Path(database.database).parent)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    jwt.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app)
    dates.init_app(app)
    with app.app_context():
        configure_engine(db.engine)

    from . import api, cli, notifications, web
    from .accounts import emails as account_emails
    from .http import caching, limits, security

    caching.init_app(app)

    web.init_app(app)
    api.init_app(app)
    _answer_errors(app)
    security.init_app(app)
    notifications.init_app(app)
    account_emails.init_app(app)
    limits.init_app(app)
    cli.init_app(app)
    _log_to_console(app)

    @app.get("/healthz")
    def healthz():
        """Alive and able to write to the database (503 when it cannot)."""
        try:
            writable = _database_writable()
        except (SQLAlchemyError, db.engine.dialect.loaded_dbapi.Error):
            app.logger.exception("health check: the database does not take writes")
            return jsonify(status="unavailable"), 503
        if not writable:
            app.logger.error("health check: the database is read-only")
            return jsonify(status="unavailable"), 503
        return jsonify(status="ok")

    return app


def _make_folder(folder: Path) -> None:
    """Make the SQLite file's folder; refuse (one line) one that cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise settings.ConfigError(
            f"DATABASE_URL names a file in {folder}, which cannot be a folder: {error.strerror}"
        ) from None


def _database_writable() -> bool:
    """Whether the database would take a write now. SQLite opens a read-only file without a
    word, so a write is tried (and rolled back) on a connection of its own; PostgreSQL says
    whether it is a standby or read-only."""
    if db.engine.dialect.name != "sqlite":
        return bool(
            db.session.scalar(
                text(
                    "SELECT NOT pg_is_in_recovery() "
                    "AND current_setting('transaction_read_only') = 'off'"
                )
            )
        )
    connection = db.engine.raw_connection()
    driver = connection.driver_connection
    try:
        driver.execute("BEGIN IMMEDIATE")
        driver.execute("CREATE TABLE health_probe (x)")
        return True
    finally:
        if driver.in_transaction:
            driver.execute("ROLLBACK")
        connection.close()


def _refuse_large_bodies(app: Flask) -> None:
    """A body declared larger than MAX_CONTENT_LENGTH answers 413 before anything reads it or
    asks who sent it (Werkzeug stops an undeclared one that runs over as it is read)."""

    @app.before_request
    def refuse_large_body() -> None:
        most = app.config.get("MAX_CONTENT_LENGTH")
        if most is not None and (request.content_length or 0) > most:
            abort(413)


def _answer_errors(app: Flask) -> None:
    """One app-level error handler: the API's JSON under /api/, a page elsewhere. Routing
    errors (404, 405, 413) reach no blueprint's handler, hence app-level; registered after
    flask-smorest's own (in api.init_app), so that this one wins."""
    from .api.errors import error_answer, in_api
    from .kernel.errors import Refusal
    from .web import error_page

    def answer(error: HTTPException | Refusal):
        """An HTTP error or a refusal of the booking rules, as the door it came through says."""
        if isinstance(error, InternalServerError) and error.original_exception is not None:
            app.logger.error("Unhandled error", exc_info=error.original_exception)
        return error_answer(error) if in_api() else error_page(error)

    app.register_error_handler(HTTPException, answer)
    app.register_error_handler(Refusal, answer)


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
