"""The alert engine: evaluates rules against the newest samples and keeps alerts in the store.

Each evaluation runs in one transaction: alert rows, their history events and the outbox rows of
the notifications they cause commit together, so a crash never loses or invents a notification.
When that write fails (a full disk), the changes are kept in memory by ``hub/alerts/unstored.py``
and stored by the next evaluation that can write.
"""

from __future__ import annotations

import enum
import logging
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import msgspec

from hub.alerts.annotations import render_annotations
from hub.alerts.plan import MetricPlan, plan_rules
from hub.alerts.recent import RecentSamples, rule_value
from hub.alerts.suspects import Suspects
from hub.alerts.unstored import Change, UnstoredChanges
from hub.domain.alerts import Alert, AlertEvent, AlertState, AlertStatus
from hub.domain.matchers import MatchOp, all_match
from hub.domain.rules import NoData, Rule
from hub.domain.samples import Sample, fingerprint
from hub.lib.bus import Bus
from hub.lib.clock import Clock
from hub.notify.dispatch import Dispatcher
from hub.notify.flap import Observation
from hub.notify.policy import AlertPolicy
from hub.rules.evaluate import alert_labels, breaches, evaluate, restore
from hub.store import Store, StoreWriteError
from hub.store.engine import Tx
from hub.store.repos import NewAlert
from hub.tsdb import TSDB

log = logging.getLogger(__name__)
_PROBLEM = frozenset((AlertState.FIRING, AlertState.ACKNOWLEDGED))
LOOKBACK = timedelta(minutes=5)
"""A series with no sample this recent has no data (Prometheus' lookback delta)."""


LAST_EVALUATION = "rules.last_evaluated_at"
"""``hub_meta`` key: when rules were last evaluated (approximately; see ``NOTE_EVERY``)."""
NOTE_EVERY = timedelta(minutes=1)
"""At most how often the evaluation time, and an open alert's value, are written."""
NODATA_MEMORY = timedelta(days=1)
"""How long a series that stopped reporting still counts for ``nodata: alerting|nodata`` rules
(a series gone for longer is taken as retired)."""


_Series = tuple[Sample, frozenset[tuple[str, str]]]
"""A series' newest sample and its label set (hashable, for lookups)."""


@dataclass
class _Pass:
    """What one evaluation shares between the metrics it walks."""

    tx: Tx
    now: datetime
    fresh_since: float
    """Unix time: a sample older than this counts as no data."""
    open_alerts: dict[str, Alert]
    open_by_pair: dict[tuple[str, frozenset[tuple[str, str]]], Alert]
    open_series: set[tuple[str, frozenset[tuple[str, str]]]]
    seen: dict[str, str] = field(default_factory=dict)
    """Fingerprints of the alerts this pass evaluated, with their rule's metric."""


class AlertNotFoundError(LookupError):
    """No alert has that id."""


class ManualResolveRefusedError(PermissionError):
    """The alert's rule does not allow resolving it by hand."""


class AckOutcome(enum.Enum):
    """What an acknowledgement did."""

    ACKNOWLEDGED = "acknowledged"
    ALREADY = "already acknowledged"
    RESOLVED = "already resolved"


