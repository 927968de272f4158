"""The route tree: which routes, and so which channels and group settings, an alert goes to.

Alertmanager's routing (https://prometheus.io/docs/alerting/latest/configuration/#route) with our
names: ``channels`` instead of ``receiver``. Pure: building, parsing and matching read no clock
and do no I/O.

The ``routes:`` section of alerts.yml is the root route::

    routes:
      channels: [ops]              # default: every channel of monitoring.yml
      group_by: [alertname, host]  # default [alertname]; ['...'] groups by every label
      group_wait: 2s
      group_interval: 5m
      repeat_interval: 4h
      routes:
        - severity: [critical]
          matchers: ['service=~"api|db"']
          channels: [phone]
          continue: true
        - matchers: ['team="web"']
          channels: [web]

A child inherits ``channels`` and the group settings of its parent unless it sets them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import msgspec

from hub.domain.matchers import Matcher, MatchOp, all_match
from hub.domain.rules import Rule, Severity
from hub.lib.durations import Seconds
from hub.lib.yamlconf import PathKey, YamlDoc, parse_yaml
from hub.notify.routes import Routes

DEFAULT_GROUP_BY = ("alertname",)
"""Alerts of one rule group together; ``alertname`` is the rule's name on every alert."""
DEFAULT_GROUP_WAIT = 2.0
"""Seconds before a new group's first notification. Alertmanager waits 30 s; we keep
fault-to-phone within 10 s: the alerts of one fault (five containers dying) arrive within the
same collection pass, about a second apart, and 2 s leaves the rest of the budget to evaluation,
the outbox and one retry of the push service."""
DEFAULT_GROUP_INTERVAL = 300.0
"""Seconds between notifications about a group that changed (Alertmanager's 5 m)."""
DEFAULT_REPEAT_INTERVAL = 14400.0
"""Seconds before an unchanged firing group is notified again (Alertmanager's 4 h). Repeats go
out at group_interval ticks, so in effect this is rounded up to a multiple of group_interval."""
ALL_LABELS = "..."
"""``group_by: ['...']``: every label is a grouping label (one group per alert)."""

_MATCHER = re.compile(
    r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"]*?))\s*$'
)


class Route(msgspec.Struct, frozen=True):
    """A node of the route tree with every inherited setting resolved."""

    key: str = "{}"
    """Stable identity from the path of matchers (Alertmanager's route key); part of group keys."""
    channels: tuple[str, ...] = ()
    """Names of the channels notified about the alerts this route takes."""
    matchers: tuple[Matcher, ...] = ()
    """All must hold for an alert to take this route (none: every alert)."""
    group_by: tuple[str, ...] = DEFAULT_GROUP_BY
    """Labels whose values make a group; ``('...',)`` means every label; ``()`` one group."""
    group_wait: float = DEFAULT_GROUP_WAIT
    """Seconds from a new group's first alert to its first notification."""
    group_interval: float = DEFAULT_GROUP_INTERVAL
    """Seconds between notifications about a group."""
    repeat_interval: float = DEFAULT_REPEAT_INTERVAL
    """Seconds before an unchanged firing group is notified again."""
    continue_: bool = False
    """Keep looking at the following siblings after this route matched."""
    routes: tuple[Route, ...] = ()
    """Children, tried in order."""
    name: str = ""
    """The route's own name (``name:``), by which an escalation policy picks its alerts."""

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether an alert with ``labels`` satisfies this route's own matchers."""
        return all_match(self.matchers, labels)


class RouteSpec(msgspec.Struct, forbid_unknown_fields=True):
    """A route as written in alerts.yml; unset fields are inherited from the parent."""

    channels: list[str] | None = None
    """Channel names of monitoring.yml (the root's default: all of them)."""
    matchers: list[str] = []
    """Label matchers like ``service=~"api|db"``, ANDed."""
    severity: list[Severity] | Severity | None = None
    """Shorthand for a ``severity`` matcher: ``[critical]`` or ``[warning, critical]``."""
    group_by: list[str] | None = None
    group_wait: Seconds | None = None
    group_interval: Seconds | None = None
    repeat_interval: Seconds | None = None
    continue_: bool = msgspec.field(default=False, name="continue")
    routes: list[RouteSpec] = []
    name: str = ""
    """A name for escalation policies' ``routes:`` to refer to."""


