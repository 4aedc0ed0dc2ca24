"""Do the migrations build the schema from empty, match the models, and migrate SQLite safely?"""

from __future__ import annotations

import shutil
import sqlite3
import textwrap
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError

from clinic import PROJECT_ROOT, config, create_app
from clinic.demo import load_demo
from clinic.extensions import db
from clinic.kernel.database import writing


@pytest.fixture
def empty_app(databases):
    """The app on an empty database: no tables at all."""
    app = create_app(config.testing(databases.empty()))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def table_names() -> set[str]:
    """The tables in the app's database now."""
    return set(inspect(db.engine).get_table_names())


def test_the_migrations_build_the_models_schema_from_empty(empty_app):
    """Does upgrade make every model's table, and downgrade and upgrade again work?"""
    assert table_names() == set()
    flask_migrate.upgrade()
    assert table_names() == set(db.metadata.tables) | {"alembic_version"}
    flask_migrate.downgrade(revision="base")
    assert table_names() == {"alembic_version"}
    flask_migrate.upgrade()
    assert table_names() == set(db.metadata.tables) | {"alembic_version"}


def test_flask_db_check_finds_the_models_and_migrations_in_step(app):
    """Is `flask db check` clean on a migrated database?"""
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_flask_db_check_notices_drift(app):
    """Would `flask db check` notice a schema that differs from the models (so it can fail)?"""
    db.session.execute(text("DROP INDEX ix_appointments_starts_at"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code != 0


@pytest.mark.sqlite
def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(app):
    """Does every SQLite connection of the app get WAL, a 30 s busy wait and foreign keys?"""
    with db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == 30_000
        assert pragma("foreign_keys") == 1


@pytest.mark.sqlite
def test_a_write_transaction_holds_the_lock_while_reads_go_on(app, database_url):
    """Does a unit of work take SQLite's write lock at once, leaving readers free?"""
    other = sqlite3.connect(make_path(database_url), timeout=0, isolation_level=None)
    try:
        with writing(db.session):
            assert other.execute("SELECT count(*) FROM specialists").fetchone() == (0,)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


@pytest.mark.sqlite
def test_a_plain_transaction_does_not_take_the_write_lock(app, database_url):
    """Do ordinary reads begin with a plain BEGIN, so that another process can still write?"""
    db.session.execute(text("SELECT count(*) FROM specialists"))
    assert db.session().in_transaction(), "the read runs in a transaction of its own"
    other = sqlite3.connect(make_path(database_url), timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # "database is locked" at once if the read held it
        assert other.in_transaction, "another connection took the write lock during the read"
        other.execute("ROLLBACK")
    finally:
        other.close()
        db.session.rollback()


def make_path(url: str) -> str:
    """The file of a SQLite URL."""
    return url.removeprefix("sqlite:///")


def add_migration(tmp_path: Path, body: str) -> str:
    """A copy of our migrations with one more revision after the head; return its folder."""
    folder = tmp_path / "migrations"
    shutil.copytree(PROJECT_ROOT / "migrations", folder)
    head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    db.session.rollback()
    (folder / "versions" / "9999_later.py").write_text(
        textwrap.dedent(
            f'''
            import sqlalchemy as sa
            from alembic import op

            revision = "9999"
            down_revision = "{head}"

            def upgrade():
            '''
        )
        + textwrap.indent(textwrap.dedent(body), "    ")
    )
    return str(folder)


def row_counts() -> dict[str, int]:
    """How many rows each table holds."""
    counts = {
        table: db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        for table in sorted(db.metadata.tables)
    }
    db.session.rollback()
    return counts


@pytest.fixture
def demo_app(app):
    """The app with the demo clinic loaded."""
    load_demo(db.session)
    return app


@pytest.mark.sqlite
def test_a_batch_migration_of_referenced_tables_keeps_every_row(demo_app, tmp_path):
    """Does rebuilding tables that others refer to keep every row, with no cascade?"""
    before = row_counts()
    assert before["appointments"] > 0 and before["specialist_shifts"] > 0
    directory = add_migration(
        tmp_path,
        """
        for table in ("users", "locations", "shifts", "specialists", "clients"):
            with op.batch_alter_table(table, recreate="always") as batch:
                batch.add_column(sa.Column("later", sa.Integer(), nullable=True))
    """,
    )
    flask_migrate.upgrade(directory=directory)
    assert row_counts() == before
    assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.sqlite
def test_a_migration_that_breaks_foreign_keys_is_rolled_back(demo_app, tmp_path):
    """Is a migration leaving rows that refer to nothing refused, with nothing changed?"""
    before = row_counts()
    head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    directory = add_migration(
        tmp_path,
        """
        op.execute("DELETE FROM locations")
    """,
    )
    with pytest.raises(SystemExit):
        flask_migrate.upgrade(directory=directory)
    assert row_counts() == before
    assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


@pytest.mark.sqlite
def test_rebuilding_appointments_without_its_triggers_is_rolled_back(demo_app, tmp_path):
    """Is a batch migration of appointments that loses the overlap triggers refused?"""
    directory = add_migration(
        tmp_path,
        """
        with op.batch_alter_table("appointments", recreate="always") as batch:
            batch.add_column(sa.Column("later", sa.Integer(), nullable=True))
    """,
    )
    with pytest.raises(SystemExit):
        flask_migrate.upgrade(directory=directory)
    triggers = db.session.execute(
        text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
    ).scalar()
    assert triggers == 6
    with pytest.raises(OperationalError, match="no such column"):
        db.session.execute(text("SELECT later FROM appointments"))


def test_usernames_that_read_alike_stop_the_identity_migration_in_one_line(empty_app):
    """Do `admin` and `ADMIN` (allowed before 0003) stop it, naming them, changing nothing?"""
    flask_migrate.upgrade(revision="0002")
    for name in ("admin", "ADMIN"):
        db.session.execute(
            text(
                "INSERT INTO users (username, password_hash, first_name, last_name, role, "
                "active, created_at) VALUES (:name, '!', '', '', 'admin', true, "
                "CURRENT_TIMESTAMP)"
            ),
            {"name": name},
        )
    db.session.commit()
    with pytest.raises(SystemExit, match="admin / ADMIN"):
        flask_migrate.upgrade()
    db.session.rollback()
    assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0002"
