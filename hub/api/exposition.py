"""Stored samples as Prometheus gauge families with valid, unique names and label sets.

Samples come from everywhere (scraped targets, agents, heartbeats), so a name or label may not be
a valid Prometheus one, two names may map onto one, or two series onto one label set; the text
format allows none of that. Names are mapped as Prometheus maps invalid characters (to ``_``);
families that meet are merged and a repeated label set keeps its first value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable

from prometheus_client.core import GaugeMetricFamily

from hub.domain.samples import Sample, metric_info

_NOT_IN_NAME = re.compile(r"[^a-zA-Z0-9_:]")
_NOT_IN_LABEL = re.compile(r"[^a-zA-Z0-9_]")


def metric_name(name: str) -> str:
    """``name`` as a valid Prometheus metric name: ``[a-zA-Z_:][a-zA-Z0-9_:]*``."""
    clean = _NOT_IN_NAME.sub("_", name)
    return clean if clean and not clean[0].isdigit() else f"_{clean}"


def label_name(name: str) -> str:
    """``name`` as a valid Prometheus label name: ``[a-zA-Z_][a-zA-Z0-9_]*``."""
    clean = _NOT_IN_LABEL.sub("_", name)
    return clean if clean and not clean[0].isdigit() else f"_{clean}"


def sample_families(
    samples: Iterable[Sample], reserved: Collection[str] = ()
) -> list[GaugeMetricFamily]:
    """One gauge family per exposed name, sorted by name, values in Prometheus base units.

    A stored metric whose exposed name is in ``reserved`` (a family the hub adds itself) is
    exposed as ``tcf_exported_<rest>`` instead.
    """
    helps: dict[str, str] = {}
    rows: dict[str, list[tuple[dict[str, str], float]]] = {}
    exposed: dict[str, tuple[str, float]] = {}
    """Per stored metric name its exposed name and scale: worked out once per name, not per
    sample (thousands of series share a few dozen names)."""
    labels_named: dict[str, str] = {}
    for sample in samples:
        known = exposed.get(sample.name)
        if known is None:
            info = metric_info(sample.name)
            name = metric_name(info.prometheus_name)
            if name in reserved:
                name = f"tcf_exported_{name.removeprefix('tcf_')}"
            helps.setdefault(name, info.description)
            known = exposed[sample.name] = (name, info.prometheus_scale)
        name, scale = known
        labels = {_cached(labels_named, k, label_name): v for k, v in sample.labels.items()}
        rows.setdefault(name, []).append((labels, sample.value * scale))
    return [_family(name, helps[name], rows[name]) for name in sorted(rows)]


def _cached(memo: dict[str, str], key: str, make: Callable[[str], str]) -> str:
    value = memo.get(key)
    if value is None:
        value = memo[key] = make(key)
    return value


def _family(
    name: str, description: str, rows: list[tuple[dict[str, str], float]]
) -> GaugeMetricFamily:
    label_names = sorted({k for labels, _ in rows for k in labels})
    family = GaugeMetricFamily(name, description, labels=label_names)
    seen: set[tuple[str, ...]] = set()
    for labels, value in rows:
        values = tuple(labels.get(k, "") for k in label_names)
        if values not in seen:
            seen.add(values)
            family.add_metric(list(values), value)
    return family
