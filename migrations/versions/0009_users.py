"""dashboard users and their sessions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 01:30:00
"""

import sqlalchemy as sa
from alembic import op

from hub.store.tables import Timestamp

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_pending", sa.String(length=64), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_users")),
    )
    op.create_table(
        "session_users",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_hash"],
            ["sessions.token_hash"],
            name=op.f("fk_session_users_token_hash_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_name"],
            ["users.name"],
            name=op.f("fk_session_users_user_name_users"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_session_users")),
    )
    op.create_index(
        op.f("ix_session_users_user_name"), "session_users", ["user_name"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_session_users_user_name"), table_name="session_users")
    op.drop_table("session_users")
    op.drop_table("users")
