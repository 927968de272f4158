"""The rules in force: alerts.yml's (read-only here) merged with rules created through the API.

Precedence: alerts.yml's rules come first and cannot be changed or deleted through the API; an
API rule may not take the name of a file rule. Should a reloaded alerts.yml gain a rule of the
same name as an API rule, the file's wins and the API rule is set aside (kept in the store,
logged) until one of them is renamed. Every change reaches the engine without a restart.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from hub.alerts.engine import AlertEngine
from hub.domain.rules import Rule
from hub.lib.clock import Clock
from hub.lib.yamlconf import ConfigError, YamlDoc, load_yaml
from hub.notify.policy import parse_policy
from hub.rules.parse import parse_rules, valid_rule_name
from hub.store import Store

log = logging.getLogger(__name__)
_MISSING = re.compile(r"missing required field `([^`]+)`")


def _stamp(path: Path | None) -> tuple[int, int] | None:
    """What tells that a file changed: its modification time and size (None: unreadable)."""
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def alerts_data(path: Path | None) -> dict[str, Any]:
    """alerts.yml as plain data ({} without a file), for export; the file was validated
    when the settings were loaded."""
    if path is None:
        return {}
    data = load_yaml(path).data
    return dict(data) if isinstance(data, dict) else {}


class RuleSource(enum.StrEnum):
    """Where a rule is defined."""

    FILE = "file"
    API = "api"


class RuleError(Exception):
    """A rule change that cannot be made; ``field`` names the part at fault."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}" if field else reason)


class RuleInvalidError(RuleError):
    """The rule does not validate (as alerts.yml would refuse it)."""


class RuleConflictError(RuleError):
    """The name is taken, or the rule is alerts.yml's (read-only through the API)."""


class RuleNotFoundError(LookupError):
    """No rule has that name."""


