"""What makes a probe's answer "up": status, keyword and JSON checks."""

import pytest

from hub.collectors.checks import as_text, failed_check, json_lookup, status_ok
from hub.domain.config import ServiceConfig


def service(**checks) -> ServiceConfig:
    return ServiceConfig(url="http://127.0.0.1/health", **checks)


@pytest.mark.parametrize(
    ("expected", "status", "up"),
    [
        (None, 200, True),
        (None, 204, True),
        (None, 301, True),
        (None, 404, False),
        (None, 500, False),
        (None, 199, False),
        (503, 503, True),
        (503, 200, False),
        ((200, 418), 418, True),
        ((200, 418), 201, False),
    ],
)
def test_status_is_up_when_expected_or_by_default_2xx_and_3xx(expected, status, up):
    assert status_ok(expected, status) is up


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("status", "ok"),
        ("checks.db.status", "up"),
        ("checks.db.latency", 3),
        ("items.1.ok", False),
        ("items.0", {"ok": True}),
    ],
)
def test_json_lookup_follows_dotted_paths_into_objects_and_lists(path, value):
    data = {
        "status": "ok",
        "checks": {"db": {"status": "up", "latency": 3}},
        "items": [{"ok": True}, {"ok": False}],
    }
    assert json_lookup(data, path) == value


@pytest.mark.parametrize("path", ["missing", "status.deeper", "items.2", "items.x", "checks.db.x"])
def test_json_lookup_raises_key_error_for_a_path_that_leads_nowhere(path):
    data = {"status": "ok", "checks": {"db": {}}, "items": [1, 2]}
    with pytest.raises(KeyError):
        json_lookup(data, path)


@pytest.mark.parametrize(
    ("value", "text"),
    [("up", "up"), (True, "true"), (None, "null"), (1, "1"), (1.5, "1.5"), ([1, 2], "[1,2]")],
)
def test_json_values_compare_as_their_json_text(value, text):
    assert as_text(value) == text


@pytest.mark.parametrize(
    ("checks", "status", "body", "reason"),
    [
        ({}, 200, b"anything", None),
        ({}, 500, b"", "HTTP 500, expected 2xx or 3xx"),
        ({"expected_status": 200}, 204, b"", "HTTP 204, expected 200"),
        ({"expected_status": (200, 204)}, 500, b"", "HTTP 500, expected 200 or 204"),
        ({"keyword": "healthy"}, 200, b"all healthy", None),
        ({"keyword": "healthy"}, 200, b"degraded", "keyword 'healthy' not in the body"),
        ({"json_path": "status"}, 200, b'{"status": null}', None),
        ({"json_path": "status"}, 200, b"<html>", "the body is not JSON"),
        ({"json_path": "db.ok"}, 200, b'{"db": {}}', "JSON path db.ok not found"),
        ({"json_path": "db.ok", "json_value": "true"}, 200, b'{"db": {"ok": true}}', None),
        (
            {"json_path": "status", "json_value": "up"},
            200,
            b'{"status": "down"}',
            "JSON status is 'down', expected 'up'",
        ),
        # The status is checked first: a 500 with the right keyword is still down.
        ({"keyword": "ok"}, 500, b"ok", "HTTP 500, expected 2xx or 3xx"),
    ],
)
def test_failed_check_names_the_first_failing_check(checks, status, body, reason):
    assert failed_check(service(**checks), status, body) == reason
