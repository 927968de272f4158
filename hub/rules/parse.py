"""alerts.yml -> rules; the seed's format works verbatim (C6)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import msgspec

from hub.domain.config import CHANNEL_TYPES
from hub.domain.matchers import Matcher, MatchOp
from hub.domain.rules import (
    Aggregation,
    Level,
    NoData,
    NotificationTarget,
    Operator,
    Predict,
    Rule,
    Severity,
    severity_rank,
)
from hub.domain.samples import Direction, metric_info
from hub.lib.durations import Seconds
from hub.lib.yamlconf import YamlDoc, load_yaml, parse_yaml
from hub.notify.damping import parse_delay
from hub.rules.template import check as check_template
from hub.tsdb.selector import SelectorError, parse_selector

TOP_LEVEL_KEYS = ("alerts", "routes", "inhibit_rules", "maintenance", "escalation", "flapping")
"""alerts.yml's sections: the rules, and the alerting policy (read by hub.notify.policy)."""
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_:.-]*$")


class PredictSpec(msgspec.Struct, forbid_unknown_fields=True):
    """``predict: {window: 6h, horizon: 4h}``."""

    window: Seconds
    horizon: Seconds


class RuleSpec(msgspec.Struct, forbid_unknown_fields=True):
    """One entry under ``alerts:`` as written in the file."""

    metric: str
    threshold: float | None = None
    duration: Seconds = Seconds(0)
    severity: Severity = Severity.WARNING
    message: str = ""
    operator: Operator | None = None
    labels: dict[str, str] = {}
    notifications: list[dict[str, str]] = []
    match: dict[str, str] | str | None = None
    levels: dict[Severity, float] | None = None
    recover: float | None = None
    keep_firing_for: Seconds = Seconds(0)
    aggregate: Aggregation = Aggregation.LAST
    window: Seconds = Seconds(0)
    absent: Seconds | None = None
    predict: PredictSpec | None = None
    nodata: NoData = NoData.OK
    annotations: dict[str, str] = {}
    runbook_url: str = ""
    manual_resolve: bool = False
    delay: str = ""


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
        if key not in TOP_LEVEL_KEYS:
            raise doc.error(
                (str(key),), f"unknown field (expected one of {', '.join(TOP_LEVEL_KEYS)})"
            )
    entries = doc.data.get("alerts") or {}
    if not isinstance(entries, dict):
        raise doc.error(("alerts",), "expected a mapping of rule name to rule")
    rules = []
    for name, body in entries.items():
        name = str(name)
        if not valid_rule_name(name):
            raise doc.error(("alerts", name), "rule names use letters, digits, _ : . -")
        spec = doc.convert(body, RuleSpec, ("alerts", name))
        rules.append(_to_rule(doc, name, spec))
    return tuple(rules)


def valid_rule_name(name: str) -> bool:
    """Whether ``name`` may name a rule: letters, digits, ``_ : . -``, not starting with a
    digit."""
    return bool(_NAME.match(name))


def default_operator(metric: str) -> Operator:
    """``<=`` for metrics where lower is worse (service_health), else ``>``."""
    return Operator.LE if metric_info(metric).bad is Direction.DOWN else Operator.GT


def _to_rule(doc: YamlDoc, name: str, spec: RuleSpec) -> Rule:
    here = ("alerts", name)
    operator = spec.operator or default_operator(spec.metric)
    levels = _levels(doc, here, spec, operator)
    _check_shape(doc, here, spec, operator, levels)
    for field, text in (("message", spec.message), *spec.annotations.items()):
        for problem in check_template(text):
            where = (*here, field) if field == "message" else (*here, "annotations", field)
            raise doc.error(where, problem)
    return Rule(
        name=name,
        metric=spec.metric,
        threshold=levels[0].threshold,
        operator=operator,
        duration=float(spec.duration),
        severity=levels[0].severity,
        message=spec.message,
        labels=spec.labels,
        notifications=_targets(doc, name, spec),
        matchers=_matchers(doc, here, spec.match),
        levels=levels if spec.levels else (),
        recover=spec.recover,
        keep_firing_for=float(spec.keep_firing_for),
        aggregate=spec.aggregate,
        window=float(spec.window),
        absent=float(spec.absent) if spec.absent is not None else None,
        predict=Predict(float(spec.predict.window), float(spec.predict.horizon))
        if spec.predict
        else None,
        nodata=spec.nodata,
        annotations=spec.annotations,
        runbook_url=spec.runbook_url,
        manual_resolve=spec.manual_resolve,
        delay=spec.delay.strip(),
    )


