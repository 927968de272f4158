"""failed sign-ins per account and address, so a lockout survives a restart

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-07 05:00:00
"""

import sqlalchemy as sa
from alembic import op

from hub.store.tables import Timestamp

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("since", Timestamp(), nullable=True),
        sa.Column("locked_until", Timestamp(), nullable=True),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_login_throttle")),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
