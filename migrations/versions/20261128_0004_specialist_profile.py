"""What patients read about a specialist: a short "about" text and the visit types offered.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

`specialists.about` is a short introduction shown in the public directory; `visit_types` is the
list of visit types a patient chooses from when booking online (free text only when the list is
empty). Both are set in the admin area. Columns are added in place.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("specialists", sa.Column("about", sa.Text(), nullable=False, server_default=""))
    op.add_column(
        "specialists", sa.Column("visit_types", sa.JSON(), nullable=False, server_default="[]")
    )


def downgrade():
    op.drop_column("specialists", "visit_types")
    op.drop_column("specialists", "about")