class RuleCatalog:
    """File rules and API rules, merged and handed to the engine on every change."""

    def __init__(
        self,
        store: Store,
        engine: AlertEngine,
        clock: Clock,
        file_rules: tuple[Rule, ...],
        file_data: Mapping[str, Any],
        channels: Sequence[str],
        alerts_file: Path | None = None,
    ) -> None:
        self._store = store
        self._engine = engine
        self._clock = clock
        self._file_rules = file_rules
        self._file_data = dict(file_data)
        self._channels = tuple(channels)
        self._api: dict[str, tuple[Rule, dict[str, Any]]] = {}
        self._file = alerts_file
        self._stamp = _stamp(alerts_file)
        self.reloads = 0
        """Successful reloads of alerts.yml so far."""
        self.last_error: str | None = None
        """Why the last reload was refused (None after a good one)."""

    async def reload(self, trigger: str = "SIGHUP") -> bool:
        """Read alerts.yml again (on SIGHUP or when it changed) and put its rules and policy
        in force. An invalid file changes nothing: the last good rules stay and the reason is
        logged (C2). Returns whether the new file is in force."""
        if self._file is None:
            return False
        self._stamp = _stamp(self._file)
        try:
            doc = load_yaml(self._file)
            rules = parse_rules(doc)
            policy = parse_policy(doc, self._channels)
        except ConfigError as error:
            self.last_error = str(error)
            log.error(
                "alerts.yml not reloaded (%s), the last good rules stay in force: %s",
                trigger,
                error,
            )
            return False
        data = doc.data if isinstance(doc.data, dict) else {}
        self._engine.set_policy(policy)
        self.set_file(rules, data)
        self.reloads += 1
        self.last_error = None
        log.info("alerts.yml reloaded (%s): %d rules in force", trigger, len(self.rules))
        return True

    async def reload_if_changed(self) -> bool:
        """Reload when alerts.yml's modification time or size changed since the last look
        (run by a job every few seconds; one stat call)."""
        if self._file is None or _stamp(self._file) == self._stamp:
            return False
        return await self.reload("file changed")

    async def load(self) -> None:
        """Read the API rules from the store and put them in force. A stored rule that no
        longer validates (a channel was removed) is logged and left out."""
        async with self._store.tx() as tx:
            stored = await tx.rules.all()
        self._api = {}
        for name, spec in stored.items():
            try:
                self._api[name] = (self.validate(name, spec), spec)
            except RuleError as error:
                log.warning("rule %s from the API is not in force: %s", name, error)
        self._apply()

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules in force: alerts.yml's, then the API's (in creation order)."""
        names = {r.name for r in self._file_rules}
        return self._file_rules + tuple(r for n, (r, _) in self._api.items() if n not in names)

    def source(self, name: str) -> RuleSource | None:
        """Where the rule in force called ``name`` comes from (None: no such rule)."""
        if any(r.name == name for r in self._file_rules):
            return RuleSource.FILE
        return RuleSource.API if name in self._api else None

    def get(self, name: str) -> tuple[Rule, RuleSource]:
        """The rule in force called ``name``.

        Raises:
            RuleNotFoundError: there is none.
        """
        for rule in self.rules:
            if rule.name == name:
                source = self.source(name)
                assert source is not None  # noqa: S101 (it is in force)
                return rule, source
        raise RuleNotFoundError(name)

    def validate(self, name: str, spec: Mapping[str, Any]) -> Rule:
        """The rule ``spec`` (an alerts.yml entry) describes, checked as alerts.yml is.

        Raises:
            RuleInvalidError: naming the field at fault (``threshold``, ``levels.critical``).
        """
        if not valid_rule_name(name):
            raise RuleInvalidError("name", "rule names use letters, digits, _ : . -")
        doc = YamlDoc("api", {"alerts": {name: dict(spec)}}, {})
        try:
            (rule,) = parse_rules(doc)
        except ConfigError as error:
            field = error.field.removeprefix(f"alerts.{name}").removeprefix(".")
            missing = _MISSING.search(error.reason)
            raise RuleInvalidError(field or (missing[1] if missing else ""), error.reason) from None
        for index, target in enumerate(rule.notifications):
            if target.target not in self._channels:
                known = ", ".join(self._channels) or "none configured"
                raise RuleInvalidError(
                    f"notifications[{index}]",
                    f"rules made through the API notify channels of monitoring.yml by name "
                    f"({known}); {target.target!r} is not one",
                )
        return rule

    async def create(self, name: str, spec: Mapping[str, Any]) -> Rule:
        """Create an API rule.

        Raises:
            RuleConflictError: a rule of that name exists.
            RuleInvalidError: the rule does not validate.
        """
        if self.source(name) is not None:
            raise RuleConflictError("name", f"a rule named {name!r} exists")
        return await self._put(name, spec)

    async def replace(self, name: str, spec: Mapping[str, Any]) -> Rule:
        """Replace an API rule.

        Raises:
            RuleNotFoundError: there is no such rule.
            RuleConflictError: it is alerts.yml's.
            RuleInvalidError: the new rule does not validate.
        """
        self._writable(name)
        return await self._put(name, spec)

    async def delete(self, name: str) -> None:
        """Delete an API rule; its open alerts resolve at the next evaluation.

        Raises:
            RuleNotFoundError: there is no such rule.
            RuleConflictError: it is alerts.yml's.
        """
        self._writable(name)
        async with self._store.tx() as tx:
            await tx.rules.delete(name)
        del self._api[name]
        self._apply()

    def set_file(self, rules: tuple[Rule, ...], data: Mapping[str, Any]) -> None:
        """Put a reloaded alerts.yml's rules in force."""
        self._file_rules = rules
        self._file_data = dict(data)
        for name in self._api.keys() & {r.name for r in rules}:
            log.warning("alerts.yml now defines %s: the API rule of that name is set aside", name)
        self._apply()

    def spec(self, name: str) -> dict[str, Any]:
        """The alerts.yml entry of the rule in force called ``name``."""
        if self.source(name) is RuleSource.FILE:
            return dict((self._file_data.get("alerts") or {}).get(name) or {})
        return dict(self._api[name][1])

    def export(self) -> str:
        """alerts.yml text with every rule in force (and alerts.yml's other sections), which
        ``tcf-hub ctl rules check`` accepts."""
        entries = {rule.name: self.spec(rule.name) for rule in self.rules}
        others = {k: v for k, v in self._file_data.items() if k != "alerts"}
        ordered = {"alerts": entries, **others}
        text: str = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True)
        return text

    def _writable(self, name: str) -> None:
        source = self.source(name)
        if source is None:
            raise RuleNotFoundError(name)
        if source is RuleSource.FILE:
            raise RuleConflictError(
                "name", f"rule {name!r} is defined in alerts.yml; change it there"
            )

    async def _put(self, name: str, spec: Mapping[str, Any]) -> Rule:
        rule = self.validate(name, spec)
        async with self._store.tx() as tx:
            await tx.rules.put(name, dict(spec), self._clock.now())
        self._api[name] = (rule, dict(spec))
        self._apply()
        return rule

    def _apply(self) -> None:
        self._engine.set_rules(self.rules)
