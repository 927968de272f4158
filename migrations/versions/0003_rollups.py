"""rollups: 1-minute and 1-hour aggregates per series

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollups",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("resolution_s", sa.Integer(), nullable=False),
        sa.Column("bucket_ms", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("sum", sa.Float(), nullable=False),
        sa.Column("min", sa.Float(), nullable=False),
        sa.Column("max", sa.Float(), nullable=False),
        sa.Column("last", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"],
                                name=op.f("fk_rollups_series_id_series"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("series_id", "resolution_s", "bucket_ms",
                                name=op.f("pk_rollups")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("rollups")