def default_route(channels: Sequence[str] = ()) -> Route:
    """The tree used when alerts.yml has no ``routes:``: everything to ``channels``."""
    return Route(channels=tuple(channels))


def match_routes(tree: Route, labels: Mapping[str, str]) -> list[Route]:
    """The routes an alert with ``labels`` takes, depth-first.

    The first matching child wins unless it has ``continue``; a node none of whose children
    match takes the alert itself. Returns ``[]`` only when ``tree``'s own matchers fail.
    """
    if not tree.matches(labels):
        return []
    found: list[Route] = []
    for child in tree.routes:
        taken = match_routes(child, labels)
        found += taken
        if taken and not child.continue_:
            break
    return found or [tree]


def parse_matcher(text: str) -> Matcher:
    """``label OP "value"`` (quotes optional) as a matcher; regexes are fully anchored.

    Raises:
        ValueError: the text is not a matcher or its regex does not compile.
    """
    found = _MATCHER.match(text)
    if found is None:
        raise ValueError(f'expected a matcher like service=~"api|db", got {text!r}')
    label, op, quoted, bare = found.groups()
    value = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
    matcher = Matcher(label, MatchOp(op), value)
    if matcher.op in (MatchOp.RE, MatchOp.NRE):
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"bad regex {value!r} for {label}: {exc}") from None
    return matcher


def format_matchers(matchers: Iterable[Matcher]) -> str:
    """``{a="1",b=~"x|y"}``: the matchers as Alertmanager prints them."""
    return "{" + ",".join(f"{m.label}{m.op}{_quote(m.value)}" for m in matchers) + "}"


def parse_routes(doc: YamlDoc, channels: Sequence[str] | None = None, key: str = "routes") -> Route:
    """The route tree from the ``routes:`` section of a parsed alerts document.

    Args:
        doc: the parsed alerts.yml.
        channels: the channel names of monitoring.yml: the root's default ``channels``, and
            the only names a route may use. None skips the name check (root default: none).
        key: the top-level key holding the root route.

    Raises:
        ConfigError: the section is invalid; names file, line and field.
    """
    known = tuple(channels or ())
    data = doc.data.get(key) if isinstance(doc.data, dict) else None
    if data is None:
        return default_route(known)
    spec = doc.convert(data, RouteSpec, (key,))
    path: PathKey = (key,)
    for field, bad in (("matchers", spec.matchers), ("severity", spec.severity)):
        if bad:
            raise doc.error((*path, field), "the root route takes every alert; use a child route")
    if spec.continue_:
        raise doc.error((*path, "continue"), "the root route has no siblings to continue to")
    return _build(doc, spec, path, default_route(known), "{}", None if channels is None else known)


def parse_routes_text(
    text: str, file: str = "alerts.yml", channels: Sequence[str] | None = None
) -> Route:
    """The route tree from alerts.yml text, as if read from ``file``.

    Raises:
        ConfigError: the text is not valid YAML or its ``routes:`` are invalid.
    """
    return parse_routes(parse_yaml(text, file), channels)


def seed_routes(rules: Iterable[Rule], parent: Route, resolved: Routes) -> tuple[Route, ...]:
    """Routes for the seed's per-rule ``notifications`` (C6), to be the root's first children.

    Each rule that lists notifications gets a route matching ``alertname="<rule>"`` with the
    channels ``resolved`` (from :func:`hub.notify.routes.resolve_routes`) found for it, the group
    settings of ``parent`` and ``continue: true``, so the configured routes are still tried.
    Rules without notifications get none: they follow the configured tree, whose root defaults
    to every channel, as before.
    """
    seeds = []
    for rule in rules:
        if not rule.notifications:
            continue
        matcher = Matcher("alertname", MatchOp.EQ, rule.name)
        seeds.append(
            msgspec.structs.replace(
                parent,
                key=f"{parent.key}/seed{format_matchers([matcher])}",
                channels=resolved.for_rule(rule.name),
                matchers=(matcher,),
                continue_=True,
                routes=(),
            )
        )
    return tuple(seeds)


