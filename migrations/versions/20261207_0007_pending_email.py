"""The address an account waits to move to.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

`users.pending_email` holds the address a change asked for until it is confirmed: by the
holder at the new address (their own change), or at the current one (a change the staff
asked for). Emailed change links carry a digest of it, so a newer change, or none, kills an
older link. The column is added in place, empty for everyone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("pending_email", sa.String(length=254), nullable=True))


def downgrade():
    op.drop_column("users", "pending_email")
