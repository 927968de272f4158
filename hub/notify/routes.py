"""Which channels each rule notifies, resolved from rules and monitoring.yml (C6).

A rule's ``notifications`` entry is ``{TYPE: TARGET}``: TARGET names a channel of monitoring.yml,
or is an address of that type: a webhook URL, a Slack ``#channel`` or an email address (both
sent through the first channel of that type). A rule without ``notifications`` goes to every
configured channel.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from hub.domain.config import (
    ChannelConfig,
    WebhookChannelConfig,
    channel_type,
)
from hub.domain.rules import NotificationTarget, Rule


class Routes(msgspec.Struct, frozen=True):
    """Channel configs by name, the channels of each rule, and what could not be routed."""

    channels: dict[str, ChannelConfig]
    by_rule: dict[str, tuple[str, ...]]
    warnings: tuple[str, ...] = ()

    def for_rule(self, rule: str) -> tuple[str, ...]:
        """Names of the channels that ``rule`` notifies."""
        return self.by_rule.get(rule, ())


def resolve_routes(rules: tuple[Rule, ...], channels: dict[str, ChannelConfig]) -> Routes:
    """Routes for ``rules`` given the channels configured in monitoring.yml."""
    all_channels: dict[str, ChannelConfig] = dict(channels)
    by_rule: dict[str, tuple[str, ...]] = {}
    warnings: list[str] = []
    for rule in rules:
        if not rule.notifications:
            by_rule[rule.name] = tuple(channels)
            continue
        names: list[str] = []
        for index, target in enumerate(rule.notifications):
            resolved = _resolve(rule, index, target, channels)
            if isinstance(resolved, str):
                warnings.append(f"rule {rule.name}: {target.type} {target.target!r}: {resolved}")
                continue
            name, config = resolved
            all_channels[name] = config
            names.append(name)
        by_rule[rule.name] = tuple(names)
    return Routes(all_channels, by_rule, tuple(warnings))


def _resolve(
    rule: Rule, index: int, target: NotificationTarget, channels: dict[str, ChannelConfig]
) -> tuple[str, ChannelConfig] | str:
    """The channel for ``target``, or why there is none."""
    named = channels.get(target.target)
    if named is not None:
        if channel_type(named) != target.type:
            return f"channel {target.target!r} is of type {channel_type(named)}"
        return target.target, named
    if target.type == "webhook" and target.target.startswith(("http://", "https://")):
        # The URL is a secret: the channel's name must not contain it.
        # ":" not "/": the name is a path segment of POST /api/v1/channels/{name}/test
        return f"{rule.name}:webhook-{index}", WebhookChannelConfig(url=target.target)
    if target.type == "slack" and target.target.startswith("#"):
        return _first_of(channels, target, lambda c: _with(c, channel=target.target))
    if target.type == "email" and "@" in target.target:
        return _first_of(channels, target, lambda c: _with(c, to=target.target))
    return "no channel of that name in monitoring.yml and not a URL"


def _first_of(
    channels: dict[str, ChannelConfig],
    target: NotificationTarget,
    change: Callable[[ChannelConfig], ChannelConfig],
) -> tuple[str, ChannelConfig] | str:
    """The first channel of ``target.type`` in monitoring.yml, addressed to ``target.target``
    (the seed's ``slack: "#alerts"`` and ``email: ops@…``): its own webhook or SMTP server."""
    for name, config in channels.items():
        if channel_type(config) == target.type:
            return f"{name}:{target.target}", change(config)
    return (
        f"an address needs a {target.type} channel in monitoring.yml to send through; "
        "it will not be notified"
    )


def _with(config: ChannelConfig, **changes: str) -> ChannelConfig:
    return msgspec.structs.replace(config, **changes)
