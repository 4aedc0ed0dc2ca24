"""The clinic's `flask` commands: demo, create-user, backup."""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from . import audit
from .demo import DEMO_USERS, load_demo
from .extensions import db
from .models import Client, Role, User

USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
MIN_PASSWORD_LENGTH = 8


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(backup_command)


@click.command("demo")
def demo_command() -> None:
    """Load the demo clinic into an empty database (a database with users is left alone)."""
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has users: the demo clinic was not loaded.")
        return
    summary = load_demo(db.session)
    click.echo(
        "Loaded the demo clinic: "
        + ", ".join(f"{count} {name}" for name, count in summary.items())
        + "."
    )
    click.secho("Demo users, for demonstrations only - never on a real clinic:", fg="yellow")
    for username, password, role in DEMO_USERS:
        click.secho(f"  {username} / {password}  ({role})", fg="yellow")


@click.command("create-user")
@click.argument("username")
@click.option(
    "--role", required=True, type=click.Choice([role.value for role in Role]), help="What they do."
)
@click.option("--email", default="", help="Their email address.")
@click.option("--first-name", default="", help="Their first name.")
@click.option("--last-name", default="", help="Their last name.")
@click.password_option(help="Asked for when not given.")
def create_user_command(
    username: str, role: str, email: str, first_name: str, last_name: str, password: str
) -> None:
    """Create a user who can sign in at once; a client also gets a client record."""
    username = username.strip()
    email = email.strip().lower() or None
    if not USERNAME.match(username):
        raise click.BadParameter(
            "use 1-150 letters, digits and . @ + - _", param_hint="USERNAME"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"use at least {MIN_PASSWORD_LENGTH} characters", param_hint="password"
        )
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise click.ClickException(f"There is already a user {username!r}.")
    if email and db.session.scalar(select(User.id).where(User.email == email)):
        raise click.ClickException(f"There is already a user with the email {email}.")
    user = User(
        username=username,
        email=email,
        password_hash=generate_password_hash(password),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=Role(role),
        email_verified_at=datetime.now(UTC),
    )
    db.session.add(user)
    audit.record(db.session, None, "create", user)
    if user.role is Role.CLIENT:
        client = Client(
            first_name=user.first_name, last_name=user.last_name, email=email, user=user
        )
        db.session.add(client)
        audit.record(db.session, None, "create", client)
    db.session.commit()
    click.echo(f"Created the {role} {username!r}.")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_command(file: Path) -> None:
    """Write a consistent copy of the SQLite database to FILE, safely while the site runs."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            "The database is PostgreSQL: back it up with pg_dump "
            "(e.g. pg_dump --format=custom --file=clinic.dump DATABASE)."
        )
    source = Path(engine.url.database or "").resolve()
    target = file.resolve()
    if target == source:
        raise click.ClickException("FILE is the database itself; name another file.")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    with engine.connect() as connection:
        copy = sqlite3.connect(partial)
        try:
            connection.connection.driver_connection.backup(copy)
        finally:
            copy.close()
    os.replace(partial, target)
    click.echo(f"Backed up {source} to {target}.")
