"""Repositories: every query the hub runs, returning domain structs."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.domain.alerts import Alert, AlertEvent, AlertState
from hub.domain.notifications import Delivery, OutboxItem
from hub.domain.rules import Severity
from hub.domain.samples import Sample
from hub.store import tables as t
from hub.store.chunks import bits_of, head_columns
from hub.store.driver import execute, fetch_all, placeholders
from hub.store.sql import insert_or_ignore

_json = msgspec.json.Encoder(order="sorted")
_labels = msgspec.json.Decoder(dict[str, str])

OPEN_STATES = (AlertState.PENDING, AlertState.FIRING, AlertState.ACKNOWLEDGED)
_OPEN_SIGNATURE = (
    "SELECT count(*), coalesce(max(id), 0), max(updated_at) FROM alerts WHERE state IN "  # noqa: S608 (placeholders only)
    f"({placeholders(len(OPEN_STATES))})"
)


class NewAlert(msgspec.Struct, frozen=True):
    """An alert to create (``AlertRepo.create_many``)."""

    fingerprint: str
    rule: str
    state: AlertState
    severity: Severity
    labels: dict[str, str]
    annotations: dict[str, str]
    value: float | None
    active_at: datetime


class SeriesRange(msgspec.Struct, frozen=True):
    """The samples of one series in a time range, as columns."""

    name: str
    labels: dict[str, str]
    times: list[float]
    values: list[float]


_ROWS_PER_INSERT = 1000
"""Rows per INSERT statement: 3,000 parameters, under SQLite's 32,766 and PostgreSQL's 65,535."""


@functools.lru_cache(maxsize=8)
def _insert_samples(rows: int) -> str:
    """``INSERT … VALUES (?, ?, ?), … ON CONFLICT DO NOTHING`` for ``rows`` rows."""
    values = ", ".join(["(?, ?, ?)"] * rows)
    return (
        "INSERT INTO samples (time_ms, series_id, value_bits) "  # noqa: S608 (placeholders only)
        f"VALUES {values} ON CONFLICT DO NOTHING"
    )


_ALL_SERIES = "SELECT id, name, labels FROM series ORDER BY id"
_SERIES_NAMED = "SELECT id, name, labels FROM series WHERE name = ? ORDER BY id"


class SampleRepo:
    """Series and their raw samples."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def series_ids(self, keys: dict[str, tuple[str, dict[str, str]]]) -> dict[str, int]:
        """Ids for series keyed by fingerprint, creating the missing ones."""
        if not keys:
            return {}
        await self._conn.execute(
            insert_or_ignore(self._conn, t.series),
            [
                {"fingerprint": fp, "name": name, "labels": _json.encode(labels).decode()}
                for fp, (name, labels) in keys.items()
            ],
        )
        rows = await self._conn.execute(
            sa.select(t.series.c.fingerprint, t.series.c.id).where(
                t.series.c.fingerprint.in_(list(keys))
            )
        )
        return {fp: sid for fp, sid in rows}  # noqa: C416 (a Result has keys(): dict() misreads it)

    async def insert(
        self, series_ids: Sequence[int], times_ms: Sequence[int], values: Sequence[float]
    ) -> None:
        """Store samples given as columns; a repeated (series, time) is ignored.

        Driver-level statements of many rows each (``VALUES (…), (…), …``) with a flat list of
        plain parameters: SQLAlchemy's per-row parameter processing cost more than SQLite's
        own work, and one statement per row (executemany) twice as much as this
        (tests/bench/storage.py).
        """
        count = len(series_ids)
        flat: list[int] = [0] * (3 * count)
        flat[0::3], flat[1::3], flat[2::3] = times_ms, series_ids, bits_of(values)
        for first in range(0, count, _ROWS_PER_INSERT):
            rows = min(_ROWS_PER_INSERT, count - first)
            sql = _insert_samples(rows)
            await execute(self._conn, sql, flat[3 * first : 3 * (first + rows)])

    async def latest(self, since_ms: int) -> list[tuple[int, Sample]]:
        """Series id and newest sample of each series with a sample at or after ``since_ms``."""
        newest = (
            sa.select(t.samples.c.series_id, sa.func.max(t.samples.c.time_ms).label("time_ms"))
            .where(t.samples.c.time_ms >= since_ms)
            .group_by(t.samples.c.series_id)
            .subquery()
        )
        query = (
            sa.select(
                newest.c.series_id,
                t.series.c.name,
                t.series.c.labels,
                t.samples.c.value_bits,
                t.samples.c.time_ms,
            )
            .select_from(newest)
            .join(
                t.samples,
                sa.and_(
                    t.samples.c.series_id == newest.c.series_id,
                    t.samples.c.time_ms == newest.c.time_ms,
                ),
            )
            .join(t.series, t.series.c.id == newest.c.series_id)
            .order_by(t.series.c.name, t.series.c.labels)
        )
        rows = await self._conn.execute(query)
        return [
            (sid, Sample(n, _labels.decode(lb), t.bits_float(bits), ms / 1000))
            for sid, n, lb, bits, ms in rows
        ]

    async def series(self, name: str | None) -> list[tuple[int, str, dict[str, str]]]:
        """``(id, name, labels)`` of every series of metric ``name`` (or of every metric)."""
        # Plain SQL through the driver: a chart reads this on every draw, and SQLAlchemy's
        # statement handling cost as much as SQLite's work (tests/bench/queries.py).
        if name is None:
            rows = await fetch_all(self._conn, _ALL_SERIES)
        else:
            rows = await fetch_all(self._conn, _SERIES_NAMED, (name,))
        return [(sid, n, _labels.decode(labels)) for sid, n, labels in rows]

    async def range(
        self, series_ids: Sequence[int], start_ms: int, end_ms: int
    ) -> dict[int, tuple[list[int], list[float]]]:
        """Head samples of ``series_ids`` in ``[start_ms, end_ms]``: times (ms) and values."""
        return await head_columns(self._conn, series_ids, start_ms, end_ms)

    async def delete_before(self, cutoff_ms: int) -> int:
        """Drop samples older than ``cutoff_ms``; returns how many."""
        result = await self._conn.execute(
            sa.delete(t.samples).where(t.samples.c.time_ms < cutoff_ms)
        )
        return int(result.rowcount)


