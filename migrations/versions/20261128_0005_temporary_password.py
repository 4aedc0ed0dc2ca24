"""A password an admin set for someone, to be changed at their next sign-in.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

`users.must_change_password` is set when an admin gives a staff account a temporary password;
until its owner chooses their own, the web sends them to the password page and the API refuses
the temporary one. The column is added in place, false for everyone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "users",
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    op.drop_column("users", "must_change_password")
