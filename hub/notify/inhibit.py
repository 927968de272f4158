"""Inhibition: a firing source alert mutes target alerts that share its ``equal`` labels.

Alertmanager's semantics (https://prometheus.io/docs/alerting/latest/configuration/#inhibit_rule
and ``inhibit/inhibit.go``): a target is muted when some rule's target matchers match it and an
active source alert matches the rule's source matchers and has the same values of the
``equal`` labels (a missing label equals the empty string). An alert that matches both sides of
a rule is only muted by a source that does not itself match the target side, so such an alert
never mutes itself. Pure functions: the caller passes the alerts it holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import msgspec

from hub.domain.alerts import Alert
from hub.domain.matchers import Matcher, MatchOp, all_match
from hub.domain.silences import parse_matcher
from hub.lib.yamlconf import PathKey, format_path

_RULE_KEYS = ("source_matchers", "target_matchers", "equal")
_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class InhibitRuleError(ValueError):
    """An inhibit rule that cannot be used.

    ``path`` locates the offending value inside the data given to the parser (prefix it and
    pass it to ``hub.lib.yamlconf.YamlDoc.error`` for file and line); ``reason`` says why.
    """

    def __init__(self, path: PathKey, reason: str) -> None:
        self.path = path
        self.reason = reason
        where = format_path(path)
        super().__init__(f"{where}: {reason}" if where else reason)


class InhibitRule(msgspec.Struct, frozen=True):
    """While an alert matching ``source_matchers`` fires, alerts matching ``target_matchers``
    with the same values of the ``equal`` labels do not notify. No target matchers = any."""

    source_matchers: tuple[Matcher, ...]
    target_matchers: tuple[Matcher, ...] = ()
    equal: tuple[str, ...] = ()


def host_down_rule(alertname: str = "host_down", host_label: str = "host") -> InhibitRule:
    """The rule the hub ships: a firing ``alertname`` alert mutes its host's other alerts.

    Assumes a rule named ``host_down`` (``alertname`` label, set by rule evaluation) whose
    alerts carry the host in ``host_label``; both are parameters so a deployment whose
    host-down rule has another name can keep the behaviour.
    """
    return InhibitRule(
        source_matchers=(Matcher("alertname", MatchOp.EQ, alertname),),
        target_matchers=(
            Matcher("alertname", MatchOp.NE, alertname),
            Matcher(host_label, MatchOp.NE, ""),
        ),
        equal=(host_label,),
    )


def default_inhibit_rules() -> tuple[InhibitRule, ...]:
    """Inhibit rules used when the configuration gives none: ``host_down_rule()``."""
    return (host_down_rule(),)


def inhibited(target: Alert, firing_alerts: Iterable[Alert], rules: Sequence[InhibitRule]) -> bool:
    """Whether ``target``'s notifications are muted by a source in ``firing_alerts``."""
    return inhibited_by(target, firing_alerts, rules) is not None


def inhibited_by(
    target: Alert, firing_alerts: Iterable[Alert], rules: Sequence[InhibitRule]
) -> Alert | None:
    """The first alert that inhibits ``target`` under ``rules``, or None.

    Only firing or acknowledged alerts are sources (an acknowledged alert is still firing;
    Alertmanager, which knows no ack, counts every unresolved alert); pending and resolved
    ones never are, so a target is notified again at the first tick after its source resolves.
    """
    sources = [a for a in firing_alerts if a.state.is_active]
    for rule in rules:
        if not all_match(rule.target_matchers, target.labels):
            continue
        two_sided = all_match(rule.source_matchers, target.labels)
        for source in sources:
            if _inhibits(rule, source, target, exclude_two_sided=two_sided):
                return source
    return None


def parse_inhibit_rules(data: object, path: PathKey = ()) -> tuple[InhibitRule, ...]:
    """Inhibit rules from a YAML-shaped list, in Alertmanager's format::

        - source_matchers: ['alertname="host_down"']
          target_matchers: ['alertname!="host_down"']
          equal: [host]

    Raises:
        InhibitRuleError: names the offending field (``path``) and value.
    """
    if not isinstance(data, list):
        raise InhibitRuleError(path, f"expected a list of inhibit rules, got {data!r}")
    return tuple(parse_inhibit_rule(item, (*path, i)) for i, item in enumerate(data))


def parse_inhibit_rule(data: object, path: PathKey = ()) -> InhibitRule:
    """One inhibit rule from a YAML-shaped mapping (see ``parse_inhibit_rules``).

    Raises:
        InhibitRuleError: unknown keys, no source matchers, a bad matcher or label name.
    """
    if not isinstance(data, dict):
        raise InhibitRuleError(path, f"expected a mapping, got {data!r}")
    for key in data:
        if key not in _RULE_KEYS:
            raise InhibitRuleError(
                (*path, str(key)), f"unknown field (expected one of {', '.join(_RULE_KEYS)})"
            )
    source = _matchers(data.get("source_matchers"), (*path, "source_matchers"))
    if not source:
        raise InhibitRuleError(
            (*path, "source_matchers"),
            "at least one matcher is required (otherwise every alert would mute others)",
        )
    equal = data.get("equal") or []
    if not isinstance(equal, list):
        raise InhibitRuleError((*path, "equal"), f"expected a list of label names, got {equal!r}")
    for index, name in enumerate(equal):
        if not isinstance(name, str) or not _LABEL_NAME.fullmatch(name):
            raise InhibitRuleError((*path, "equal", index), f"{name!r} is not a label name")
    target = _matchers(data.get("target_matchers"), (*path, "target_matchers"))
    return InhibitRule(source, target, tuple(equal))


def _inhibits(rule: InhibitRule, source: Alert, target: Alert, *, exclude_two_sided: bool) -> bool:
    """Whether ``source`` mutes ``target`` under ``rule`` (target side already matched)."""
    if not all_match(rule.source_matchers, source.labels):
        return False
    if any(source.labels.get(n, "") != target.labels.get(n, "") for n in rule.equal):
        return False
    # A target on both sides is muted only by a source that is not: never by itself.
    return not (exclude_two_sided and all_match(rule.target_matchers, source.labels))


def _matchers(items: object, path: PathKey) -> tuple[Matcher, ...]:
    """Matchers from a list of ``label="value"`` strings (absent = none)."""
    if items is None:
        return ()
    if not isinstance(items, list):
        raise InhibitRuleError(path, f"expected a list like ['alertname=\"x\"'], got {items!r}")
    matchers = []
    for index, item in enumerate(items):
        try:
            matchers.append(parse_matcher(str(item)))
        except ValueError as exc:
            raise InhibitRuleError((*path, index), str(exc)) from None
    return tuple(matchers)
