"""the head (samples) without its foreign key to series

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 05:00:00

With foreign keys enforced SQLite cannot delete in one pass: compaction's DELETE of a block's
head rows first collected every key and then looked each up again, three times the work of the
one-pass delete (0.9 s against 0.3 s of CPU for one hour of 2000 series, tests/bench/compaction.py).
Series are never deleted, so the constraint guarded nothing the code does not already ensure
(samples are written with ids read from the series table). SQLite cannot drop a constraint, so
the table is rebuilt (it holds only the last hours); PostgreSQL drops it in place.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None
COPIES_ROWS_ONLY = "SQLite rebuilds the head table: its rows are copied over, none are made"
"""Why this step's SQL writes rows without adding data a fresh store would lack."""

_FK = "fk_samples_series_id_series"
_SQLITE_HEAD = (
    "CREATE TABLE {name} (time_ms BIGINT NOT NULL, series_id INTEGER NOT NULL, "
    "value_bits BIGINT NOT NULL, CONSTRAINT pk_samples PRIMARY KEY (time_ms, series_id){fk}) "
    "WITHOUT ROWID"
)
_SQLITE_FK = f", CONSTRAINT {_FK} FOREIGN KEY(series_id) REFERENCES series (id) ON DELETE CASCADE"


def _rebuild_sqlite_head(fk: str) -> None:
    op.execute(_SQLITE_HEAD.format(name="samples_rebuilt", fk=fk))
    op.execute(
        "INSERT INTO samples_rebuilt (time_ms, series_id, value_bits) "
        "SELECT time_ms, series_id, value_bits FROM samples"
    )
    op.execute("DROP TABLE samples")
    op.execute("ALTER TABLE samples_rebuilt RENAME TO samples")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite_head("")
    else:
        op.drop_constraint(_FK, "samples", type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite_head(_SQLITE_FK)
    else:
        op.create_foreign_key(_FK, "samples", "series", ["series_id"], ["id"], ondelete="CASCADE")
