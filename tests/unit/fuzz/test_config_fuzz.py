"""Any monitoring.yml / alerts.yml gives valid settings or a ConfigError naming the file (and,
when a field is at fault, the field and its line) — never another exception."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.lib.yamlconf import ConfigError
from hub.settings import load_settings

# Keys the parsers know, so generated documents reach deep into them, plus a few unknown ones.
KEYS = [
    "hub", "host", "port", "metrics_public", "collection", "interval", "docker", "services",
    "url", "timeout", "metrics_url", "expect_status", "depends_on", "channels", "type",
    "webhook", "slack", "email", "to", "retention", "raw", "max_disk", "heartbeats", "period",
    "grace", "database", "alerts", "metric", "threshold", "duration", "severity", "message",
    "notifications", "levels", "operator", "labels", "routes", "group_by", "group_wait",
    "group_interval", "repeat_interval", "matchers", "inhibit_rules", "source_matchers",
    "target_matchers", "equal", "maintenance", "keep_firing_for", "nodata", "absent", "x", "",
]  # fmt: skip
WORDS = [
    "5m", "90s", "2h", "-1s", "warning", "critical", "info", "webhook", "http://127.0.0.1:1/x",
    "ftp://x", "#ops", "a@b.c", "cpu_usage", ">", "<=", 'host="a"', 'host=~"("', "0", "1e309",
    "nan", "", "...",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)
DOCS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    ),
    max_leaves=25,
)
TOP = st.dictionaries(st.sampled_from(KEYS), DOCS, max_size=5)
"""Top-level documents are mostly mappings of known keys."""


def _text(doc: object) -> str:
    return yaml.safe_dump(doc, allow_unicode=True)


def _check(monitoring: str, alerts: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder)
        (config / "monitoring.yml").write_text(monitoring)
        (config / "alerts.yml").write_text(alerts)
        error = None
        try:
            load_settings(config, config / "data")
        except ConfigError as raised:
            error = raised
        if error is not None:
            assert error.file.endswith(("monitoring.yml", "alerts.yml")), error
            assert str(error).startswith(error.file)
            assert error.reason
            if error.field:
                assert error.field in str(error)


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(monitoring=TOP, alerts=TOP)
def test_any_structured_config_loads_or_names_file_and_field(monitoring, alerts):
    _check(_text(monitoring), _text(alerts))


@FUZZ
@given(
    body=st.dictionaries(st.sampled_from(KEYS[:40]), DOCS, max_size=6),
    name=st.text(min_size=1, max_size=8),
)
def test_any_rule_or_channel_body_loads_or_names_file_and_field(body, name):
    _check(
        _text({"channels": {name: body}, "services": {name: body}}),
        _text({"alerts": {name: body}, "routes": body}),
    )


@FUZZ
@given(monitoring=st.text(max_size=200), alerts=st.text(max_size=200))
def test_any_text_at_all_loads_or_names_the_file(monitoring, alerts):
    _check(monitoring, alerts)


def test_a_control_character_or_bad_utf8_is_a_config_error_naming_the_file(tmp_path):
    (tmp_path / "monitoring.yml").write_text("\x08")
    where = re.escape(str(tmp_path / "monitoring.yml"))
    with pytest.raises(ConfigError, match=f"^{where}: invalid YAML: unacceptable character"):
        load_settings(tmp_path, tmp_path / "data")
    (tmp_path / "monitoring.yml").write_text("")
    (tmp_path / "alerts.yml").write_bytes(b"alerts:\n  x: \xff\n")
    where = re.escape(str(tmp_path / "alerts.yml"))
    with pytest.raises(ConfigError, match=rf"^{where}: not UTF-8 text \(byte 13\)$"):
        load_settings(tmp_path, tmp_path / "data")
