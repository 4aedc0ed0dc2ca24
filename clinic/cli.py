"""The clinic's `flask` commands: demo, create-user, backup, and for cron send-reminders,
expire-unverified and purge-expired."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import func, select

from .accounts import expire_unverified
from .accounts.sign_ins import purge_expired
from .demo import DEMO_USERS, load_demo
from .extensions import db
from .kernel.errors import Invalid
from .models import Role, User
from .notifications import send_reminders
from .setup import create_user


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(expire_unverified_command)
    app.cli.add_command(purge_expired_command)


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
    try:
        create_user(
            db.session,
            username=username,
            role=role,
            password=password,
            email=email,
            first_name=first_name,
            last_name=last_name,
        )
    except Invalid as error:
        raise click.ClickException(
            " ".join(f"{field}: {message}" for field, message in error.errors.items())
        ) from None
    click.echo(f"Created the {role} {username.strip()!r}.")


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


@click.command("send-reminders")
def send_reminders_command() -> None:
    """Email clients about their appointments of tomorrow, once each; safe to run hourly."""
    sent = send_reminders()
    click.echo(f"Sent {sent} reminder{'' if sent == 1 else 's'}.")


@click.command("expire-unverified")
def expire_unverified_command() -> None:
    """Delete client accounts never verified within 7 days that own no appointments (cron)."""
    gone = expire_unverified(db.session)
    click.echo(f"Deleted {gone} unverified account{'' if gone == 1 else 's'}.")


@click.command("purge-expired")
def purge_expired_command() -> None:
    """Delete sign-ins and token revocations that can no longer open anything (cron, daily)."""
    purged = purge_expired(db.session)
    click.echo(
        f"Deleted {purged.sign_ins} ended sign-in{'' if purged.sign_ins == 1 else 's'} and "
        f"{purged.revocations} expired token revocation{'' if purged.revocations == 1 else 's'}."
    )
