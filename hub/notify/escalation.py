"""Escalation policies and acknowledgement (PagerDuty, Opsgenie, Grafana OnCall, Nagios), pure.

A policy is ordered steps (notify these channels, then wait before the next step); the chain
runs once and then repeats up to ``repeat`` more times (at most 9, PagerDuty's limit). An
acknowledgement, a resolve or a silence stops it.

The caller keeps one :class:`EscalationState` per firing alert: :func:`start` when the alert
fires, :func:`due_steps` at :func:`next_wakeup` (or on every tick) to get the
:class:`StepAction` s to notify, and ``on_*`` for what happens to the alert. Every function
returns a new state; nothing here reads the clock or does I/O.

Acknowledgement:

* sticky (``sticky: true``, the default; Nagios ``sticky=2``): lasts until the alert resolves;
* non-sticky: cleared when the severity rises (warning to critical) and escalation restarts
  from the first step (Nagios clears it on any state change; a better severity pages nobody
  here);
* ``ack_timeout`` (PagerDuty, 30 min when given as ``true``): an alert still acknowledged and
  firing after it is triggered again and escalation restarts from the first step, notifying
  the person who acknowledged too (``StepAction.renotify``);
* idempotent: the first acknowledgement wins, later ones report :attr:`AckResult.ALREADY`;
  acknowledging a resolved alert reports :attr:`AckResult.RESOLVED` and changes nothing.

References: https://support.pagerduty.com/main/docs/escalation-policies (repeat ≤ 9),
https://support.pagerduty.com/main/docs/incidents (acknowledgement timeout),
https://assets.nagios.com/downloads/nagioscore/docs/nagioscore/4/en/extcommands.html
(ACKNOWLEDGE_SVC_PROBLEM, sticky).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

import msgspec

from hub.domain.rules import Severity, severity_rank
from hub.lib.durations import Seconds
from hub.lib.yamlconf import PathKey, YamlDoc

MAX_REPEAT = 9
"""Most times a chain may repeat after its first run (PagerDuty ``num_loops``)."""
DEFAULT_ACK_TIMEOUT = Seconds(30 * 60)
"""The ack timeout meant by ``ack_timeout: true`` (PagerDuty's default)."""
DEFAULT_STEP_WAIT = Seconds(30 * 60)
"""Wait after a step when none is given (PagerDuty's default escalation timeout)."""


class EscalationStep(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One step: notify ``notify``, then wait ``wait`` before the next step."""

    notify: tuple[str, ...]
    """Names of the channels this step notifies."""
    wait: Seconds = DEFAULT_STEP_WAIT
    """Seconds before the next step (after the last step: before the chain repeats)."""


class EscalationPolicy(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An escalation policy, as written under ``escalation.policies.NAME``."""

    steps: tuple[EscalationStep, ...]
    """The steps in order; at least one."""
    name: str = ""
    """The policy's key under ``policies``."""
    repeat: int = 0
    """Times the whole chain runs again after its first run, 0 to 9."""
    sticky: bool = True
    """Acknowledgement lasts until resolve; false: a rise in severity clears it."""
    ack_timeout: Seconds | None = None
    """Seconds after which an acknowledged alert still firing is triggered again; none: never."""
    severities: tuple[Severity, ...] = ()
    """Alerts of these severities use this policy; empty: any severity."""
    routes: tuple[str, ...] = ()
    """Alerts delivered by these routes use this policy; empty: any route."""


class EscalationConfig(msgspec.Struct, frozen=True):
    """The ``escalation:`` section: policies in the order they are tried."""

    policies: tuple[EscalationPolicy, ...] = ()


class Phase(enum.StrEnum):
    """Where an escalation is."""

    TRIGGERED = "triggered"
    """Firing and not acknowledged: steps run."""
    ACKNOWLEDGED = "acknowledged"
    """Someone took it: no steps until resolve, ack timeout or the ack is cleared."""
    SILENCED = "silenced"
    """Silenced: no steps until the silence ends."""
    RESOLVED = "resolved"
    """Over: nothing more happens."""


class StepReason(enum.StrEnum):
    """Why a step is notified."""

    ESCALATION = "escalation"
    ACK_TIMEOUT = "ack_timeout"
    ACK_CLEARED = "ack_cleared"
    UNACKNOWLEDGED = "unacknowledged"
    SILENCE_ENDED = "silence_ended"


class AckResult(enum.StrEnum):
    """What an acknowledgement did."""

    ACKNOWLEDGED = "acknowledged"
    ALREADY = "already acknowledged"
    RESOLVED = "already resolved"


class Ack(msgspec.Struct, frozen=True):
    """Who acknowledged, when, and when the acknowledgement runs out."""

    by: str
    at: datetime
    expires_at: datetime | None = None


class StepAction(msgspec.Struct, frozen=True):
    """Notify ``channels`` about the alert: step ``step`` of pass ``loop`` of ``policy``."""

    alert_key: str
    policy: str
    step: int
    """Index into the policy's steps."""
    loop: int
    """0 for the first run of the chain, up to the policy's ``repeat``."""
    channels: tuple[str, ...]
    severity: Severity
    due_at: datetime
    """When the step was due (earlier than ``now`` when :func:`due_steps` runs late)."""
    reason: StepReason = StepReason.ESCALATION
    renotify: str | None = None
    """Who had acknowledged before the escalation restarted; notify them as well."""


class EscalationState(msgspec.Struct, frozen=True):
    """The escalation of one alert; persist it as is. Build it with :func:`start`."""

    policy: EscalationPolicy
    alert_key: str
    severity: Severity
    phase: Phase = Phase.TRIGGERED
    step: int = 0
    """The step that fires at ``next_at``."""
    loop: int = 0
    next_at: datetime | None = None
    """When ``step`` fires; ``None`` once the chain and its repeats are done, or stopped."""
    ack: Ack | None = None
    reason: StepReason = StepReason.ESCALATION
    """Reason given to the next step notified."""
    renotify: str | None = None
    """Person given to the next step notified (see :attr:`StepAction.renotify`)."""


def start(
    policy: EscalationPolicy, alert_key: str, now: datetime, *, severity: Severity
) -> EscalationState:
    """The escalation of an alert that fires at ``now``; its first step is due at once."""
    return EscalationState(policy, alert_key, severity, next_at=now)


def due_steps(state: EscalationState, now: datetime) -> tuple[EscalationState, list[StepAction]]:
    """The steps due by ``now``, in order, and the state after them.

    An acknowledgement past its timeout is taken back first, restarting from step 0. A late
    call returns every step missed, each with the time it was due, so the schedule never
    drifts: step ``n + 1`` is due exactly ``wait`` after step ``n`` was due.
    """
    ack = state.ack
    if state.phase is Phase.ACKNOWLEDGED and ack and ack.expires_at and now >= ack.expires_at:
        state = _restart(state, ack.expires_at, StepReason.ACK_TIMEOUT, ack.by)
    actions: list[StepAction] = []
    while state.phase is Phase.TRIGGERED and state.next_at is not None and state.next_at <= now:
        actions.append(_action(state, state.next_at))
        state = _advance(state, state.next_at)
    return state, actions


def on_ack(state: EscalationState, now: datetime, by: str) -> tuple[EscalationState, AckResult]:
    """Acknowledge: no more steps until resolve, ack timeout or the ack is cleared.

    Idempotent: the first acknowledgement wins; a resolved alert stays resolved.
    """
    if state.phase is Phase.RESOLVED:
        return state, AckResult.RESOLVED
    if state.ack is not None:
        return state, AckResult.ALREADY
    timeout = state.policy.ack_timeout
    expires = now + timedelta(seconds=timeout) if timeout else None
    phase = Phase.SILENCED if state.phase is Phase.SILENCED else Phase.ACKNOWLEDGED
    acked = msgspec.structs.replace(
        state, phase=phase, ack=Ack(by, now, expires), next_at=None, renotify=None
    )
    return acked, AckResult.ACKNOWLEDGED


def on_unack(state: EscalationState, now: datetime) -> EscalationState:
    """Take the acknowledgement back: escalation restarts from step 0 (unless silenced)."""
    if state.ack is None or state.phase is Phase.RESOLVED:
        return state
    if state.phase is Phase.SILENCED:
        return msgspec.structs.replace(state, ack=None)
    return _restart(state, now, StepReason.UNACKNOWLEDGED, None)


def on_resolve(state: EscalationState, now: datetime) -> EscalationState:
    """The alert resolved: every pending step is cancelled and the ack ends with it."""
    del now  # part of the uniform on_*(state, now) shape; resolving needs no time
    return msgspec.structs.replace(state, phase=Phase.RESOLVED, next_at=None, renotify=None)


def on_silence(state: EscalationState, now: datetime) -> EscalationState:
    """A silence covers the alert: no steps while it lasts."""
    del now
    if state.phase is Phase.RESOLVED:
        return state
    return msgspec.structs.replace(state, phase=Phase.SILENCED, next_at=None)


def on_silence_end(state: EscalationState, now: datetime) -> EscalationState:
    """The silence ended with the alert still firing: escalation restarts from step 0.

    An acknowledged alert stays acknowledged (its timeout, if passed, applies at once).
    """
    if state.phase is not Phase.SILENCED:
        return state
    if state.ack is not None:
        return msgspec.structs.replace(state, phase=Phase.ACKNOWLEDGED)
    return _restart(state, now, StepReason.SILENCE_ENDED, None)


def on_severity_change(
    state: EscalationState, new_severity: Severity, now: datetime
) -> EscalationState:
    """The alert's severity changed; a rise clears a non-sticky ack and restarts escalation.

    The person whose ack was cleared is notified again with the first step.
    """
    if state.phase is Phase.RESOLVED or new_severity is state.severity:
        return state
    rose = severity_rank(new_severity) > severity_rank(state.severity)
    state = msgspec.structs.replace(state, severity=new_severity)
    ack = state.ack
    if ack is None or state.policy.sticky or not rose:
        return state
    if state.phase is Phase.SILENCED:
        return msgspec.structs.replace(state, ack=None)
    return _restart(state, now, StepReason.ACK_CLEARED, ack.by)


def next_wakeup(state: EscalationState) -> datetime | None:
    """When :func:`due_steps` next has work: a step, or an ack timeout; ``None``: never."""
    if state.phase is Phase.TRIGGERED:
        return state.next_at
    if state.phase is Phase.ACKNOWLEDGED and state.ack is not None:
        return state.ack.expires_at
    return None


def select_policy(
    policies: Sequence[EscalationPolicy],
    severity: Severity,
    route_names: str | Collection[str] | None = None,
) -> EscalationPolicy | None:
    """The first policy whose ``severities`` and ``routes`` admit the alert (empty admits any).

    ``route_names`` are the names of the routes the alert takes (one name or several); a
    policy with ``routes`` admits the alert when it takes any of them. Put a policy with
    neither last to catch every other alert; ``None`` when none admits it.
    """
    taken = {route_names} if isinstance(route_names, str) else set(route_names or ())
    for policy in policies:
        if policy.severities and severity not in policy.severities:
            continue
        if policy.routes and not taken.intersection(policy.routes):
            continue
        return policy
    return None


def parse_escalation(
    section: object,
    doc: YamlDoc | None = None,
    *,
    channels: Collection[str] | None = None,
    path: PathKey = ("escalation",),
) -> EscalationConfig:
    """The ``escalation:`` section of a YAML document (``None`` when the section is absent).

    Args:
        section: the section's value as loaded from YAML.
        doc: the document it came from, so errors carry file and line.
        channels: names of the configured channels; when given, steps must name only these.
        path: where the section is in the document.

    Raises:
        ConfigError: naming the field, e.g. ``escalation.policies.oncall.repeat``, and why.
    """
    doc = doc or YamlDoc("monitoring.yml", section, {})
    if section is None:
        return EscalationConfig()
    if not isinstance(section, dict):
        raise doc.error(path, "expected a mapping with a 'policies' mapping")
    for key in section:
        if key != "policies":
            raise doc.error((*path, key), "unknown field (expected 'policies')")
    raw_policies = section.get("policies") or {}
    if not isinstance(raw_policies, dict):
        raise doc.error((*path, "policies"), "expected a mapping of policy name to policy")
    return EscalationConfig(
        tuple(
            _parse_policy(doc, (*path, "policies", str(name)), str(name), raw, channels)
            for name, raw in raw_policies.items()
        )
    )


def _parse_policy(
    doc: YamlDoc, where: PathKey, name: str, raw: Any, channels: Collection[str] | None
) -> EscalationPolicy:
    if not isinstance(raw, dict):
        raise doc.error(where, "expected a mapping with 'steps'")
    if "name" in raw:
        raise doc.error((*where, "name"), "unknown field (a policy is named by its key)")
    fields = dict(raw)
    if fields.get("ack_timeout") is True:
        fields["ack_timeout"] = DEFAULT_ACK_TIMEOUT
    elif fields.get("ack_timeout") is False:
        fields["ack_timeout"] = None
    policy = doc.convert(fields, EscalationPolicy, where)
    if not policy.steps:
        raise doc.error((*where, "steps"), "a policy needs at least one step")
    if not 0 <= policy.repeat <= MAX_REPEAT:
        raise doc.error((*where, "repeat"), f"must be 0 to {MAX_REPEAT}, got {policy.repeat}")
    if policy.ack_timeout is not None and policy.ack_timeout <= 0:
        raise doc.error((*where, "ack_timeout"), "must be longer than 0 (or false for never)")
    for index, step in enumerate(policy.steps):
        _check_step(doc, (*where, "steps", index), step, channels)
    return msgspec.structs.replace(policy, name=name)


def _check_step(
    doc: YamlDoc, where: PathKey, step: EscalationStep, channels: Collection[str] | None
) -> None:
    if not step.notify:
        raise doc.error((*where, "notify"), "name at least one channel")
    if step.wait <= 0:
        raise doc.error((*where, "wait"), "must be longer than 0")
    for channel in step.notify:
        if channels is not None and channel not in channels:
            raise doc.error((*where, "notify"), f"no channel named {channel!r}")


def _action(state: EscalationState, due_at: datetime) -> StepAction:
    return StepAction(
        state.alert_key,
        state.policy.name,
        state.step,
        state.loop,
        state.policy.steps[state.step].notify,
        state.severity,
        due_at,
        state.reason,
        state.renotify,
    )


def _advance(state: EscalationState, fired_at: datetime) -> EscalationState:
    """The state after step ``state.step`` fired at ``fired_at``."""
    policy = state.policy
    next_at: datetime | None = fired_at + timedelta(seconds=policy.steps[state.step].wait)
    step, loop = state.step + 1, state.loop
    if step == len(policy.steps):
        if loop < policy.repeat:
            step, loop = 0, loop + 1
        else:
            step, next_at = state.step, None
    return msgspec.structs.replace(
        state,
        step=step,
        loop=loop,
        next_at=next_at,
        reason=StepReason.ESCALATION,
        renotify=None,
    )


def _restart(
    state: EscalationState, at: datetime, reason: StepReason, renotify: str | None
) -> EscalationState:
    """Triggered again at ``at``: step 0 of the first run, no acknowledgement."""
    return msgspec.structs.replace(
        state,
        phase=Phase.TRIGGERED,
        step=0,
        loop=0,
        next_at=at,
        ack=None,
        reason=reason,
        renotify=renotify,
    )
