"""The alerting policy of alerts.yml besides the rules: routes, inhibit rules, maintenance
windows and escalation policies (each optional, with sensible defaults)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from hub.domain.maintenance import MaintenanceWindow, parse_maintenance_windows
from hub.domain.timeintervals import TimeIntervalError
from hub.lib.yamlconf import YamlDoc
from hub.notify.escalation import EscalationConfig, parse_escalation
from hub.notify.flap import FlapConfig
from hub.notify.inhibit import (
    InhibitRule,
    InhibitRuleError,
    default_inhibit_rules,
    parse_inhibit_rules,
)
from hub.notify.routing import Route, default_route, parse_routes, route_names

POLICY_KEYS = ("routes", "inhibit_rules", "maintenance", "escalation", "flapping")
"""Top-level keys of alerts.yml besides ``alerts``."""


class AlertPolicy(msgspec.Struct, frozen=True):
    """Who hears about which alert, and when not."""

    routes: Route
    """The route tree (without the seed's per-rule routes, which the app adds)."""
    inhibit_rules: tuple[InhibitRule, ...]
    maintenance: tuple[MaintenanceWindow, ...] = ()
    escalation: EscalationConfig = EscalationConfig()
    flapping: FlapConfig = FlapConfig()
    """Flap detection (on by default, Nagios' 20/30 % thresholds)."""


def default_policy(channels: Sequence[str] = ()) -> AlertPolicy:
    """Everything to every channel, the default inhibit rule, no maintenance windows."""
    return AlertPolicy(default_route(channels), default_inhibit_rules())


def parse_policy(doc: YamlDoc, channels: Sequence[str] | None) -> AlertPolicy:
    """The policy sections of a parsed alerts.yml; ``channels`` are monitoring.yml's names
    (None: not known, as in ``ctl rules check`` of a lone file; names are then not checked).

    Raises:
        ConfigError: a section is invalid; names file, line and field.
    """
    data = doc.data if isinstance(doc.data, dict) else {}
    routes = parse_routes(doc, channels)
    try:
        inhibit = (
            parse_inhibit_rules(data["inhibit_rules"], ("inhibit_rules",))
            if data.get("inhibit_rules") is not None
            else default_inhibit_rules()
        )
    except InhibitRuleError as error:
        raise doc.error(error.path, error.reason) from None
    try:
        maintenance = (
            parse_maintenance_windows(data["maintenance"], ("maintenance",))
            if data.get("maintenance") is not None
            else ()
        )
    except TimeIntervalError as error:
        raise doc.error(error.path, error.reason) from None
    escalation = parse_escalation(
        data.get("escalation"), doc, channels=channels, path=("escalation",)
    )
    named = route_names(routes)
    for name in set(named):
        if named.count(name) > 1:
            raise doc.error(("routes",), f"two routes are named {name!r}")
    for policy in escalation.policies:
        for index, name in enumerate(policy.routes):
            if name not in named:
                known = ", ".join(named) or "no route has a name"
                where = ("escalation", "policies", policy.name, "routes", index)
                raise doc.error(where, f"unknown route {name!r} ({known})")
    flapping = (
        doc.convert(data["flapping"], FlapConfig, ("flapping",))
        if data.get("flapping") is not None
        else FlapConfig()
    )
    if not 0 <= flapping.low <= flapping.high <= 100:
        raise doc.error(("flapping",), "need 0 <= low <= high <= 100")
    return AlertPolicy(routes, inhibit, maintenance, escalation, flapping)
