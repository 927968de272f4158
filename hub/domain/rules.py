"""The alert rule model as read from alerts.yml (C6)."""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable

import msgspec

from hub.domain.matchers import Matcher


class Severity(enum.StrEnum):
    """How urgent an alert is."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


_RANK = {"info": 0, "warning": 1, "critical": 2}


def severity_rank(severity: Severity) -> int:
    """0 for info, 1 for warning, 2 for critical: higher is more urgent."""
    return _RANK[severity]


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

    @property
    def inclusive(self) -> Operator:
        """The operator that also holds at equality: ``>`` becomes ``>=``, ``<`` becomes ``<=``.

        A firing alert with a recovery threshold stays while ``value OP.inclusive recover``."""
        return {Operator.GT: Operator.GE, Operator.LT: Operator.LE}.get(self, self)


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


class Aggregation(enum.StrEnum):
    """How the samples in a rule's window become the one value compared with the threshold."""

    LAST = "last"
    AVG = "avg"
    MIN = "min"
    MAX = "max"
    SUM = "sum"
    COUNT = "count"
    P95 = "p95"
    RATE = "rate"
    """Increase per second of a counter, resets taken into account (Prometheus ``rate``)."""
    DELTA = "delta"
    """Newest minus oldest value in the window (Prometheus ``delta`` for gauges)."""


class NoData(enum.StrEnum):
    """What a rule does when its series has no data (Grafana's no-data handling)."""

    OK = "ok"
    """Treat as normal: an open alert resolves once the series is missing for two evaluations."""
    NODATA = "nodata"
    """Alert that data is missing: the alert fires (after ``duration``) marked ``nodata``."""
    ALERTING = "alerting"
    """Treat as a breach: the alert fires (after ``duration``)."""
    KEEP_LAST = "keep_last"
    """Keep whatever state the alert had until data returns."""


class Level(msgspec.Struct, frozen=True):
    """One severity level of a rule: breaching ``threshold`` means ``severity``."""

    severity: Severity
    threshold: float


class Predict(msgspec.Struct, frozen=True):
    """A predictive rule: fit a line over ``window`` seconds and compare the value it reaches
    ``horizon`` seconds ahead (Prometheus ``predict_linear``)."""

    window: float
    horizon: float


class Rule(msgspec.Struct, frozen=True):
    """When a metric's series is in trouble, and what to say about it.

    The plain form is the seed's: ``metric OP threshold`` held for ``duration``. Optional parts
    narrow the series (``matchers``), aggregate a window, add severity levels and a recovery
    threshold, alert on absence or on a forecast, and decide what missing data means.
    """

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
    matchers: tuple[Matcher, ...] = ()
    """Label matchers a series must satisfy besides its metric name."""
    levels: tuple[Level, ...] = ()
    """Severity levels, least severe first; empty means one level: (severity, threshold)."""
    recover: float | None = None
    """Recovery threshold: a firing alert resolves only once the value is past it."""
    keep_firing_for: float = 0.0
    """Seconds a firing alert keeps firing after its condition turned false."""
    aggregate: Aggregation = Aggregation.LAST
    window: float = 0.0
    """Seconds of samples the aggregation looks at; 0 means the newest sample only."""
    absent: float | None = None
    """Fire when no series matches for this many seconds (the threshold is not used)."""
    predict: Predict | None = None
    nodata: NoData = NoData.OK
    annotations: dict[str, str] = {}
    """Extra annotations (templated like ``message``), e.g. ``summary`` or ``dashboard``."""
    runbook_url: str = ""
    manual_resolve: bool = False
    """Whether a person may resolve the alert by hand (for conditions that never clear)."""
    delay: str = ""
    """Notification damping (Netdata ``delay:``), e.g. ``up 1m down 10m multiplier 2 max 1h``:
    each change of the alert's status is held that long before it is notified; empty: none."""

    @property
    def effective_levels(self) -> tuple[Level, ...]:
        """The levels, least severe first; a rule without levels has exactly one."""
        return self.levels or (Level(self.severity, self.threshold),)

    @property
    def lookback(self) -> float:
        """Seconds of history an evaluation needs."""
        return max(self.window, self.predict.window if self.predict else 0.0, self.absent or 0.0)
