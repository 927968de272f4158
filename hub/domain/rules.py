"""The alert rule model as read from alerts.yml (C6)."""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable

import msgspec


class Severity(enum.StrEnum):
    """How urgent an alert is."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Operator(enum.StrEnum):
    """Comparison between a sample value and a rule's threshold."""

    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    EQ = "=="
    NE = "!="

    def holds(self, value: float, threshold: float) -> bool:
        """Whether ``value OP threshold`` is true."""
        return _COMPARE[self](value, threshold)


_COMPARE: dict[Operator, Callable[[float, float], bool]] = {
    Operator.GT: operator.gt,
    Operator.GE: operator.ge,
    Operator.LT: operator.lt,
    Operator.LE: operator.le,
    Operator.EQ: operator.eq,
    Operator.NE: operator.ne,
}


class NotificationTarget(msgspec.Struct, frozen=True):
    """One `{TYPE: TARGET}` entry of a rule's ``notifications`` list."""

    type: str
    target: str


class Rule(msgspec.Struct, frozen=True):
    """A threshold on a metric that, held for ``duration``, makes an alert fire."""

    name: str
    metric: str
    threshold: float
    operator: Operator
    duration: float
    """Seconds the condition must hold before the alert fires (Prometheus ``for``)."""
    severity: Severity
    message: str
    labels: dict[str, str] = {}
    notifications: tuple[NotificationTarget, ...] = ()
