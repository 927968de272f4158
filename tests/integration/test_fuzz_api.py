"""schemathesis against the real hub's /schema/openapi.json with the admin token: no 5xx, and
every response matches the schema."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.helpers import hub_settings, serve_hub

EXAMPLES = 15
"""Cases per operation: about 30 operations, so the run stays well under a minute."""
CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.content_type_conformance,
]


def test_every_operation_answers_fuzzed_requests_without_5xx_and_as_documented(tmp_path):
    config = "collection:\n  interval: 60\n"
    with serve_hub(hub_settings(tmp_path, config, "alerts: {}\n")) as hub:
        schema = schemathesis.openapi.from_url(f"{hub.url}/schema/openapi.json")
        auth = {"Authorization": f"Bearer {hub.token}"}
        failures: dict[str, str] = {}
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 20
        # The live stream has no parameters to fuzz and never ends: its media type is checked
        # by the schema test below instead of waiting out a timeout per case.
        operations = [op for op in operations if op.path != "/api/v1/events"]
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case: schemathesis.Case) -> None:
                response = case.call(headers=auth, timeout=10)
                case.validate_response(response, checks=CHECKS)

            try:
                check()
            except BaseException as failure:  # hypothesis raises an exception group
                failures[operation.label] = str(failure)[:1500]
        assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_the_live_stream_is_documented_as_server_sent_events(tmp_path):
    with serve_hub(hub_settings(tmp_path, "", "alerts: {}\n")) as hub, hub.api() as api:
        doc = api.get("/schema/openapi.json").json()
        ok = doc["paths"]["/api/v1/events"]["get"]["responses"]["200"]
        assert list(ok["content"]) == ["text/event-stream"]
        with api.stream("GET", "/api/v1/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
