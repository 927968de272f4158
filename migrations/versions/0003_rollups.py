"""rollups: 1-minute and 1-hour aggregates per series and block, compressed

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
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("resolution_s", sa.Integer(), nullable=False),
        sa.Column("block_ms", sa.BigInteger(), nullable=False),
        sa.Column("first_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_ms", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"],
                                name=op.f("fk_rollups_series_id_series"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollups")),
        sa.UniqueConstraint("series_id", "resolution_s", "block_ms",
                            name=op.f("uq_rollups_series_id_resolution_s_block_ms")),
    )


def downgrade() -> None:
    op.drop_table("rollups")