def _levels(
    doc: YamlDoc, here: tuple[str, ...], spec: RuleSpec, operator: Operator
) -> tuple[Level, ...]:
    """Severity levels least severe first, checked to escalate in the operator's direction."""
    if spec.levels is not None:
        if spec.threshold is not None:
            raise doc.error((*here, "levels"), "give either `threshold` or `levels`, not both")
        if not spec.levels:
            raise doc.error((*here, "levels"), "expected at least one `severity: threshold`")
        levels = tuple(
            Level(sev, threshold)
            for sev, threshold in sorted(spec.levels.items(), key=lambda i: severity_rank(i[0]))
        )
        for lower, higher in itertools.pairwise(levels):
            if not operator.holds(higher.threshold, lower.threshold) or (
                higher.threshold == lower.threshold
            ):
                raise doc.error(
                    (*here, "levels", higher.severity),
                    f"a {higher.severity} threshold must be further past {operator} than the "
                    f"{lower.severity} one ({lower.threshold:g})",
                )
        return levels
    if spec.absent is not None:
        if spec.threshold is not None:
            raise doc.error((*here, "threshold"), "an `absent` rule has no threshold")
        return (Level(spec.severity, 0.0),)
    if spec.threshold is None:
        raise doc.error(here, "missing required field `threshold` (or `levels`, or `absent`)")
    return (Level(spec.severity, spec.threshold),)


def _check_shape(
    doc: YamlDoc,
    here: tuple[str, ...],
    spec: RuleSpec,
    operator: Operator,
    levels: tuple[Level, ...],
) -> None:
    if spec.recover is not None:
        if operator in (Operator.EQ, Operator.NE):
            raise doc.error(
                (*here, "recover"), f"a recovery threshold needs < <= > >=, not {operator}"
            )
        if operator.holds(spec.recover, levels[0].threshold):
            raise doc.error(
                (*here, "recover"),
                f"the recovery threshold must not itself breach {operator} {levels[0].threshold:g}",
            )
    if spec.aggregate is not Aggregation.LAST and spec.window <= 0:
        raise doc.error((*here, "window"), f"`aggregate: {spec.aggregate}` needs a `window`")
    if spec.absent is not None and (spec.absent <= 0 or spec.predict is not None):
        raise doc.error((*here, "absent"), "expected a positive duration, without `predict`")
    if spec.predict is not None and (spec.predict.window <= 0 or spec.predict.horizon <= 0):
        raise doc.error((*here, "predict"), "window and horizon must be positive durations")
    if spec.delay.strip():
        try:
            parse_delay(spec.delay)
        except ValueError as error:
            raise doc.error((*here, "delay"), str(error)) from None
    if spec.runbook_url and not spec.runbook_url.startswith(("http://", "https://")):
        raise doc.error((*here, "runbook_url"), "expected an http:// or https:// URL")


def _matchers(
    doc: YamlDoc, here: tuple[str, ...], match: dict[str, str] | str | None
) -> tuple[Matcher, ...]:
    if match is None:
        return ()
    if isinstance(match, dict):
        return tuple(Matcher(label, MatchOp.EQ, value) for label, value in match.items())
    text = match.strip()
    try:
        selector = parse_selector(text if text.startswith("{") else "{" + text + "}")
    except SelectorError as error:
        raise doc.error((*here, "match"), str(error)) from None
    return selector.matchers


def _targets(doc: YamlDoc, name: str, spec: RuleSpec) -> tuple[NotificationTarget, ...]:
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
    return tuple(targets)
