"""The initial schema, with the invariants the database keeps itself.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

Beyond the tables: on PostgreSQL, exclusion constraints refuse overlapping live appointments of
one specialist, location or client; on SQLite, triggers do the same. Alembic cannot
autogenerate or compare either, so they are written here by hand and kept out of the models.
The one clinic_settings row is made here too.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

OVERLAP_RESOURCES = ("specialist", "location", "client")
LIVE = "status <> 'cancelled'"


def upgrade():
    op.create_table(
        "clinic_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("self_booking", sa.Boolean(), nullable=False),
        sa.Column("min_notice_minutes", sa.Integer(), nullable=False),
        sa.Column("max_days_ahead", sa.Integer(), nullable=False),
        sa.Column("cancellation_window_hours", sa.Integer(), nullable=False),
        sa.Column("default_slot_minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "cancellation_window_hours >= 0",
            name=op.f("ck_clinic_settings_cancellation_window_valid"),
        ),
        sa.CheckConstraint(
            "default_slot_minutes BETWEEN 5 AND 480",
            name=op.f("ck_clinic_settings_default_slot_valid"),
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_clinic_settings_single_row")),
        sa.CheckConstraint(
            "max_days_ahead > 0", name=op.f("ck_clinic_settings_max_days_ahead_valid")
        ),
        sa.CheckConstraint(
            "min_notice_minutes >= 0", name=op.f("ck_clinic_settings_min_notice_valid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_settings")),
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint("name", name=op.f("uq_locations_name")),
    )
    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_shifts_start_before_end")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_shifts_weekday_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
        sa.UniqueConstraint(
            "weekday", "start_time", "end_time", name=op.f("uq_shifts_weekday_start_time_end_time")
        ),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("first_name", sa.String(length=150), nullable=False),
        sa.Column("last_name", sa.String(length=150), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "manager",
                "client",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("email_verified_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_entries_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_entries_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=150), nullable=False),
        sa.Column("last_name", sa.String(length=150), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_clients_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("user_id", name=op.f("uq_clients_user_id")),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clients_email"), ["email"], unique=False)

    op.create_table(
        "location_shifts",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_location_shifts_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shifts.id"],
            name=op.f("fk_location_shifts_shift_id_shifts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("location_id", "shift_id", name=op.f("pk_location_shifts")),
    )
    op.create_table(
        "specialists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=150), nullable=False),
        sa.Column("last_name", sa.String(length=150), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("specialty", sa.String(length=150), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("default_location_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "slot_minutes BETWEEN 5 AND 480", name=op.f("ck_specialists_slot_minutes_range")
        ),
        sa.ForeignKeyConstraint(
            ["default_location_id"],
            ["locations.id"],
            name=op.f("fk_specialists_default_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_specialists")),
    )
    op.create_table(
        "token_blocklist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("token_type", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_token_blocklist_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token_blocklist")),
        sa.UniqueConstraint("jti", name=op.f("uq_token_blocklist_jti")),
    )
    with op.batch_alter_table("token_blocklist", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_token_blocklist_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("specialist_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "booked",
                "arrived",
                "completed",
                "no_show",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("cancel_reason", sa.String(length=255), nullable=False),
        sa.Column("reminder_sent_at", sa.DateTime(), nullable=True),
        sa.Column("ics_sequence", sa.Integer(), nullable=False),
        sa.CheckConstraint("ics_sequence >= 0", name=op.f("ck_appointments_ics_sequence_valid")),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_appointments_start_before_end")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_appointments_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_appointments_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_appointments_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["specialists.id"],
            name=op.f("fk_appointments_specialist_id_specialists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appointments_client_start", ["client_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            "ix_appointments_location_start", ["location_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            "ix_appointments_specialist_start", ["specialist_id", "starts_at"], unique=False
        )
        batch_op.create_index("ix_appointments_starts_at", ["starts_at"], unique=False)
        batch_op.create_index("ix_appointments_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "specialist_shifts",
        sa.Column("specialist_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shifts.id"],
            name=op.f("fk_specialist_shifts_shift_id_shifts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["specialists.id"],
            name=op.f("fk_specialist_shifts_specialist_id_specialists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("specialist_id", "shift_id", name=op.f("pk_specialist_shifts")),
    )
    op.create_table(
        "time_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("specialist_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.CheckConstraint(
            "specialist_id IS NULL OR location_id IS NULL", name=op.f("ck_time_off_one_scope")
        ),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_time_off_start_before_end")),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_time_off_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["specialist_id"],
            ["specialists.id"],
            name=op.f("fk_time_off_specialist_id_specialists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_off")),
    )
    with op.batch_alter_table("time_off", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_off_location_id"), ["location_id"], unique=False)
        batch_op.create_index("ix_time_off_span", ["starts_at", "ends_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_time_off_specialist_id"), ["specialist_id"], unique=False
        )

    create_overlap_guards()
    create_settings_row()


def create_overlap_guards() -> None:
    """Make the database refuse overlapping live appointments per specialist, location, client."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        for resource in OVERLAP_RESOURCES:
            op.execute(
                f"ALTER TABLE appointments ADD CONSTRAINT ex_appointments_{resource}_overlap "
                f"EXCLUDE USING gist ({resource}_id WITH =, tsrange(starts_at, ends_at) WITH &&) "
                f"WHERE ({LIVE})"
            )
    elif dialect == "sqlite":
        for resource in OVERLAP_RESOURCES:
            for event, columns, other_rows in (
                ("insert", "", ""),
                ("update", OVERLAP_COLUMNS, "AND id <> NEW.id"),
            ):
                op.execute(sqlite_overlap_trigger(resource, event, columns, other_rows))
    else:
        raise RuntimeError(f"no overlap guards written for {dialect}")