def with_seed_routes(tree: Route, rules: Iterable[Rule], resolved: Routes) -> Route:
    """``tree`` with :func:`seed_routes` for ``rules`` placed before its own children."""
    seeds = seed_routes(rules, tree, resolved)
    return msgspec.structs.replace(tree, routes=(*seeds, *tree.routes))


def _build(
    doc: YamlDoc,
    spec: RouteSpec,
    path: PathKey,
    parent: Route,
    key: str,
    known: tuple[str, ...] | None,
) -> Route:
    """Resolve ``spec`` (at ``path``) against ``parent`` and build its subtree."""
    matchers = _matchers(doc, spec, path)
    channels = parent.channels if spec.channels is None else tuple(spec.channels)
    for index, name in enumerate(channels if spec.channels is not None else ()):
        if known is not None and name not in known:
            choices = ", ".join(known) or "none configured"
            raise doc.error((*path, "channels", index), f"unknown channel {name!r} ({choices})")
    group_by = parent.group_by if spec.group_by is None else tuple(spec.group_by)
    if ALL_LABELS in group_by and len(group_by) > 1:
        raise doc.error((*path, "group_by"), f"{ALL_LABELS!r} must be the only label")
    for field in ("group_interval", "repeat_interval"):
        if getattr(spec, field) == 0:
            raise doc.error((*path, field), "must be more than 0")
    node = Route(
        key=key,
        channels=channels,
        matchers=matchers,
        group_by=group_by,
        group_wait=_pick(spec.group_wait, parent.group_wait),
        group_interval=_pick(spec.group_interval, parent.group_interval),
        repeat_interval=_pick(spec.repeat_interval, parent.repeat_interval),
        continue_=spec.continue_,
        name=spec.name,
    )
    keys = _child_keys(doc, spec, path, key)
    children = [
        _build(doc, child, (*path, "routes", index), node, keys[index], known)
        for index, child in enumerate(spec.routes)
    ]
    return msgspec.structs.replace(node, routes=tuple(children))


def route_names(tree: Route) -> list[str]:
    """The names given to routes in ``tree``, depth-first (unnamed routes left out)."""
    names = [tree.name] if tree.name else []
    for child in tree.routes:
        names += route_names(child)
    return names


def _matchers(doc: YamlDoc, spec: RouteSpec, path: PathKey) -> tuple[Matcher, ...]:
    """The route's matchers: its ``matchers`` strings, then its ``severity`` shorthand."""
    matchers = []
    for index, text in enumerate(spec.matchers):
        try:
            matchers.append(parse_matcher(text))
        except ValueError as exc:
            raise doc.error((*path, "matchers", index), str(exc)) from None
    if spec.severity is not None:
        levels = [spec.severity] if isinstance(spec.severity, Severity) else spec.severity
        if not levels:
            raise doc.error((*path, "severity"), "list at least one severity")
        pattern = "|".join(re.escape(level.value) for level in levels)
        matchers.append(Matcher("severity", MatchOp.RE, pattern))
    return tuple(matchers)


def _child_keys(doc: YamlDoc, spec: RouteSpec, path: PathKey, key: str) -> list[str]:
    """Keys of ``spec``'s children: parent key + their matchers, numbered when siblings agree."""
    plain: list[str] = []
    keys: list[str] = []
    for index, child in enumerate(spec.routes):
        own = f"{key}/{format_matchers(_matchers(doc, child, (*path, 'routes', index)))}"
        repeats = plain.count(own)
        plain.append(own)
        keys.append(f"{own}#{repeats}" if repeats else own)
    return keys


def _pick(value: Seconds | None, inherited: float) -> float:
    return inherited if value is None else float(value)


def _quote(value: str) -> str:
    return msgspec.json.encode(value).decode()
