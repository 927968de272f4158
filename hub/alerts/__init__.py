"""Alert lifecycle: applying rule transitions, acknowledging, and queueing notifications."""

from hub.alerts.engine import (
    AckOutcome,
    AlertEngine,
    AlertNotFoundError,
    ManualResolveRefusedError,
)

__all__ = ["AckOutcome", "AlertEngine", "AlertNotFoundError", "ManualResolveRefusedError"]
