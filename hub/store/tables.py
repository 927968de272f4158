"""Table definitions (SQLAlchemy Core); Alembic migrations must match them."""

from __future__ import annotations

import struct
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hub.lib.clock import from_unix


class Timestamp(sa.types.TypeDecorator[datetime]):
    """An aware UTC datetime stored as unix seconds (portable, sortable, compact)."""

    impl = sa.Float
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> float | None:
        return None if value is None else value.timestamp()

    def process_result_value(self, value: float | None, dialect: Any) -> datetime | None:
        return None if value is None else from_unix(value)


_BITS = struct.Struct("<d")
_INT = struct.Struct("<q")


def bits_float(bits: int) -> float:
    """The float whose IEEE-754 bits are ``bits``."""
    value: float = _BITS.unpack(_INT.pack(bits))[0]
    return value


metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

series = sa.Table(
    "series",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, index=True),
    sa.Column("labels", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.String(32), nullable=False, unique=True),
)

samples = sa.Table(
    "samples",
    metadata,
    # Time first: a collection's batch lands on the same few pages instead of one page per
    # series (measured: 7 KB vs ~100 B written to disk per sample, see tests/bench/storage.py).
    sa.Column("time_ms", sa.BigInteger, primary_key=True),
    # No foreign key to series (migration 0010): with one, SQLite deletes a compacted block's
    # rows in two passes, three times the work; series are never deleted.
    sa.Column("series_id", sa.Integer, primary_key=True),
    sa.Column("value_bits", sa.BigInteger, nullable=False),
    sqlite_with_rowid=False,
)
"""The head: recent raw samples. Values are stored as their IEEE-754 bits (signed int64):
SQLite turns NaN into NULL and -0.0 into 0, and history must round-trip bit for bit."""

