"""alerts.yml -> rules; the seed's format works verbatim (C6)."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec

from hub.domain.config import CHANNEL_TYPES
from hub.domain.rules import NotificationTarget, Operator, Rule, Severity
from hub.domain.samples import Direction, metric_info
from hub.lib.durations import Seconds
from hub.lib.yamlconf import YamlDoc, load_yaml, parse_yaml

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_:.-]*$")


class RuleSpec(msgspec.Struct, forbid_unknown_fields=True):
    """One entry under ``alerts:`` as written in the file."""

    metric: str
    threshold: float
    duration: Seconds = Seconds(0)
    severity: Severity = Severity.WARNING
    message: str = ""
    operator: Operator | None = None
    labels: dict[str, str] = {}
    notifications: list[dict[str, str]] = []


def load_rules(path: Path) -> tuple[Rule, ...]:
    """Rules of the alerts file at ``path``.

    Raises:
        ConfigError: the file is unreadable or invalid; names file, line and field.
    """
    return parse_rules(load_yaml(path))


def parse_rules_text(text: str, file: str = "alerts.yml") -> tuple[Rule, ...]:
    """Rules from YAML text, as if read from ``file``."""
    return parse_rules(parse_yaml(text, file))


def parse_rules(doc: YamlDoc) -> tuple[Rule, ...]:
    """Rules of a parsed alerts document.

    Raises:
        ConfigError: the document does not describe valid rules.
    """
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping with an `alerts` key")
    for key in doc.data:
        if key != "alerts":
            raise doc.error((str(key),), "unknown field (expected `alerts`)")
    entries = doc.data.get("alerts") or {}
    if not isinstance(entries, dict):
        raise doc.error(("alerts",), "expected a mapping of rule name to rule")
    rules = []
    for name, body in entries.items():
        name = str(name)
        if not _NAME.match(name):
            raise doc.error(("alerts", name), "rule names use letters, digits, _ : . -")
        spec = doc.convert(body, RuleSpec, ("alerts", name))
        rules.append(_to_rule(doc, name, spec))
    return tuple(rules)


def default_operator(metric: str) -> Operator:
    """``<=`` for metrics where lower is worse (service_health), else ``>``."""
    return Operator.LE if metric_info(metric).bad is Direction.DOWN else Operator.GT


def _to_rule(doc: YamlDoc, name: str, spec: RuleSpec) -> Rule:
    targets = []
    for index, entry in enumerate(spec.notifications):
        path = ("alerts", name, "notifications", index)
        if len(entry) != 1:
            raise doc.error(path, "each notification is one `TYPE: TARGET` pair")
        ((kind, target),) = entry.items()
        if kind not in CHANNEL_TYPES:
            raise doc.error(path, f"unknown type {kind!r} (one of {', '.join(CHANNEL_TYPES)})")
        if not target.strip():
            raise doc.error(path, "the target is empty")
        targets.append(NotificationTarget(kind, target.strip()))
    return Rule(
        name=name,
        metric=spec.metric,
        threshold=spec.threshold,
        operator=spec.operator or default_operator(spec.metric),
        duration=float(spec.duration),
        severity=spec.severity,
        message=spec.message,
        labels=spec.labels,
        notifications=tuple(targets),
    )