def _stamp(value: object) -> float:
    """A timestamp column's value as Unix seconds (aggregates may skip the column's type)."""
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)  # type: ignore[arg-type]


class AlertRepo:
    """Alerts and their history."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def open(self) -> list[Alert]:
        """Alerts that are pending, firing or acknowledged."""
        return await self._select(t.alerts.c.state.in_(OPEN_STATES))

    async def open_signature(self) -> tuple[int, int, float]:
        """(count, highest id, latest change) of the open alerts: equal signatures mean the
        open alerts did not change, so a cached copy is still good.

        Asked at every rule evaluation, so it is plain SQL in one hop to the driver (four
        through SQLAlchemy's adapter; see ``driver``)."""
        ((count, highest, changed),) = await fetch_all(
            self._conn, _OPEN_SIGNATURE, [state.value for state in OPEN_STATES]
        )
        return int(count), int(highest), 0.0 if changed is None else _stamp(changed)

    async def recent(self, state: AlertState | None = None, limit: int = 500) -> list[Alert]:
        """Alerts, newest first, optionally in one state."""
        where = t.alerts.c.state == state if state else sa.true()
        return await self._select(where, limit=limit)

    async def get(self, alert_id: int) -> Alert | None:
        """One alert by id."""
        found = await self._select(t.alerts.c.id == alert_id)
        return found[0] if found else None

    async def create(
        self,
        *,
        fingerprint: str,
        rule: str,
        state: AlertState,
        severity: Severity,
        labels: dict[str, str],
        annotations: dict[str, str],
        value: float | None,
        active_at: datetime,
        now: datetime,
    ) -> int:
        """A new alert; returns its id."""
        result = await self._conn.execute(
            sa.insert(t.alerts)
            .values(
                fingerprint=fingerprint,
                rule=rule,
                state=state,
                severity=severity,
                labels=_json.encode(labels).decode(),
                annotations=_json.encode(annotations).decode(),
                value=value,
                active_at=active_at,
                updated_at=now,
                fired_at=now if state is AlertState.FIRING else None,
            )
            .returning(t.alerts.c.id)
        )
        return int(result.scalar_one())

    async def create_many(self, alerts: Sequence[NewAlert], now: datetime) -> list[int]:
        """Many new alerts in one statement; returns their ids in the same order."""
        if not alerts:
            return []
        rows = [
            {
                "fingerprint": a.fingerprint,
                "rule": a.rule,
                "state": a.state,
                "severity": a.severity,
                "labels": _json.encode(a.labels).decode(),
                "annotations": _json.encode(a.annotations).decode(),
                "value": a.value,
                "active_at": a.active_at,
                "updated_at": now,
                "fired_at": now if a.state is AlertState.FIRING else None,
            }
            for a in alerts
        ]
        result = await self._conn.execute(
            sa.insert(t.alerts).returning(t.alerts.c.id, sort_by_parameter_order=True), rows
        )
        return [int(row[0]) for row in result]

    async def add_events(self, events: Sequence[tuple[int, AlertEvent]]) -> None:
        """Append many history events (alert id, event) in one statement."""
        if events:
            await self._conn.execute(
                sa.insert(t.alert_events),
                [{"alert_id": i, **msgspec.structs.asdict(e)} for i, e in events],
            )

    async def get_many(self, alert_ids: Sequence[int]) -> list[Alert]:
        """The alerts with these ids (missing ones are left out), newest first."""
        if not alert_ids:
            return []
        return await self._select(t.alerts.c.id.in_(sorted(set(alert_ids))))

    async def update_values(self, values: Sequence[tuple[int, float]], now: datetime) -> None:
        """Set the current value of many alerts in one statement: (alert id, value) pairs."""
        if not values:
            return
        c = t.alerts.c
        await self._conn.execute(
            sa.update(t.alerts)
            .where(c.id == sa.bindparam("alert_id"))
            .values(value=sa.bindparam("new_value"), updated_at=now),
            [{"alert_id": alert_id, "new_value": value} for alert_id, value in values],
        )

    async def update(self, alert_id: int, now: datetime, **values: object) -> None:
        """Change columns of one alert (``state``, ``value``, ``labels``, ack fields …)."""
        for column in ("labels", "annotations"):
            if column in values:
                values[column] = _json.encode(values[column]).decode()
        await self._conn.execute(
            sa.update(t.alerts).where(t.alerts.c.id == alert_id).values(updated_at=now, **values)
        )

    async def delete(self, alert_id: int) -> None:
        """Forget an alert (a pending alert whose condition cleared never existed)."""
        await self._conn.execute(sa.delete(t.alerts).where(t.alerts.c.id == alert_id))

    async def add_event(self, alert_id: int, event: AlertEvent) -> None:
        """Append to an alert's history."""
        await self._conn.execute(
            sa.insert(t.alert_events).values(alert_id=alert_id, **msgspec.structs.asdict(event))
        )

    async def events(self, alert_id: int) -> list[AlertEvent]:
        """An alert's history, oldest first."""
        rows = await self._conn.execute(
            sa.select(
                t.alert_events.c.at,
                t.alert_events.c.kind,
                t.alert_events.c.from_state,
                t.alert_events.c.to_state,
                t.alert_events.c.value,
                t.alert_events.c.actor,
                t.alert_events.c.comment,
            )
            .where(t.alert_events.c.alert_id == alert_id)
            .order_by(t.alert_events.c.id)
        )
        return [
            AlertEvent(
                at,
                kind,
                AlertState(f) if f else None,
                AlertState(to) if to else None,
                value,
                actor,
                comment,
            )
            for at, kind, f, to, value, actor, comment in rows
        ]

    async def _select(self, where: sa.ColumnElement[bool], limit: int | None = None) -> list[Alert]:
        c = t.alerts.c
        query = (
            sa.select(
                c.id,
                c.fingerprint,
                c.rule,
                c.state,
                c.severity,
                c.labels,
                c.annotations,
                c.value,
                c.active_at,
                c.fired_at,
                c.resolved_at,
                c.acknowledged_at,
                c.acknowledged_by,
                c.ack_comment,
                c.updated_at,
            )
            .where(where)
            .order_by(c.id.desc())
            .limit(limit)
        )
        rows = await self._conn.execute(query)
        return [
            Alert(
                id=r.id,
                fingerprint=r.fingerprint,
                rule=r.rule,
                state=AlertState(r.state),
                severity=Severity(r.severity),
                labels=_labels.decode(r.labels),
                annotations=_labels.decode(r.annotations),
                value=r.value,
                started_at=r.active_at,
                fired_at=r.fired_at,
                resolved_at=r.resolved_at,
                acknowledged_at=r.acknowledged_at,
                acknowledged_by=r.acknowledged_by,
                ack_comment=r.ack_comment,
                updated_at=r.updated_at,
            )
            for r in rows
        ]


_DELIVERIES = sa.select(
    t.deliveries.c.outbox_id,
    t.outbox.c.channel,
    t.deliveries.c.at,
    t.deliveries.c.ok,
    t.deliveries.c.error,
    t.deliveries.c.duration_ms,
    t.deliveries.c.outcome,
    t.deliveries.c.status_code,
    t.deliveries.c.id,
).join(t.outbox, t.outbox.c.id == t.deliveries.c.outbox_id)
"""Delivery attempts with their channel, in the field order of :class:`Delivery`."""


class OutboxRepo:
    """Queued notifications and the delivery log."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def enqueue(
        self, channel: str, payload: bytes, alert_id: int | None, now: datetime
    ) -> int:
        """Queue a notification for ``channel``, due now; returns its id."""
        result = await self._conn.execute(
            sa.insert(t.outbox).values(
                channel=channel,
                payload=payload,
                alert_id=alert_id,
                status="pending",
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    async def enqueue_delivered(
        self, channel: str, payload: bytes, alert_id: int | None, now: datetime, outcome: str
    ) -> int:
        """Store a notification that was already delivered (from memory, while the store could
        not write) with its one delivery as ``outcome``, so it is logged and never sent again;
        returns its id."""
        item_id = await self.enqueue(channel, payload, alert_id, now)
        item = OutboxItem(item_id, channel, payload, 0, now)
        await self.record(
            item,
            Delivery(item_id, channel, now, True, None, 0.0, outcome),
            status="sent",
            next_attempt_at=None,
        )
        return item_id

    async def get(self, item_id: int) -> OutboxItem | None:
        """One queued notification by id."""
        c = t.outbox.c
        row = (
            await self._conn.execute(
                sa.select(c.id, c.channel, c.payload, c.attempts, c.created_at).where(
                    c.id == item_id
                )
            )
        ).first()
        return None if row is None else OutboxItem(*row)

    async def postpone(self, item_id: int, until: datetime) -> None:
        """Move a pending notification's next attempt to ``until`` (a rate limit is reached);
        no attempt is recorded."""
        await self._conn.execute(
            sa.update(t.outbox).where(t.outbox.c.id == item_id).values(next_attempt_at=until)
        )

    async def due(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        """Pending notifications whose next attempt is due, oldest first."""
        c = t.outbox.c
        rows = await self._conn.execute(
            sa.select(c.id, c.channel, c.payload, c.attempts, c.created_at)
            .where(c.status == "pending", c.next_attempt_at <= now)
            .order_by(c.next_attempt_at, c.id)
            .limit(limit)
        )
        return [OutboxItem(*row) for row in rows]

    async def next_due_at(self) -> datetime | None:
        """When the earliest pending notification is due, if any."""
        result = await self._conn.execute(
            sa.select(sa.func.min(t.outbox.c.next_attempt_at)).where(t.outbox.c.status == "pending")
        )
        due: datetime | None = result.scalar_one_or_none()
        return due

    async def record(
        self, item: OutboxItem, delivery: Delivery, *, status: str, next_attempt_at: datetime | None
    ) -> None:
        """Log one attempt and move the notification on: ``pending``, ``sent`` or ``failed``."""
        await self._conn.execute(
            sa.insert(t.deliveries).values(
                outbox_id=item.id,
                at=delivery.at,
                ok=delivery.ok,
                error=delivery.error,
                duration_ms=delivery.duration_ms,
                outcome=delivery.outcome,
                status_code=delivery.status_code,
            )
        )
        values: dict[str, object] = {
            "status": status,
            "attempts": item.attempts + 1,
            "last_error": delivery.error,
        }
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        if status != "pending":
            values["finished_at"] = delivery.at
        await self._conn.execute(sa.update(t.outbox).where(t.outbox.c.id == item.id).values(values))

    async def deliveries(
        self, limit: int = 100, *, channel: str | None = None, before: int | None = None
    ) -> list[Delivery]:
        """The newest delivery attempts, newest first; of one ``channel``, and older than the
        attempt with id ``before`` (paging), when given."""
        d, o = t.deliveries.c, t.outbox.c
        query = _DELIVERIES.order_by(d.id.desc()).limit(limit)
        if channel is not None:
            query = query.where(o.channel == channel)
        if before is not None:
            query = query.where(d.id < before)
        rows = await self._conn.execute(query)
        return [Delivery(*row) for row in rows]

    async def last_by_channel(self) -> dict[str, Delivery]:
        """Each channel's newest delivery attempt."""
        d, o = t.deliveries.c, t.outbox.c
        newest = (
            sa.select(sa.func.max(d.id)).join(t.outbox, o.id == d.outbox_id).group_by(o.channel)
        )
        rows = await self._conn.execute(_DELIVERIES.where(d.id.in_(newest)))
        return {row.channel: Delivery(*row) for row in rows}

    async def pending_by_channel(self) -> dict[str, int]:
        """How many notifications wait for delivery, by channel."""
        c = t.outbox.c
        rows = await self._conn.execute(
            sa.select(c.channel, sa.func.count()).where(c.status == "pending").group_by(c.channel)
        )
        return {channel: int(n) for channel, n in rows}

    async def count(self, status: str) -> int:
        """How many notifications are in ``status``."""
        result = await self._conn.execute(
            sa.select(sa.func.count()).select_from(t.outbox).where(t.outbox.c.status == status)
        )
        return int(result.scalar_one())


class AuthRepo:
    """One-time login links and dashboard sessions, both stored as token hashes."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_login_link(self, token_hash: str, expires_at: datetime) -> None:
        """Remember a one-time login link."""
        await self._conn.execute(
            sa.insert(t.login_links).values(token_hash=token_hash, expires_at=expires_at)
        )

    async def use_login_link(self, token_hash: str, now: datetime) -> bool:
        """Spend a login link; False when unknown, used or expired."""
        c = t.login_links.c
        result = await self._conn.execute(
            sa.update(t.login_links)
            .where(c.token_hash == token_hash, c.used_at.is_(None), c.expires_at > now)
            .values(used_at=now)
        )
        return bool(result.rowcount == 1)

    async def add_session(
        self, token_hash: str, principal: str, now: datetime, expires_at: datetime
    ) -> None:
        """Start a dashboard session."""
        await self._conn.execute(
            sa.insert(t.sessions).values(
                token_hash=token_hash, principal=principal, created_at=now, expires_at=expires_at
            )
        )

    async def session_principal(self, token_hash: str, now: datetime) -> str | None:
        """Who a live session belongs to, or None."""
        c = t.sessions.c
        result = await self._conn.execute(
            sa.select(c.principal).where(c.token_hash == token_hash, c.expires_at > now)
        )
        return result.scalar_one_or_none()

    async def delete_session(self, token_hash: str) -> None:
        """End a session."""
        await self._conn.execute(sa.delete(t.sessions).where(t.sessions.c.token_hash == token_hash))
