"""services in monitoring.yml: probe options, defaults and errors naming file, line and field."""

import pytest

from hub.domain.config import ServiceConfig
from hub.lib.yamlconf import ConfigError, parse_yaml
from hub.settings import parse_monitoring


def monitoring(text, file="monitoring.yml"):
    return parse_monitoring(parse_yaml(text, file))


def test_every_probe_option_decodes():
    config = monitoring(
        "services:\n"
        "  api:\n"
        "    url: https://127.0.0.1:8443/health\n"
        "    interval: 15s\n"
        "    timeout: 5s\n"
        "    metrics_url: http://127.0.0.1:8080/metrics\n"
        "    expected_status: [200, 204]\n"
        "    keyword: healthy\n"
        "    json_path: checks.db.status\n"
        "    json_value: up\n"
        "    error_window: 20\n"
        "    series_limit: 500\n"
        "    depends_on: [db]\n"
        "  db:\n"
        "    url: http://127.0.0.1:9000/\n"
        "    expected_status: 204\n"
    )
    api = config.services["api"]
    assert api == ServiceConfig(
        url="https://127.0.0.1:8443/health",
        interval=15,
        timeout=5,
        metrics_url="http://127.0.0.1:8080/metrics",
        expected_status=(200, 204),
        keyword="healthy",
        json_path="checks.db.status",
        json_value="up",
        error_window=20,
        series_limit=500,
        depends_on=("db",),
    )
    assert api.probe_timeout == 5
    assert config.services["db"].expected_status == 204


@pytest.mark.parametrize(("interval", "timeout"), [(30, 10), (10, 5), (4, 2), (1, 0.5)])
def test_default_timeout_is_10s_or_half_a_shorter_interval(interval, timeout):
    config = monitoring(f"services:\n  api:\n    url: http://x/\n    interval: {interval}\n")
    assert config.services["api"].timeout is None
    assert config.services["api"].probe_timeout == timeout


@pytest.mark.parametrize(
    ("body", "line", "field", "reason"),
    [
        ("    url: ftp://x/\n", 3, "services.api.url", "http:// or https://"),
        ("    url: localhost:8080\n", 3, "services.api.url", "http:// or https://"),
        ("    url: 'http://'\n", 3, "services.api.url", "http:// or https://"),
        ("    url: 'http://[::1/'\n", 3, "services.api.url", "http:// or https://"),
        (
            "    url: http://x/\n    metrics_url: x/metrics\n",
            4,
            "services.api.metrics_url",
            "http:// or https://",
        ),
        ("    url: http://x/\n    interval: 0.5\n", 4, "services.api.interval", "at least 1"),
        (
            "    url: http://x/\n    interval: 5s\n    timeout: 5s\n",
            5,
            "services.api.timeout",
            "shorter than the interval (5s), got 5s",
        ),
        (
            "    url: http://x/\n    timeout: 0\n",
            4,
            "services.api.timeout",
            "more than 0",
        ),
        (
            "    url: http://x/\n    expected_status: [200, 999]\n",
            4,
            "services.api.expected_status",
            "100-599, got 999",
        ),
        (
            "    url: http://x/\n    expected_status: ok\n",
            4,
            "services.api.expected_status",
            "Expected `int | array | null`",
        ),
        (
            "    url: http://x/\n    json_value: up\n",
            4,
            "services.api.json_value",
            "needs a json_path",
        ),
        (
            "    url: http://x/\n    json_path: checks..status\n",
            4,
            "services.api.json_path",
            "dotted path",
        ),
        ("    url: http://x/\n    error_window: 0\n", 4, "services.api.error_window", "at least 1"),
        ("    url: http://x/\n    series_limit: 0\n", 4, "services.api.series_limit", "at least 1"),
        ("    url: http://x/\n    keywrd: ok\n", 4, "services.api.keywrd", "unknown field"),
        (
            "    url: http://x/\n    depends_on: [db]\n",
            4,
            "services.api.depends_on[0]",
            "unknown service 'db' (services: api)",
        ),
        (
            "    url: http://x/\n    depends_on:\n      - api\n",
            5,
            "services.api.depends_on[0]",
            "cannot depend on itself",
        ),
    ],
)
def test_bad_service_names_file_line_and_field(body, line, field, reason):
    with pytest.raises(ConfigError) as caught:
        monitoring("services:\n  api:\n" + body, "conf/monitoring.yml")
    error = caught.value
    assert (error.file, error.line, error.field) == ("conf/monitoring.yml", line, field)
    assert reason in error.reason
    assert str(error).startswith(f"conf/monitoring.yml:{line}: {field}: ")


def test_unknown_dependency_points_at_its_own_line_in_a_block_list():
    with pytest.raises(ConfigError) as caught:
        monitoring(
            "services:\n  db:\n    url: http://x/\n  api:\n    url: http://y/\n"
            "    depends_on:\n      - db\n      - cache\n"
        )
    assert (caught.value.line, caught.value.field) == (8, "services.api.depends_on[1]")
    assert "unknown service 'cache' (services: api, db)" in caught.value.reason
