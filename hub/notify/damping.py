"""Notification damping (Netdata ``delay: up U down D multiplier M max X``), pure.

Each status change of an alert is held before it is notified: ``up`` for a change to a worse
status, ``down`` for a change to a better one. A newer change of the same alert supersedes the
held one, which is then never sent. While changes keep arriving during a delay, both delays
grow by ``multiplier`` (capped at ``max``); the first change after the held one fell due
starts again from ``up`` and ``down``. When a held change falls due it is dropped if it
repeats the status last sent, or if it is an OK with nothing sent before.

The caller keeps one :class:`DampingState` per alert identity, calls :func:`submit` on every
status change, :func:`due` when :func:`next_due` comes (or on every tick), and notifies the
changes :func:`due` returns.

Reference: https://github.com/netdata/netdata/blob/master/src/health/REFERENCE.md#alert-line-delay
and Netdata ``health/health.c`` (the hysteresis on a status change,
``health_alarm_log_process``, and ``health_alarm_execute``). Netdata's documented example table
slips in its arithmetic; we follow the source, which multiplies both delays at every change
made while a delay is running.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import msgspec

from hub.domain.rules import Severity
from hub.lib.durations import Seconds, parse_duration


class Status(enum.IntEnum):
    """An alert's status for damping, ordered from best to worst (Netdata CLEAR < WARNING <
    CRITICAL)."""

    OK = 0
    INFO = 1
    WARNING = 2
    CRITICAL = 3

    @classmethod
    def of(cls, severity: Severity | None) -> Status:
        """The status of an alert firing at ``severity``; ``None`` means it is not firing."""
        return cls.OK if severity is None else cls[severity.name]


class DampingPolicy(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Netdata's ``delay:`` line. All zero (the default) holds nothing."""

    up: Seconds = Seconds(0)
    """Hold for a change to a worse status (CLEAR to WARNING, WARNING to CRITICAL)."""
    down: Seconds = Seconds(0)
    """Hold for a change to a better status (CRITICAL to WARNING, WARNING to CLEAR)."""
    multiplier: float = 1.0
    """Both holds are multiplied by this at each change made while a hold is running."""
    max: Seconds | None = None
    """The longest hold; default ``max(up, down) * multiplier`` (Netdata's default)."""

    def __post_init__(self) -> None:
        if self.multiplier < 1:
            raise ValueError(f"multiplier must be at least 1, got {self.multiplier:g}")

    @property
    def max_delay(self) -> float:
        """The cap on a hold in seconds, with Netdata's default when ``max`` is unset."""
        if self.max is not None:
            return float(self.max)
        return max(self.up, self.down) * self.multiplier


class Change(msgspec.Struct, frozen=True):
    """A status change handed to damping; ``ref`` is the caller's own handle (an event id)."""

    status: Status
    ref: str = ""


class HeldChange(msgspec.Struct, frozen=True):
    """A change being held, or released by :func:`due` to be notified."""

    change: Change
    previous: Status
    """The status before the change (worse or better decides the hold)."""
    changed_at: datetime
    due_at: datetime


class DampingState(msgspec.Struct, frozen=True):
    """What damping remembers about one alert; persist it as is."""

    policy: DampingPolicy = DampingPolicy()
    """The alert's ``delay`` (replace with ``msgspec.structs.replace`` on reload)."""
    status: Status = Status.OK
    """The alert's status after the newest change submitted."""
    up_delay: float = 0.0
    """The current hold for a worse status, seconds (grows while changes keep coming)."""
    down_delay: float = 0.0
    """The current hold for a better status, seconds."""
    hold_until: datetime | None = None
    """When the newest change falls due (Netdata ``delay_up_to_timestamp``)."""
    held: HeldChange | None = None
    """The change waiting to be notified; at most one, newer changes supersede it."""
    last_sent: Status | None = None
    """The status of the last change released, ``None`` before the first."""


def parse_delay(text: str) -> DampingPolicy:
    """A policy from Netdata's form, e.g. ``up 10s down 15m multiplier 2 max 1h``.

    Raises:
        ValueError: an unknown word, a missing value or a value that is not a duration.
    """
    words = text.split()
    if len(words) % 2:
        raise ValueError(f"expected pairs like 'up 10s down 15m multiplier 2 max 1h': {text!r}")
    given: dict[str, float] = {}
    for key, value in zip(words[::2], words[1::2], strict=True):
        if key in ("up", "down", "max"):
            given[key] = parse_duration(value)
        elif key == "multiplier":
            given[key] = _multiplier(value)
        else:
            raise ValueError(f"unknown word {key!r} (expected up, down, multiplier or max)")
    limit = given.get("max")
    return DampingPolicy(
        up=Seconds(given.get("up", 0)),
        down=Seconds(given.get("down", 0)),
        multiplier=given.get("multiplier", 1.0),
        max=None if limit is None else Seconds(limit),
    )


def submit(state: DampingState, change: Change, now: datetime) -> DampingState:
    """Hold ``change`` (made at ``now``); it supersedes any change still held.

    A change to the status the alert already has is ignored (it is not a change).
    """
    if change.status == state.status:
        return state
    policy = state.policy
    if state.hold_until is None or now > state.hold_until:
        up_delay, down_delay = float(policy.up), float(policy.down)
    else:
        cap = policy.max_delay
        up_delay = min(state.up_delay * policy.multiplier, cap)
        down_delay = min(state.down_delay * policy.multiplier, cap)
    delay = up_delay if change.status > state.status else down_delay
    due_at = now + timedelta(seconds=delay)
    return msgspec.structs.replace(
        state,
        status=change.status,
        up_delay=up_delay,
        down_delay=down_delay,
        hold_until=due_at,
        held=HeldChange(change, state.status, now, due_at),
    )


def due(state: DampingState, now: datetime) -> tuple[DampingState, list[HeldChange]]:
    """Release the held change if its hold is over; returns the changes to notify (0 or 1).

    A released change is dropped (not returned) when its status is the one last sent, or
    when it is OK and nothing was ever sent: the recipients already know.
    """
    held = state.held
    if held is None or now < held.due_at:
        return state, []
    status = held.change.status
    already_known = status == state.last_sent or (state.last_sent is None and status is Status.OK)
    if already_known:
        return msgspec.structs.replace(state, held=None), []
    return msgspec.structs.replace(state, held=None, last_sent=status), [held]


def next_due(state: DampingState) -> datetime | None:
    """When :func:`due` next has something to release; ``None`` when nothing is held."""
    return state.held.due_at if state.held else None


def _multiplier(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"multiplier must be a number, got {text!r}") from None
    if value < 1:
        raise ValueError(f"multiplier must be at least 1, got {text!r}")
    return value