OVERLAP_COLUMNS = " OF specialist_id, location_id, client_id, starts_at, ends_at, status"


def sqlite_overlap_trigger(resource: str, event: str, columns: str, other_rows: str) -> str:
    """A trigger aborting a write that makes a live appointment overlap another of `resource`.

    julianday() compares the instants whatever the text form of the times.
    """
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


def create_settings_row() -> None:
    """The clinic's one settings row, with defaults the admin changes later."""
    settings = sa.table(
        "clinic_settings",
        *(
            sa.column(name)
            for name in (
                "id",
                "name",
                "address",
                "phone",
                "self_booking",
                "min_notice_minutes",
                "max_days_ahead",
                "cancellation_window_hours",
                "default_slot_minutes",
            )
        ),
    )
    op.bulk_insert(
        settings,
        [
            {
                "id": 1,
                "name": "Clinic",
                "address": "",
                "phone": "",
                "self_booking": True,
                "min_notice_minutes": 60,
                "max_days_ahead": 60,
                "cancellation_window_hours": 24,
                "default_slot_minutes": 30,
            }
        ],
    )


def downgrade():
    with op.batch_alter_table("time_off", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_off_specialist_id"))
        batch_op.drop_index("ix_time_off_span")
        batch_op.drop_index(batch_op.f("ix_time_off_location_id"))

    op.drop_table("time_off")
    op.drop_table("specialist_shifts")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_updated_at")
        batch_op.drop_index("ix_appointments_starts_at")
        batch_op.drop_index("ix_appointments_specialist_start")
        batch_op.drop_index("ix_appointments_location_start")
        batch_op.drop_index("ix_appointments_client_start")

    op.drop_table("appointments")
    with op.batch_alter_table("token_blocklist", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_token_blocklist_expires_at"))

    op.drop_table("token_blocklist")
    op.drop_table("specialists")
    op.drop_table("location_shifts")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_email"))

    op.drop_table("clients")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_entity")
        batch_op.drop_index(batch_op.f("ix_audit_entries_at"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_actor_id"))

    op.drop_table("audit_entries")
    op.drop_table("users")
    op.drop_table("shifts")
    op.drop_table("locations")
    op.drop_table("clinic_settings")
