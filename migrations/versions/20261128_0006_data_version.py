"""The data version: one counter the response cache keys on.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

`data_version` holds one row (id 1) whose `version` every unit of work with an audited change
adds one to, inside the same transaction as the change (clinic/database.py). The row is made
here, at 0.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_data_version_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade():
    op.drop_table("data_version")
