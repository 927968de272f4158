"""scoped API tokens and heartbeats

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 20:40:00
"""

import sqlalchemy as sa
from alembic import op

from hub.store.tables import Timestamp

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.Column("last_used_at", Timestamp(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "heartbeats",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.Column("last_ping_at", Timestamp(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_heartbeats")),
    )


def downgrade() -> None:
    op.drop_table("heartbeats")
    op.drop_table("api_tokens")
