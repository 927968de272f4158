"""rules created through the API

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 01:30:00
"""

import sqlalchemy as sa
from alembic import op

from hub.store.tables import Timestamp

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rules",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.Column("updated_at", Timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rules")),
    )


def downgrade() -> None:
    op.drop_table("rules")
