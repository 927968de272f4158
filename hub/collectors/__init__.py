"""Collectors turn a source (this machine, Docker, HTTP services …) into samples."""

from collections.abc import Callable

from hub.collectors.base import Collector, FieldInfo
from hub.collectors.system import SystemCollector
from hub.lib.clock import Clock

CollectorFactory = Callable[[Clock], Collector]

COLLECTORS: dict[str, CollectorFactory] = {
    "system": SystemCollector,
}
"""Every collector kind by its slug; jobs are named ``collect:<slug>``."""

__all__ = ["COLLECTORS", "Collector", "FieldInfo"]
