"""Rule unit tests in the style of ``promtool test rules``, run against the real engine.

A test file names alerts files and lists tests; each test gives input series as values over
time and the alerts expected to be firing at given times::

    rule_files: [alerts.yml]          # relative to the test file
    evaluation_interval: 1m           # default 1m
    tests:
      - interval: 1m                  # between the values of a series; default 1m
        input_series:
          - series: 'cpu_usage{host="a"}'
            values: "50+10x10"        # 50 60 70 … 150; also "1x3", "_", "_x2", "stale"
        alert_rule_test:
          - eval_time: 5m
            alertname: cpu_high
            exp_alerts:
              - exp_labels: {host: a, severity: warning}
                exp_annotations: {message: "CPU on a at 100"}

Each test runs in a fresh store (SQLite in a temporary directory) with the hub's own engine
and a manual clock: samples are written as their time comes and rules are evaluated every
``evaluation_interval``. ``exp_alerts`` are the alerts *firing* (acknowledged or not) at
``eval_time``; labels must match exactly (``alertname`` is added), annotations only those
given. Reference: https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from hub.alerts import AlertEngine
from hub.domain.alerts import Alert, AlertState
from hub.domain.matchers import MatchOp
from hub.domain.rules import Rule
from hub.domain.samples import Sample
from hub.lib.bus import Bus
from hub.lib.clock import ManualClock
from hub.lib.durations import Seconds, format_duration
from hub.lib.yamlconf import YamlDoc, load_yaml
from hub.notify.dispatch import Dispatcher
from hub.notify.policy import AlertPolicy, default_policy, parse_policy
from hub.notify.routes import resolve_routes
from hub.rules.parse import parse_rules
from hub.store import Store, open_store, upgrade
from hub.tsdb import TSDB
from hub.tsdb.selector import SelectorError, parse_selector

START = datetime(2000, 1, 1, tzinfo=UTC)
"""Time zero of every test (promtool starts at the Unix epoch; any fixed time will do)."""
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_EXPAND = re.compile(rf"^(?P<start>{_NUMBER})(?:(?P<sign>[-+])(?P<step>{_NUMBER}))?x(?P<n>\d+)$")
_BLANKS = re.compile(r"^_(?:x(?P<n>\d+))?$")


class SeriesSpec(msgspec.Struct, forbid_unknown_fields=True):
    """One input series: a selector without operators and its values."""

    series: str
    values: str


class ExpectedAlert(msgspec.Struct, forbid_unknown_fields=True):
    """One alert expected to be firing."""

    exp_labels: dict[str, str] = {}
    exp_annotations: dict[str, str] = {}


class AlertCheck(msgspec.Struct, forbid_unknown_fields=True):
    """The alerts of ``alertname`` expected to be firing at ``eval_time``."""

    eval_time: Seconds
    alertname: str
    exp_alerts: list[ExpectedAlert] = []


class TestCase(msgspec.Struct, forbid_unknown_fields=True):
    """One test: input series and checks."""

    input_series: list[SeriesSpec] = []
    alert_rule_test: list[AlertCheck] = []
    interval: Seconds | None = None
    name: str = ""


class TestFile(msgspec.Struct, forbid_unknown_fields=True):
    """A rule test file."""

    rule_files: list[str]
    tests: list[TestCase]
    evaluation_interval: Seconds = Seconds(60)


@dataclass
class Failure:
    """A check whose firing alerts differ from the expected ones."""

    test: str
    alertname: str
    eval_time: float
    expected: list[str]
    got: list[str]

    def render(self) -> str:
        """A readable diff: what was expected and what fired."""
        lines = [
            f"FAILED {self.test}: alertname {self.alertname}, "
            f"eval_time {format_duration(self.eval_time)}:"
        ]
        lines.append("  expected:" + ("" if self.expected else " (no alerts)"))
        lines += [f"    {'-' if e not in self.got else ' '} {e}" for e in self.expected]
        lines.append("  got:" + ("" if self.got else " (no alerts)"))
        lines += [f"    {'+' if g not in self.expected else ' '} {g}" for g in self.got]
        return "\n".join(lines)


@dataclass
class Outcome:
    """What running a test file found."""

    checks: int = 0
    failures: list[Failure] = field(default_factory=list)


def expand_values(text: str) -> list[float | None]:
    """promtool's expanding notation: ``1 2 3``, ``1+2x3`` (1 3 5 7), ``5-1x2`` (5 4 3),
    ``7x2`` (7 7 7), ``_`` (no sample), ``_x3`` (three), ``stale`` (no sample).

    Raises:
        ValueError: a term that is none of these.
    """
    out: list[float | None] = []
    for term in text.split():
        blanks = _BLANKS.match(term)
        if blanks or term == "stale":
            out += [None] * (int(blanks["n"]) if blanks and blanks["n"] else 1)
            continue
        expand = _EXPAND.match(term)
        if expand:
            start = float(expand["start"])
            step = float(expand["step"] or 0) * (-1 if expand["sign"] == "-" else 1)
            out += [start + step * i for i in range(int(expand["n"]) + 1)]
            continue
        try:
            out.append(float(term))
        except ValueError:
            raise ValueError(
                f"cannot read {term!r} (like 1, 1+2x3, 5-1x2, 7x2, _ or _x3)"
            ) from None
    return out


def load_test_file(path: Path) -> tuple[TestFile, tuple[Rule, ...], AlertPolicy, YamlDoc]:
    """The test file and the rules and policy of the alerts files it names.

    Raises:
        ConfigError: the test file or an alerts file is invalid; names file, line and field.
    """
    doc = load_yaml(path)
    spec = doc.convert(doc.data, TestFile, ())
    rules: list[Rule] = []
    policy = default_policy()
    for index, name in enumerate(spec.rule_files):
        target = path.parent / name
        if not target.is_file():
            raise doc.error(("rule_files", index), f"no such file: {target}")
        alerts = load_yaml(target)
        rules += parse_rules(alerts)
        policy = parse_policy(alerts, None)
    for t_index, case in enumerate(spec.tests):
        for s_index, series in enumerate(case.input_series):
            where = ("tests", t_index, "input_series", s_index)
            try:
                selector = parse_selector(series.series)
            except SelectorError as error:
                raise doc.error((*where, "series"), str(error)) from None
            if any(m.op is not MatchOp.EQ for m in selector.matchers) or not selector.metric:
                raise doc.error((*where, "series"), 'expected name{label="value", …}')
            try:
                expand_values(series.values)
            except ValueError as error:
                raise doc.error((*where, "values"), str(error)) from None
    return spec, tuple(rules), policy, doc


async def run_test_file(path: Path) -> Outcome:
    """Run every test of the file at ``path``.

    Raises:
        ConfigError: the file (or an alerts file it names) is invalid.
    """
    spec, rules, policy, _ = load_test_file(path)
    outcome = Outcome()
    for index, case in enumerate(spec.tests):
        title = f"{path.name} test {index + 1}" + (f" ({case.name})" if case.name else "")
        await _run_case(title, case, rules, policy, float(spec.evaluation_interval), outcome)
    return outcome


async def _run_case(
    title: str,
    case: TestCase,
    rules: tuple[Rule, ...],
    policy: AlertPolicy,
    every: float,
    outcome: Outcome,
) -> None:
    interval = float(case.interval) if case.interval is not None else every
    samples = sorted(_samples(case, interval), key=lambda s: s.time)
    checks = sorted(case.alert_rule_test, key=lambda c: float(c.eval_time))
    end = max((float(c.eval_time) for c in checks), default=0.0)
    with tempfile.TemporaryDirectory(prefix="tcf-hub-ruletest-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'test.db'}"
        upgrade(url)
        store = open_store(url)
        try:
            clock = ManualClock(START)
            tsdb = TSDB(store)
            dispatcher = Dispatcher(store, policy, resolve_routes(rules, {}), rules, "")
            engine = AlertEngine(store, tsdb, rules, dispatcher, clock, Bus())
            written = 0
            step = 0
            pending = list(checks)
            while True:
                at = step * every
                while pending and float(pending[0].eval_time) < at:  # between evaluations
                    await _check(store, title, pending.pop(0), outcome)
                if at > end and not pending:
                    break
                clock.advance((START + timedelta(seconds=at) - clock.now()).total_seconds())
                stamp = clock.now().timestamp()
                upto = written
                while upto < len(samples) and samples[upto].time <= stamp:
                    upto += 1
                if upto > written:
                    await tsdb.write(samples[written:upto])
                    written = upto
                await engine.evaluate()
                while pending and float(pending[0].eval_time) == at:
                    await _check(store, title, pending.pop(0), outcome)
                step += 1
        finally:
            await store.close()


async def _check(store: Store, title: str, check: AlertCheck, outcome: Outcome) -> None:
    async with store.tx() as tx:
        open_alerts = await tx.alerts.open()
    _compare(title, check, open_alerts, outcome)


def _samples(case: TestCase, interval: float) -> list[Sample]:
    out = []
    for series in case.input_series:
        selector = parse_selector(series.series)
        name = selector.metric or ""
        labels = {m.label: m.value for m in selector.matchers if m.label != "__name__"}
        for i, value in enumerate(expand_values(series.values)):
            if value is not None:
                out.append(Sample(name, labels, value, START.timestamp() + i * interval))
    return out


def _compare(title: str, check: AlertCheck, alerts: Sequence[Alert], outcome: Outcome) -> None:
    outcome.checks += 1
    firing = [
        a
        for a in alerts
        if a.rule == check.alertname
        and (a.state is AlertState.FIRING or (a.state is AlertState.ACKNOWLEDGED and a.fired_at))
    ]
    expected = sorted(
        _show({"alertname": check.alertname, **e.exp_labels}, e.exp_annotations)
        for e in check.exp_alerts
    )
    shown_keys = {k for e in check.exp_alerts for k in e.exp_annotations}
    got = sorted(
        _show(a.labels, {k: v for k, v in a.annotations.items() if k in shown_keys}) for a in firing
    )
    if expected != got:
        outcome.failures.append(
            Failure(title, check.alertname, float(check.eval_time), expected, got)
        )


def _show(labels: dict[str, str], annotations: dict[str, str]) -> str:
    text = "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
    if annotations:
        text += (
            " annotations "
            + "{"
            + ", ".join(f'{k}="{v}"' for k, v in sorted(annotations.items()))
            + "}"
        )
    return text