class AlertEngine:
    """Rule evaluation, alert state and acknowledgement."""

    def __init__(
        self,
        store: Store,
        tsdb: TSDB,
        rules: tuple[Rule, ...],
        dispatcher: Dispatcher,
        clock: Clock,
        bus: Bus,
    ) -> None:
        self._store = store
        self._tsdb = tsdb
        self._dispatcher = dispatcher
        self._clock = clock
        self._bus = bus
        self._use(rules)
        self._next_rules: tuple[Rule, ...] | None = None
        self._status: dict[str, AlertStatus] = {}
        """Per open alert what evaluation carries over (last true, missing data); the store
        holds state, start and severity, so a restart loses only ``keep_firing_for`` timing."""
        self._started = clock.now()
        self._restored = False
        self._resolved_by_hand: set[str] = set()
        """Alerts resolved by a person whose condition still holds: not fired again until it
        clears (kept in memory; after a restart such an alert may fire once more)."""
        self._open_cache: tuple[tuple[int, int, float], dict[str, Alert]] | None = None
        """The open alerts by fingerprint as last read, with the signature they were read at."""
        self._values: list[tuple[int, float]] = []
        """Open alerts' new values found by the running evaluation, stored at its end."""
        self._creates: list[tuple[NewAlert, AlertEvent]] = []
        """New alerts of the running evaluation and their first event, inserted at its end."""
        self._events: list[tuple[int, AlertEvent]] = []
        """History events of the running evaluation's transitions, inserted at its end."""
        self._value_written: dict[int, datetime] = {}
        """When each open alert's value was last queued for the store."""
        self._noted: datetime | None = None
        """When the evaluation time was last written (``LAST_EVALUATION``)."""
        self._applied: list[Change] = []
        """The running evaluation's transitions, kept in memory should its write fail."""
        self._unstored = UnstoredChanges()
        """Alert changes that the store could not write yet."""
        self._dry = False
        """The store cannot write: evaluation finds transitions and writes nothing."""
        tsdb.watch(self._written)

    def _use(self, rules: tuple[Rule, ...]) -> None:
        """Evaluate ``rules`` from now on (what depends on them is worked out once here)."""
        self._rules = rules
        self._rules_by_name = {r.name: r for r in rules}
        self._plans = plan_rules(rules)
        self._window_metrics = {r.metric for r in rules if r.window > 0 or r.predict}
        self._recent = RecentSamples(max((r.lookback for r in rules), default=0.0))
        self._seeded = False
        self._suspects: Suspects | None = None
        """Series that may break a plain threshold, kept up to date by ``_written`` between
        evaluations of every rule (which start it again from the store's newest samples)."""
        self._open_cache = None  # pairs of open alerts depend on their rules' labels
        self._lookback = max(
            LOOKBACK,
            timedelta(seconds=max((r.absent or 0.0 for r in rules), default=0.0)),
            *(NODATA_MEMORY for r in rules if r.nodata in (NoData.ALERTING, NoData.NODATA)),
        )

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules being evaluated (or, after :meth:`set_rules`, about to be)."""
        return self._next_rules if self._next_rules is not None else self._rules

    @property
    def policy(self) -> AlertPolicy:
        """The alerting policy in force: routes, inhibit rules, maintenance windows…"""
        return self._dispatcher.policy

    def set_policy(self, policy: AlertPolicy) -> None:
        """Route, inhibit, escalate and detect flapping by ``policy`` from now on."""
        self._dispatcher.set_policy(policy)

    def set_rules(self, rules: tuple[Rule, ...]) -> None:
        """Evaluate ``rules`` from the next evaluation on (one running now finishes with the
        rules it started with). Alerts of a rule that is gone resolve at that evaluation."""
        self._next_rules = rules
        self._dispatcher.set_rules(rules)

    async def evaluate(self, metrics: Collection[str] | None = None) -> list[Alert]:
        """Evaluate the rules of ``metrics`` (every rule when None) once; returns the alerts
        whose state changed."""
        if self._next_rules is not None:
            self._use(self._next_rules)
            self._next_rules = None
            metrics = None  # every rule, so alerts of removed rules are resolved
        now = self._clock.now()
        stamp = now.timestamp()
        # Only the rules' metrics: 500 agents' 10,000 series of other metrics made labelsets
        # nothing reads (a tenth of the hub's time under load), and walking them at every
        # agent's batch was most of the hub's ingest CPU.
        # An evaluation of a batch's metrics asks the suspects whether it is quiet: walking
        # the 3,600 series of 200 agents' rule metrics at every batch was half of what was left.
        plans, since = self._plans, now - self._lookback
        if self._window_metrics:
            await self._feed_recent(
                await self._tsdb.latest_by_metric(since, self._window_metrics), now
            )
        if self._suspects is None or metrics is None:
            newest = await self._tsdb.latest_by_metric(since, plans)
            self._suspects = Suspects(plans, newest)  # no write in between: nothing awaited
        fresh_since = stamp - LOOKBACK.total_seconds()
        if self._all_quiet(self._suspects, metrics, fresh_since):
            return []
        # Series with their label sets (for lookups of open alerts, kept by the TSDB) only
        # for the metrics evaluated, and only when the evaluation is not quiet.
        scope = plans if metrics is None else [m for m in plans if m in metrics]
        by_metric: dict[str, list[_Series]] = defaultdict(list)
        by_metric.update(await self._tsdb.latest_series_by_metric(since, scope))
        self._values = []
        self._creates = []
        self._events = []
        self._applied = []
        stored = await self._store_unstored(now)
        try:
            # still unwritable: evaluate against what memory knows, writing nothing
            self._dry = stored is None
            alerts = await self._evaluate_in_tx(metrics, by_metric, now, fresh_since)
        except StoreWriteError as error:
            return await self._keep_unstored(error, now)
        finally:
            self._dry = False
        alerts = [*(stored or ()), *alerts]
        for alert in alerts:
            self._bus.publish("alert", alert)
        return alerts

    async def _store_unstored(self, now: datetime) -> list[Alert] | None:
        """Write the alert changes kept in memory, in a transaction of their own, and route
        them; returns them as stored, or None when the store still cannot write."""
        if not self._unstored:
            return []
        try:
            async with self._store.tx() as tx:
                changed: list[int] = []
                for change in self._unstored.replay(await self._open_alerts(tx)):
                    applied = await self._apply(tx, change)
                    if applied is not None:
                        changed.append(applied)
                changed += await self._flush_writes(tx, now)
                self._open_cache = None
                alerts = await tx.alerts.get_many(changed)
                if alerts:
                    await self._dispatcher.on_alerts(tx, alerts, now)
        except StoreWriteError:
            return None
        finally:
            self._creates, self._events = [], []
        log.warning("%d alert changes kept in memory are stored now", len(self._unstored))
        self._unstored.clear()
        return alerts

    async def _keep_unstored(self, error: StoreWriteError, now: datetime) -> list[Alert]:
        """After a failed write: keep the evaluation's transitions in memory (written by the
        next evaluation that can write) and tell the channels at once from memory; returns the
        alerts as memory knows them."""
        self._open_cache = None
        changed = self._unstored.keep(self._applied)
        self._applied = []
        if changed:  # once per change, not every evaluation while the disk stays full
            log.warning(
                "alert changes not stored (%s): %d kept in memory until the store writes again",
                error,
                len(self._unstored),
            )
            await self._dispatcher.deliver_unstored(changed, now)
        return changed

    async def _evaluate_in_tx(
        self,
        metrics: Collection[str] | None,
        by_metric: dict[str, list[_Series]],
        now: datetime,
        fresh_since: float,
    ) -> list[Alert]:
        """One evaluation's transaction; returns the alerts that changed."""
        changed: list[int] = []
        async with self._store.tx() as tx:
            open_alerts = await self._open_alerts(tx)
            if not self._restored:
                self._restored = True
                await self._restore(tx, open_alerts, now)
            if self._dry:
                self._unstored.overlay(open_alerts)
            open_by_pair = {self._pair_of(a): a for a in open_alerts.values()}
            open_series = {
                (self._rules_by_name[name].metric, labelset)
                for name, labelset in open_by_pair
                if name in self._rules_by_name
            }
            ctx = _Pass(tx, now, fresh_since, open_alerts, open_by_pair, open_series)
            for metric, plan in self._plans.items():
                if metrics is None or metric in metrics:
                    changed += await self._evaluate_metric(ctx, metric, plan, by_metric[metric])
            for key, current in open_alerts.items():
                owner = self._rules_by_name.get(current.rule)
                if key in ctx.seen or (
                    metrics is not None and owner is not None and owner.metric not in metrics
                ):
                    continue
                if owner is None:
                    changed += await self._retire(tx, current, now)
                else:
                    labels = {k: v for k, v in current.labels.items() if k != "severity"}
                    changed += await self._step(ctx, owner, labels, key, None)
            if self._dry:
                raise StoreWriteError(f"{len(self._applied)} changes found, none written")
            changed += await self._flush_writes(tx, now)
            await tx.alerts.update_values(self._values, now)
            still_open = {a.id for a in open_alerts.values()}
            self._value_written = {i: t for i, t in self._value_written.items() if i in still_open}
            alerts = await tx.alerts.get_many(changed)
            if changed:
                self._open_cache = None  # stale now; read again next time
            if alerts:
                await self._dispatcher.on_alerts(tx, alerts, now)
            if self._dispatcher.flaps.enabled:
                scope = None if metrics is None else frozenset(metrics)
                observed = self._observations(ctx, alerts)
                await self._dispatcher.observe(tx, observed, scope, now)
            await self._note_evaluation(tx, now, bool(alerts or open_alerts))
        return alerts

    async def _evaluate_metric(
        self, ctx: _Pass, metric: str, plan: MetricPlan, series: list[_Series]
    ) -> list[int]:
        """Evaluate one metric's rules over its series; returns the alerts that changed."""
        changed: list[int] = []
        stamp = ctx.now.timestamp()
        for rule in plan.absent:
            matched = [s for s, _ in series if all_match(rule.matchers, s.labels)]
            labels, silent_for = self._absence(rule, matched, stamp)
            changed += await self._step(ctx, rule, labels, identity(labels), silent_for)
        for rule in plan.general:
            alert_on_gaps = rule.nodata in (NoData.ALERTING, NoData.NODATA)
            for sample, labelset in series:
                stale = sample.time < ctx.fresh_since
                if (stale and not alert_on_gaps) or not all_match(rule.matchers, sample.labels):
                    continue
                value = (
                    None if stale else rule_value(rule, sample, self._recent, _series_key, stamp)
                )
                labels, key = self._identify(rule, sample, labelset, ctx.open_by_pair)
                changed += await self._step(ctx, rule, labels, key, value)
        for sample, labelset in series:
            if sample.time < ctx.fresh_since or (
                (metric, labelset) not in ctx.open_series and plan.all_fine(sample.value)
            ):
                continue  # below every plain threshold and no alert: the common case
            for rule in plan.simple:
                if (rule.name, labelset) in ctx.open_by_pair or breaches(rule, sample.value):
                    labels, key = self._identify(rule, sample, labelset, ctx.open_by_pair)
                    changed += await self._step(ctx, rule, labels, key, sample.value)
        return changed

    async def _flush_writes(self, tx: Tx, now: datetime) -> list[int]:
        """Insert the pass's new alerts and its history events, each in one statement; returns
        the new alerts' ids."""
        created = await tx.alerts.create_many([new for new, _ in self._creates], now)
        events = [(i, e) for i, (_, e) in zip(created, self._creates, strict=True)]
        await tx.alerts.add_events([*events, *self._events])
        self._creates, self._events = [], []
        return created

    def _observations(self, ctx: _Pass, changed: list[Alert]) -> dict[str, Observation]:
        """What flap detection learns from this pass: each alert evaluated, firing or not."""
        newest = {a.fingerprint: a for a in changed}
        out: dict[str, Observation] = {}
        for key, metric in ctx.seen.items():
            status = self._status.get(key)
            problem = status is not None and status.state in _PROBLEM
            alert = newest.get(key) or ctx.open_alerts.get(key)
            out[key] = Observation(metric, problem, alert.id if alert else None)
        return out

    def _written(self, samples: Sequence[Sample]) -> None:
        """Keep the suspects up to date with samples the TSDB just took in."""
        if self._suspects is not None:
            self._suspects.note(samples)

    def _all_quiet(
        self,
        suspects: Suspects,
        metrics: Collection[str] | None,
        fresh_since: float,
    ) -> bool:
        """Whether this evaluation provably changes nothing, so it needs no transaction: no
        alert was open at the last look (only evaluation opens alerts), every rule in scope is
        a plain threshold, and every fresh sample is clear of them all (no suspect is fresh).
        The usual idle case."""
        if self._open_cache is None or self._open_cache[1] or self._unstored:
            return False
        if self._dispatcher.flaps.watching(metrics):
            return False  # a series that flapped is counted down while it is quiet
        for metric, plan in self._plans.items():
            if metrics is not None and metric not in metrics:
                continue
            if plan.general or plan.absent:
                return False
            if suspects.any_fresh(metric, fresh_since):
                return False
        return True

    async def _open_alerts(self, tx: Tx) -> dict[str, Alert]:
        """The open alerts by fingerprint: read again only when they changed (a cheap query
        tells), since decoding thousands of rows every evaluation would dominate it."""
        signature = await tx.alerts.open_signature()
        if self._open_cache is None or self._open_cache[0] != signature:
            self._open_cache = (signature, {a.fingerprint: a for a in await tx.alerts.open()})
        return dict(self._open_cache[1])

    @staticmethod
    def _identify(
        rule: Rule,
        sample: Sample,
        labelset: frozenset[tuple[str, str]],
        open_by_pair: dict[tuple[str, frozenset[tuple[str, str]]], Alert],
    ) -> tuple[dict[str, str], str]:
        """The labels and fingerprint of ``rule``'s alert for a series: an open alert's own,
        else computed (hashing labels is the costly part of evaluating many series)."""
        current = open_by_pair.get((rule.name, labelset))
        if current is not None:
            return {k: v for k, v in current.labels.items() if k != "severity"}, current.fingerprint
        labels = alert_labels(rule, sample.labels)
        return labels, identity(labels)

    def _pair_of(self, alert: Alert) -> tuple[str, frozenset[tuple[str, str]]]:
        """(rule, series labels) of an open alert: its labels without what the rule added."""
        rule = self._rules_by_name.get(alert.rule)
        added = {"alertname", "severity", *(rule.labels if rule else ())}
        return alert.rule, frozenset((k, v) for k, v in alert.labels.items() if k not in added)

    async def _restore(self, tx: Tx, open_alerts: dict[str, Alert], now: datetime) -> None:
        """After a restart, carry pending alerts over the downtime (Prometheus's ``for`` state
        restore); firing ones simply stay firing, without a new notification."""
        noted = await tx.meta.get(LAST_EVALUATION)
        if noted is None:
            return
        down_at = datetime.fromisoformat(noted)
        for key, alert in list(open_alerts.items()):
            rule = self._rules_by_name.get(alert.rule)
            if rule is None or alert.state is not AlertState.PENDING:
                continue
            status = AlertStatus(alert.state, alert.started_at, alert.severity)
            restored = restore(rule, status, down_at, now)
            if restored is None:
                await tx.alerts.delete(alert.id)
                del open_alerts[key]
            elif restored != status:
                await tx.alerts.update(alert.id, now, active_at=restored.active_at)
                open_alerts[key] = msgspec.structs.replace(alert, started_at=restored.active_at)

    def _note_value(self, alert_id: int, value: float, now: datetime) -> None:
        """Queue an open alert's new value for the store, at most once a minute per alert: the
        value is for people looking, and writing every evaluation would wear an SD card."""
        written = self._value_written.get(alert_id)
        if written is None or now - written >= NOTE_EVERY:
            self._values.append((alert_id, value))
            self._value_written[alert_id] = now

    async def _note_evaluation(self, tx: Tx, now: datetime, alerts_open: bool) -> None:
        """Remember when rules were evaluated, for ``_restore`` after a restart: at most once a
        minute and only while alerts are open, so an idle hub writes nothing."""
        if alerts_open and (self._noted is None or now - self._noted >= NOTE_EVERY):
            await tx.meta.set(LAST_EVALUATION, now.isoformat())
            self._noted = now

    def _absence(
        self, rule: Rule, series: list[Sample], now: float
    ) -> tuple[dict[str, str], float]:
        """An absent rule's labels (the selector's equality labels) and seconds without data."""
        labels = {m.label: m.value for m in rule.matchers if m.op is MatchOp.EQ}
        newest = max((s.time for s in series), default=None)
        since = newest if newest is not None else self._started.timestamp()
        return alert_labels(rule, labels), max(0.0, now - since)

    async def _feed_recent(self, newest: dict[str, list[Sample]], now: datetime) -> None:
        """Keep the windows of rules that aggregate or predict; seed them once from the store."""
        if not self._window_metrics:
            return
        if not self._seeded:
            self._seeded = True
            start = now - timedelta(seconds=self._recent.span)
            for metric in self._window_metrics:
                for series in await self._tsdb.range(metric, start, now):
                    key = fingerprint({**series.labels, "__name__": series.name})
                    self._recent.extend(key, series.times, series.values)
        for metric in self._window_metrics:
            for sample in newest.get(metric, ()):
                self._recent.add(_series_key(sample), sample.time, sample.value)
        self._recent.sweep(now.timestamp())

    async def acknowledge(
        self, alert_id: int, by: str, comment: str | None
    ) -> tuple[Alert, AckOutcome]:
        """Acknowledge an open alert; idempotent, and a resolved alert stays resolved.

        Raises:
            AlertNotFoundError: no alert has that id.
        """
        now = self._clock.now()
        async with self._store.tx() as tx:
            alert = await self._get(tx, alert_id)
            if alert.state is AlertState.RESOLVED:
                return alert, AckOutcome.RESOLVED
            if alert.state is AlertState.ACKNOWLEDGED:
                return alert, AckOutcome.ALREADY
            await tx.alerts.update(
                alert_id,
                now,
                state=AlertState.ACKNOWLEDGED,
                acknowledged_at=now,
                acknowledged_by=by,
                ack_comment=comment,
            )
            await tx.alerts.add_event(
                alert_id,
                AlertEvent(
                    now, "ack", alert.state, AlertState.ACKNOWLEDGED, alert.value, by, comment
                ),
            )
            alert = await self._get(tx, alert_id)
            await self._dispatcher.on_alerts(tx, [alert], now)
        self._bus.publish("alert", alert)
        return alert, AckOutcome.ACKNOWLEDGED

    async def resolve(self, alert_id: int, by: str, comment: str | None) -> Alert:
        """Resolve an open alert by hand, for rules with ``manual_resolve: true`` (conditions
        that never clear by themselves); a resolved alert stays as it is.

        Raises:
            AlertNotFoundError: no alert has that id.
            ManualResolveRefusedError: the alert's rule does not allow it.
        """
        now = self._clock.now()
        async with self._store.tx() as tx:
            alert = await self._get(tx, alert_id)
            if alert.state is AlertState.RESOLVED:
                return alert
            rule = self._rules_by_name.get(alert.rule)
            if rule is not None and not rule.manual_resolve:
                raise ManualResolveRefusedError(
                    f"rule {alert.rule} resolves by itself; set `manual_resolve: true` on it "
                    "to allow resolving its alerts by hand"
                )
            await tx.alerts.update(alert_id, now, state=AlertState.RESOLVED, resolved_at=now)
            await tx.alerts.add_event(
                alert_id,
                AlertEvent(
                    now, "resolve", alert.state, AlertState.RESOLVED, alert.value, by, comment
                ),
            )
            self._status.pop(alert.fingerprint, None)
            self._resolved_by_hand.add(alert.fingerprint)
            alert = await self._get(tx, alert_id)
            await self._dispatcher.on_alerts(tx, [alert], now)
        self._bus.publish("alert", alert)
        return alert

    async def unacknowledge(self, alert_id: int, by: str) -> Alert:
        """Take an acknowledgement back; the alert is firing (or pending) again.

        Raises:
            AlertNotFoundError: no alert has that id.
        """
        now = self._clock.now()
        async with self._store.tx() as tx:
            alert = await self._get(tx, alert_id)
            if alert.state is not AlertState.ACKNOWLEDGED:
                return alert
            back = AlertState.FIRING if alert.fired_at else AlertState.PENDING
            await tx.alerts.update(
                alert_id,
                now,
                state=back,
                acknowledged_at=None,
                acknowledged_by=None,
                ack_comment=None,
            )
            await tx.alerts.add_event(
                alert_id, AlertEvent(now, "unack", AlertState.ACKNOWLEDGED, back, alert.value, by)
            )
            alert = await self._get(tx, alert_id)
            await self._dispatcher.on_alerts(tx, [alert], now)
        self._bus.publish("alert", alert)
        return alert

    async def _get(self, tx: Tx, alert_id: int) -> Alert:
        alert = await tx.alerts.get(alert_id)
        if alert is None:
            raise AlertNotFoundError(alert_id)
        return alert

    async def _step(
        self,
        ctx: _Pass,
        rule: Rule,
        labels: dict[str, str],
        key: str,
        value: float | None,
    ) -> list[int]:
        """Evaluate ``rule`` for the alert ``key`` on its series' value (None: no data) and
        apply the transition, if any; returns the ids of the stored alerts it changed (a new
        alert's id comes later, from ``_flush_writes``)."""
        ctx.seen[key] = rule.metric
        tx, open_alerts, now = ctx.tx, ctx.open_alerts, ctx.now
        if key in self._resolved_by_hand:
            if value is not None and breaches(rule, value):
                return []  # resolved by hand: it may fire again once the condition cleared
            self._resolved_by_hand.discard(key)
        current = open_alerts.get(key)
        previous = self._status.get(key)
        if previous is None and current is not None:
            previous = AlertStatus(current.state, current.started_at, current.severity)
        elif previous is not None and current is not None and previous.state != current.state:
            # acknowledged, unacknowledged or timed out since: the store knows best
            previous = msgspec.structs.replace(previous, state=current.state)
        status, transition = evaluate(rule, labels, value, previous, now)
        if status is None:
            self._status.pop(key, None)
        else:
            self._status[key] = status
        if transition is None:
            if current is not None and value is not None and value != current.value:
                self._note_value(current.id, value, now)
            return []
        change = Change(rule, key, current, transition)
        self._applied.append(change)
        applied = await self._apply(tx, change)
        return [] if applied is None else [applied]

    async def _apply(self, tx: Tx, change: Change) -> int | None:
        """Store a transition (its ``note`` goes into its history event); a new alert is only
        queued (``_flush_writes`` inserts the pass's new alerts and history events in two
        statements) and gives None."""
        if self._dry:
            return None
        rule, key, current, t, note = change
        now = t.at
        labels = {**t.labels, "severity": t.severity}
        if current is None:
            assert t.to_state is not None  # noqa: S101 (evaluate never forgets the unknown)
            new = NewAlert(
                fingerprint=key,
                rule=rule.name,
                state=t.to_state,
                severity=t.severity,
                labels=labels,
                annotations=render_annotations(rule, labels, t.value, t.severity, nodata=t.nodata),
                value=t.value,
                active_at=t.active_at,
            )
            event = AlertEvent(now, "state", t.from_state, t.to_state, t.value, comment=note)
            self._creates.append((new, event))
            return None
        alert_id = current.id
        if t.to_state is None:
            await tx.alerts.delete(alert_id)
            return alert_id
        values: dict[str, object] = {
            "state": t.to_state,
            "value": t.value,
            "severity": t.severity,
            "labels": labels,
            "annotations": render_annotations(rule, labels, t.value, t.severity, nodata=t.nodata),
        }
        if t.to_state is AlertState.FIRING and current.state is AlertState.PENDING:
            values["fired_at"] = now
        if t.to_state is AlertState.RESOLVED:
            values["resolved_at"] = now
        await tx.alerts.update(alert_id, now, **values)
        kind, comment = "state", note
        if t.from_severity is not None:
            kind, comment = "severity", f"severity {t.from_severity} -> {t.severity}"
        event = AlertEvent(now, kind, t.from_state, t.to_state, t.value, comment=comment)
        self._events.append((alert_id, event))
        return alert_id

    async def _retire(self, tx: Tx, alert: Alert, now: datetime) -> list[int]:
        """Resolve an alert whose rule no longer exists."""
        if self._dry:
            return []
        await tx.alerts.update(alert.id, now, state=AlertState.RESOLVED, resolved_at=now)
        await tx.alerts.add_event(
            alert.id, AlertEvent(now, "rule_removed", alert.state, AlertState.RESOLVED, alert.value)
        )
        return [alert.id]


def identity(labels: dict[str, str]) -> str:
    """An alert's fingerprint: its labels without ``severity``, which may change over time."""
    return fingerprint({k: v for k, v in labels.items() if k != "severity"})


def _series_key(sample: Sample) -> str:
    return fingerprint({**sample.labels, "__name__": sample.name})