chunks = sa.Table(
    "chunks",
    metadata,
    # A rowid table: in a WITHOUT ROWID table a 1-4 KB blob costs a whole overflow page.
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "series_id", sa.Integer, sa.ForeignKey("series.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("block_ms", sa.BigInteger, nullable=False),
    sa.Column("first_ms", sa.BigInteger, nullable=False),
    sa.Column("last_ms", sa.BigInteger, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.UniqueConstraint("series_id", "block_ms"),
)
"""Compressed samples of one series in one time block (see hub/tsdb/codec.py)."""

rollups = sa.Table(
    "rollups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "series_id", sa.Integer, sa.ForeignKey("series.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("resolution_s", sa.Integer, nullable=False),
    sa.Column("block_ms", sa.BigInteger, nullable=False),
    sa.Column("first_ms", sa.BigInteger, nullable=False),
    sa.Column("last_ms", sa.BigInteger, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.UniqueConstraint("series_id", "resolution_s", "block_ms"),
)
"""One tier's rollups (count, sum, min, max, last per 1-minute or 1-hour bucket) of one series
and block, compressed (see hub/tsdb/rollup.py)."""

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("fingerprint", sa.String(32), nullable=False, index=True),
    sa.Column("rule", sa.String(200), nullable=False),
    sa.Column("state", sa.String(20), nullable=False, index=True),
    sa.Column("severity", sa.String(20), nullable=False),
    sa.Column("labels", sa.Text, nullable=False),
    sa.Column("annotations", sa.Text, nullable=False),
    sa.Column("value", sa.Float),
    sa.Column("active_at", Timestamp, nullable=False),
    sa.Column("fired_at", Timestamp),
    sa.Column("resolved_at", Timestamp),
    sa.Column("acknowledged_at", Timestamp),
    sa.Column("acknowledged_by", sa.String(200)),
    sa.Column("ack_comment", sa.Text),
    sa.Column("updated_at", Timestamp, nullable=False),
)

alert_events = sa.Table(
    "alert_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "alert_id",
        sa.Integer,
        sa.ForeignKey("alerts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("at", Timestamp, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("from_state", sa.String(20)),
    sa.Column("to_state", sa.String(20)),
    sa.Column("value", sa.Float),
    sa.Column("actor", sa.String(200)),
    sa.Column("comment", sa.Text),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("channel", sa.String(200), nullable=False),
    sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="SET NULL")),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("next_attempt_at", Timestamp, nullable=False),
    sa.Column("finished_at", Timestamp),
    sa.Column("last_error", sa.Text),
    sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "outbox_id",
        sa.Integer,
        sa.ForeignKey("outbox.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("at", Timestamp, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("duration_ms", sa.Float, nullable=False),
    sa.Column("outcome", sa.String(20)),
    sa.Column("status_code", sa.Integer),
)

login_links = sa.Table(
    "login_links",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("expires_at", Timestamp, nullable=False),
    sa.Column("used_at", Timestamp),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("principal", sa.String(200), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("scope", sa.String(20), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("last_used_at", Timestamp),
)
"""Named API tokens with a scope (``ingest``, ``heartbeat``; text so more can be added), stored
only as the sha256 of their secret."""

heartbeats = sa.Table(
    "heartbeats",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("last_ping_at", Timestamp),
    sa.Column("status", sa.String(10)),
    sa.Column("message", sa.Text),
    sa.Column("duration_s", sa.Float),
)
"""The last ping of each heartbeat; ``created_at`` is when the hub began watching it."""

notify_state = sa.Table(
    "notify_state",
    metadata,
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("key", sa.String(500), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)
"""State of the notification pipeline that must survive a restart (aggregation groups …),
one msgpack blob per ``kind`` and ``key``, written in the transaction that changes it."""

silences = sa.Table(
    "silences",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("ends_at", Timestamp, nullable=False),
)
"""Silences as JSON; ``ends_at`` lets listing skip long-expired ones."""

hub_meta = sa.Table(
    "hub_meta",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
"""Small facts about the running hub, e.g. when rules were last evaluated (for restarts)."""

push_subscriptions = sa.Table(
    "push_subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("endpoint", sa.String(2000), nullable=False, unique=True),
    sa.Column("p256dh", sa.String(200), nullable=False),
    sa.Column("auth", sa.String(100), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("last_success_at", Timestamp),
)
"""Devices that receive Web Push, one row per browser subscription (its endpoint is unique)."""

ack_tokens = sa.Table(
    "ack_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("alert_id", sa.Integer, nullable=False),
    sa.Column("device", sa.String(100), nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False, index=True),
    sa.Column("used_at", Timestamp),
)
"""Single-use tokens a push carries so its Acknowledge action works without a session; only
the sha256 of each token is stored, bound to one alert and expiring."""

users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("totp_secret", sa.String(64)),
    sa.Column("totp_pending", sa.String(64)),
    sa.Column("totp_last_step", sa.BigInteger),
    sa.Column("created_at", Timestamp, nullable=False),
)
"""Dashboard users: an argon2id password hash, a role (admin, viewer) and an optional TOTP
secret (``totp_pending`` until its first code is confirmed; ``totp_last_step`` stops replay)."""

session_users = sa.Table(
    "session_users",
    metadata,
    sa.Column(
        "token_hash",
        sa.String(64),
        sa.ForeignKey("sessions.token_hash", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "user_name",
        sa.String(100),
        sa.ForeignKey("users.name"),
        nullable=False,
        index=True,
    ),
)
"""Which user a session belongs to; sessions without a row were opened with the admin token
or a login link and act as admin. A user's sessions are deleted before the user (the
foreign key refuses otherwise, so a session can never outlive its user and turn admin)."""

rules = sa.Table(
    "rules",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)
"""Rules created through the API: each one's alerts.yml entry as JSON (file rules stay in
alerts.yml)."""

login_throttle = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("kind", sa.String(10), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("since", Timestamp),
    sa.Column("locked_until", Timestamp),
)
"""Failed sign-ins per ``account`` and per ``address`` (hub.domain.logins), so a lockout
survives a restart."""
