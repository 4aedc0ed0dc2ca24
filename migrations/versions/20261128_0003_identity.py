"""Identities that are never reused, sign-ins kept on the server, and usernames compared as
people read them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

- SQLite reuses the highest freed rowid, so a deleted account's tokens and cookies came back as
  the next new one: every table is rebuilt with AUTOINCREMENT (rows kept; the appointments
  overlap triggers made again). PostgreSQL sequences never reuse ids already.
- `users.auth_version`: tokens and sign-ins carry it; changing the password, signing out
  everywhere and switching the account off bump it, so every older session and token ends.
- `users.username_key`: the username NFKC-normalised and case-folded, unique, so that `ADMIN` or
  a fullwidth `admin` cannot stand beside `admin`.
- `token_blocklist.user_id` refers to no user any more: a revocation outlives its user.
- `sign_ins`: one row per browser sign-in, removed at sign-out; the session cookie and the
  remember-me cookie name the row (by a hash of its token), not the user.
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = (
    "shifts",
    "locations",
    "users",
    "specialists",
    "clients",
    "time_off",
    "audit_entries",
    "appointments",
    "token_blocklist",
)
OVERLAP_RESOURCES = ("specialist", "location", "client")
LIVE = "status <> 'cancelled'"
OVERLAP_COLUMNS = " OF specialist_id, location_id, client_id, starts_at, ends_at, status"


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("auth_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("username_key", sa.String(length=150), nullable=True))
    users = sa.table("users", sa.column("id"), sa.column("username"), sa.column("username_key"))
    bind = op.get_bind()
    keys: dict[str, list[str]] = {}
    rows = bind.execute(sa.select(users.c.id, users.c.username).order_by(users.c.id)).all()
    for user_id, username in rows:
        key = unicodedata.normalize("NFKC", username).casefold()
        keys.setdefault(key, []).append(username)
        bind.execute(users.update().where(users.c.id == user_id).values(username_key=key))
    clashes = [names for names in keys.values() if len(names) > 1]
    if clashes:
        raise SystemExit(
            "Usernames that read alike must become distinct before this migration: "
            + "; ".join(" / ".join(names) for names in clashes)
            + " (rename all but one with `flask shell`, then run `flask db upgrade` again)"
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("username_key", existing_type=sa.String(length=150), nullable=False)
        batch_op.create_unique_constraint("uq_users_username_key", ["username_key"])
    with op.batch_alter_table("token_blocklist") as batch_op:
        batch_op.drop_constraint("fk_token_blocklist_user_id_users", type_="foreignkey")
    op.create_table(
        "sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("auth_version", sa.Integer(), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sign_ins_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_ins")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_ins_token_hash")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_sign_ins_user_id"), "sign_ins", ["user_id"], unique=False)
    if sqlite:
        for table in TABLES:
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
            ):
                pass
        for resource in OVERLAP_RESOURCES:
            for event, columns, other_rows in (
                ("insert", "", ""),
                ("update", OVERLAP_COLUMNS, "AND id <> NEW.id"),
            ):
                op.execute(sqlite_overlap_trigger(resource, event, columns, other_rows))


def sqlite_overlap_trigger(resource: str, event: str, columns: str, other_rows: str) -> str:
    """The overlap trigger of 0001 (the rebuilt appointments table lost its triggers)."""
    return f"""
CREATE TRIGGER appointments_no_{resource}_overlap_{event}
BEFORE {event.upper()}{columns} ON appointments
WHEN NEW.{LIVE}
BEGIN
    SELECT RAISE(ABORT, 'appointments overlap: the {resource} has another appointment then')
    WHERE EXISTS (
        SELECT 1 FROM appointments
        WHERE {resource}_id = NEW.{resource}_id AND {LIVE} {other_rows}
          AND julianday(starts_at) < julianday(NEW.ends_at)
          AND julianday(NEW.starts_at) < julianday(ends_at)
    );
END
"""


def downgrade():
    op.drop_index(op.f("ix_sign_ins_user_id"), table_name="sign_ins")
    op.drop_table("sign_ins")
    with op.batch_alter_table("token_blocklist") as batch_op:
        batch_op.create_foreign_key(
            "fk_token_blocklist_user_id_users", "users", ["user_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint("uq_users_username_key", type_="unique")
        batch_op.drop_column("username_key")
        batch_op.drop_column("auth_version")
