"""An alert's annotations: its message rendered from the rule, and the rule's own annotations."""

from __future__ import annotations

from hub.domain.rules import Rule, Severity
from hub.rules.template import format_value, render


def render_annotations(
    rule: Rule,
    labels: dict[str, str],
    value: float | None,
    severity: Severity,
    *,
    nodata: bool = False,
) -> dict[str, str]:
    """The alert's annotations: its rendered message (also as ``summary``), the rule's own
    annotations and its runbook URL; ``nodata: "true"`` when the alert is about missing data
    (``nodata: nodata`` rules)."""
    threshold = next(
        (lvl.threshold for lvl in rule.effective_levels if lvl.severity == severity),
        rule.threshold,
    )

    def fill(text: str) -> str:
        return render(
            text,
            labels=labels,
            value=value,
            threshold=threshold,
            severity=severity,
            rule=rule.name,
        )

    if nodata:
        message = f"no {rule.metric} data"
    elif rule.message:
        message = fill(rule.message)
    elif rule.absent is not None:
        message = f"no {rule.metric} data for {format_value(value)} s"
    else:
        message = f"{rule.metric} {rule.operator} {threshold:g} (now {format_value(value)})"
    out = {"message": message, "summary": message}
    out.update({name: fill(text) for name, text in rule.annotations.items()})
    if rule.runbook_url:
        out["runbook_url"] = rule.runbook_url
    if nodata:
        out["nodata"] = "true"
    return out
