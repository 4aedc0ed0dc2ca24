"""Alembic's environment: runs the migrations on the app's database.

On SQLite, a "batch" migration rebuilds a table (create a copy, drop the old one, rename). With
foreign keys on, dropping a referenced table would cascade to or fail on its children, so
foreign keys are off while migrating, `PRAGMA foreign_key_check` must come back empty before
the migration commits, and the whole run is one transaction (our engine begins transactions
itself, so SQLite's DDL is transactional). Rebuilding `appointments` drops its overlap triggers;
the run fails unless the migration made them again.
"""

import logging
from logging.config import fileConfig

import click
from alembic import context
from flask import current_app
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
log = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)

SQLITE_OVERLAP_TRIGGERS = frozenset(
    f"appointments_no_{resource}_overlap_{event}"
    for resource in ("specialist", "location", "client")
    for event in ("insert", "update")
)


READ_ONLY = ("readonly database", "unable to open database file", "read-only transaction")
"""What SQLite and PostgreSQL say of a database that cannot be written."""


class MigrationRefused(RuntimeError):
    """A migration would leave the database broken; it was rolled back."""


def said_in_one_line(run) -> None:
    """Run the migrations; a database that cannot be written stops them with one line."""
    try:
        run()
    except DBAPIError as error:
        if not any(words in str(error.orig) for words in READ_ONLY):
            raise
        url = db.engine.url.render_as_string(hide_password=True)
        raise click.ClickException(f"The database {url} cannot be written: {error.orig}") from None


def run_migrations_offline() -> None:
    """Print the SQL instead of running it."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations in one transaction; on SQLite, with the checks described above."""
    conf_args = current_app.extensions["migrate"].configure_args
    conf_args.setdefault("process_revision_directives", _skip_empty_autogenerate)
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _set_foreign_keys(connection, on=False)
        try:
            context.configure(
                connection=connection,
                target_metadata=db.metadata,
                **{**conf_args, "render_as_batch": sqlite, "transactional_ddl": True},
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_sqlite(connection)
        finally:
            if sqlite:
                _set_foreign_keys(connection, on=True)


def _set_foreign_keys(connection: Connection, on: bool) -> None:
    """Switch SQLite's foreign keys; only possible outside a transaction, so on the raw driver."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_sqlite(connection: Connection) -> None:
    """Refuse to commit broken references or an appointments table without its triggers."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise MigrationRefused(f"foreign keys broken by the migration: {broken[:10]}")
    tables = {
        row[0]
        for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    if "appointments" in tables:
        triggers = {
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'appointments'"
            )
        }
        missing = SQLITE_OVERLAP_TRIGGERS - triggers
        if missing:
            raise MigrationRefused(
                f"appointments lost its overlap triggers {sorted(missing)}: make them again "
                "in the migration that rebuilt the table"
            )


def _skip_empty_autogenerate(context, revision, directives) -> None:
    """`flask db migrate` with no schema change writes no empty revision."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


if context.is_offline_mode():
    run_migrations_offline()
else:
    said_in_one_line(run_migrations_online)
