"""Flap detection (Nagios): weighted state changes over the last 21 observations of an alert.

Pure: the caller keeps one :class:`FlapState` per alert identity (fingerprint), calls
:func:`observe` once per evaluation of that alert with whether it is a problem (firing,
acknowledged or not), and

* suppresses the alert's ordinary notifications while :func:`is_flapping` is true;
* sends one "flapping started" notice for a :class:`FlapEvent` of kind ``STARTED``;
* sends one "flapping stopped" notice for kind ``STOPPED``, plus a recovery when
  ``send_recovery`` (the alert is OK and its problem had been notified), or a problem
  notification when ``send_problem`` (see :func:`observe`).

Reference: https://assets.nagios.com/downloads/nagioscore/docs/nagioscore/4/en/flapping.html and
Nagios Core ``base/flapping.c`` (``check_for_service_flapping``, ``set_service_flap``,
``clear_service_flap``).
"""

from __future__ import annotations

import enum

import msgspec

HISTORY = 21
"""States kept per alert (Nagios ``MAX_STATE_HISTORY_ENTRIES``): 20 possible changes."""
OLDEST_WEIGHT = 0.75
"""Weight of a change between the two oldest kept states (Nagios ``low_curve_value``)."""
NEWEST_WEIGHT = 1.25
"""Weight of a change between the two newest kept states (Nagios ``high_curve_value``)."""


class FlapThresholds(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """When flapping starts and stops, in percent state change (Nagios' defaults)."""

    low: float = 20.0
    """At or below this percent a flapping alert stops flapping."""
    high: float = 30.0
    """At or above this percent an alert starts flapping."""

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.high <= 100:
            raise ValueError(f"need 0 <= low <= high <= 100, got low {self.low} high {self.high}")


class FlapState(msgspec.Struct, frozen=True, gc=False):
    """What flap detection remembers about one alert; persist it as is.

    A new state (``FlapState()``) has no history, which counts as 21 OK states: an alert is new
    because it stopped being OK. (Nagios likewise fills a new history with the current state.)
    """

    thresholds: FlapThresholds = FlapThresholds()
    """The thresholds this alert uses (replace with ``msgspec.structs.replace`` on reload)."""
    history: tuple[bool, ...] = ()
    """The last observations, oldest first, at most 21; true is a problem."""
    flapping: bool = False
    """Whether the alert is flapping (its notifications are suppressed)."""
    percent: float = 0.0
    """Weighted percent state change after the last observation (0 to 100)."""
    problem_notified: bool = False
    """Whether the recipients last heard that the alert is a problem (so a recovery is owed)."""


class FlapEventKind(enum.StrEnum):
    """The two moments flap detection reports."""

    STARTED = "flapping_started"
    STOPPED = "flapping_stopped"


class FlapEvent(msgspec.Struct, frozen=True):
    """Flapping started or stopped at this observation: tell the recipients once."""

    kind: FlapEventKind
    percent: float
    """The percent state change that crossed the threshold."""
    threshold: float
    """The threshold it crossed (``high`` to start, ``low`` to stop)."""
    send_recovery: bool = False
    """Stopped while OK after a problem had been notified: send one recovery too."""
    send_problem: bool = False
    """Stopped while a problem the recipients last heard as OK: send the problem too."""


def change_weight(index: int) -> float:
    """Weight of change number ``index`` (1 = between the two oldest states, 20 = newest).

    Nagios weighs linearly: ``0.75 + (index - 1) * (1.25 - 0.75) / (21 - 2)``.
    """
    return OLDEST_WEIGHT + (index - 1) * (NEWEST_WEIGHT - OLDEST_WEIGHT) / (HISTORY - 2)


def flap_percent(history: tuple[bool, ...]) -> float:
    """Weighted percent state change of ``history`` (oldest first, at most 21 states).

    ``percent = Σ weight(change) · 100 / 20`` over the changes between consecutive states
    (Nagios ``curved_percent_change``). A shorter history is padded at the old end with OK
    states, so the newest change always weighs 1.25. Twenty changes weigh 20 in total, so the
    result lies between 0 and 100.
    """
    kept = history[-HISTORY:]
    padded = (False,) * (HISTORY - len(kept)) + kept
    weighted = sum(
        weight
        for weight, older, newer in zip(_WEIGHTS, padded, padded[1:], strict=False)
        if older != newer
    )
    return weighted * 100.0 / (HISTORY - 1)


_WEIGHTS = tuple(change_weight(index) for index in range(1, HISTORY))
"""The weight of each change, oldest first (worked out once: this runs for every open alert
at every evaluation)."""


def is_flapping(state: FlapState) -> bool:
    """Whether the alert is flapping, so its ordinary notifications are to be suppressed."""
    return state.flapping


def observe(state: FlapState, is_problem: bool) -> tuple[FlapState, FlapEvent | None]:
    """Record one evaluation of the alert; returns the new state and what to announce, if any.

    Call it once per evaluation (a steady state is what lets the percent fall again), then
    suppress the alert's ordinary notification for this evaluation if the *returned* state
    :func:`is_flapping`. Between ``low`` and ``high`` the flapping status does not change
    (hysteresis). While not flapping, the caller's ordinary notifications are assumed to
    reach the recipients, which is how ``problem_notified`` is kept.

    ``send_problem`` is our addition: Nagios sends that problem at the next re-notification
    after flapping stops; we say it with the "stopped" notice so an outage that began while
    flapping is never left unsaid until a repeat interval.
    """
    history = (*state.history, is_problem)[-HISTORY:]
    percent = flap_percent(history)
    low, high = state.thresholds.low, state.thresholds.high
    flapping = state.flapping
    if percent >= high:
        flapping = True
    elif percent <= low:
        flapping = False
    event: FlapEvent | None = None
    if flapping and not state.flapping:
        event = FlapEvent(FlapEventKind.STARTED, percent, high)
    elif state.flapping and not flapping:
        event = FlapEvent(
            FlapEventKind.STOPPED,
            percent,
            low,
            send_recovery=state.problem_notified and not is_problem,
            send_problem=is_problem and not state.problem_notified,
        )
    problem_notified = state.problem_notified if flapping else is_problem
    new_state = msgspec.structs.replace(
        state,
        history=history,
        flapping=flapping,
        percent=percent,
        problem_notified=problem_notified,
    )
    return new_state, event


def can_forget(state: FlapState) -> bool:
    """Whether ``state`` behaves exactly like a fresh ``FlapState()``, so it need not be kept.

    True when every kept observation is OK, the alert is not flapping and owes no recovery.
    """
    return not state.flapping and not state.problem_notified and not any(state.history)
