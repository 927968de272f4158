"""Message and annotation templates: ``{{ labels.service }} is down ({{ value }} ms)``.

Fields: ``value`` (or ``$value``), ``labels.NAME`` (or ``$labels.NAME``), ``threshold``,
``severity`` and ``rule``. A template that fails does not fail the rule: the text shows the
error in place of the field, as Prometheus does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

_FIELD = re.compile(r"\{\{\s*(.*?)\s*\}\}")


def render(
    template: str,
    *,
    labels: Mapping[str, str],
    value: float | None,
    threshold: float,
    severity: str,
    rule: str,
) -> str:
    """``template`` with every ``{{ field }}`` replaced."""
    fields = {
        "value": format_value(value),
        "threshold": format_value(threshold),
        "severity": severity,
        "rule": rule,
    }

    def replace(match: re.Match[str]) -> str:
        name = match[1].removeprefix("$")
        if name.startswith("labels."):
            label = name.removeprefix("labels.")
            return labels.get(label, f"<error: no label {label!r}>")
        return fields.get(name, f"<error: unknown field {name!r}>")

    return _FIELD.sub(replace, template)


def check(template: str) -> list[str]:
    """Problems a template will have whatever the labels: unknown fields (for `rules check`)."""
    known = {"value", "threshold", "severity", "rule"}
    problems = []
    for match in _FIELD.finditer(template):
        name = match[1].removeprefix("$")
        if not name.startswith("labels.") and name not in known:
            problems.append(
                f"unknown field {match[1]!r} (use value, threshold, severity, rule or labels.NAME)"
            )
    return problems


def format_value(value: float | None) -> str:
    """A value for people: ``85.13``, ``1200``, ``3.2e+09``; ``no data`` for None."""
    if value is None:
        return "no data"
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if 1e-3 <= abs(value) < 1e9:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"
