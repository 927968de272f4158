"""web push subscriptions and ack tokens

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:40:00
"""

import sqlalchemy as sa
from alembic import op

from hub.store.tables import Timestamp

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("endpoint", sa.String(length=2000), nullable=False),
        sa.Column("p256dh", sa.String(length=200), nullable=False),
        sa.Column("auth", sa.String(length=100), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.Column("last_success_at", Timestamp(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_push_subscriptions_endpoint")),
    )
    op.create_table(
        "ack_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=100), nullable=False),
        sa.Column("expires_at", Timestamp(), nullable=False),
        sa.Column("used_at", Timestamp(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_ack_tokens")),
    )
    op.create_index(op.f("ix_ack_tokens_expires_at"), "ack_tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ack_tokens_expires_at"), table_name="ack_tokens")
    op.drop_table("ack_tokens")
    op.drop_table("push_subscriptions")
