"""The patient's own note on an appointment, and the cap on a client's own live bookings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

`appointments.patient_note` is what the patient wrote when booking (the clinic's `notes` stay
staff-only); `clinic_settings.max_client_bookings` caps the live future appointments a client
books for themself (staff are not capped). Columns are added in place (no table is rebuilt, so
the appointments triggers stay).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "appointments",
        sa.Column("patient_note", sa.Text(), nullable=False, server_default=""),
    )
    op.add_column(
        "clinic_settings",
        sa.Column("max_client_bookings", sa.Integer(), nullable=False, server_default="5"),
    )


def downgrade():
    with op.batch_alter_table("clinic_settings") as batch_op:
        batch_op.drop_column("max_client_bookings")
    op.drop_column("appointments", "patient_note")
