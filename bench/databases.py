"""Throwaway databases for `make bench`, built with the migrations.

On SQLite each part of the bench gets a file in a temporary folder, deleted afterwards. With
BENCH_DATABASE_URL (a PostgreSQL database the bench may write to) each part gets a schema of
its own in that database, `bench_in_process` or `bench_http`, dropped and made anew at the
start of the part and dropped at its end: nothing else in the database is read or touched, so
a run can follow a failed one without cleaning up by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from clinic import PROJECT_ROOT, config

ENVIRONMENT_VARIABLE = "BENCH_DATABASE_URL"


def postgresql_url() -> str | None:
    """The PostgreSQL database to measure on, if BENCH_DATABASE_URL names one."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if not value:
        return None
    url = config.database_uri(value)
    if not url.startswith("postgresql"):
        raise SystemExit(f"{ENVIRONMENT_VARIABLE} must name a PostgreSQL database, not {value!r}")
    return url


def kind(url: str) -> str:
    """ "SQLite" or "PostgreSQL", for the tables' titles."""
    return "SQLite" if url.startswith("sqlite") else "PostgreSQL"


@contextmanager
def throwaway(folder: Path, part: str) -> Iterator[str]:
    """A database URL for one part of the bench (`part`: "in_process" or "http"), empty."""
    server = postgresql_url()
    if server is None:
        yield f"sqlite:///{folder / f'{part}.sqlite3'}"
        return
    schema = f"bench_{part}"
    engine = create_engine(server)
    try:
        _recreate(engine, schema, make=True)
        url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        _recreate(engine, schema, make=False)
        engine.dispose()


def _recreate(engine, schema: str, make: bool) -> None:
    """Drop the bench's own schema (and, `make`, create it empty)."""
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if make:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))


def upgrade(environ: Mapping[str, str]) -> None:
    """Build the schema with the migrations, as an operator would (`flask db upgrade`)."""
    _flask(environ, "db", "upgrade")


def create_user(environ: Mapping[str, str], username: str, role: str, password: str) -> None:
    """Add a user with the command line (`flask create-user`), before anything is served."""
    _flask(environ, "create-user", username, "--role", role, "--password", password)


def _flask(environ: Mapping[str, str], *arguments: str) -> None:
    """Run a `flask` command of the clinic; its output is shown only if it fails."""
    finished = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "clinic", *arguments],
        env=dict(environ),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    if finished.returncode:
        sys.stderr.write(finished.stdout + finished.stderr)
        raise SystemExit(f"flask {' '.join(arguments[:2])} failed (exit {finished.returncode})")
