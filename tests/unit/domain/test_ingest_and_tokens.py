"""Ingest batches (C10) and token scopes, as pure functions."""

from datetime import UTC, datetime

import pytest

from hub.domain.config import HeartbeatConfig
from hub.domain.heartbeats import Heartbeat, PingStatus, ping_samples, state_samples
from hub.domain.ingest import (
    IngestError,
    UnsupportedBatchTypeError,
    batch_samples,
    decode_batch,
    encode_batch,
)
from hub.domain.samples import Sample
from hub.domain.tokens import TokenScope, scope_allows
from hub.lib.durations import Seconds

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
MP = "application/msgpack"


@pytest.mark.parametrize(
    ("scope", "method", "path", "allowed"),
    [
        (TokenScope.INGEST, "POST", "/api/v1/ingest", True),
        (TokenScope.INGEST, "post", "/api/v1/ingest/", True),
        (TokenScope.INGEST, "GET", "/api/v1/ingest", False),
        (TokenScope.INGEST, "POST", "/api/v1/ingest/../alerts", False),
        (TokenScope.INGEST, "POST", "/api/v1/heartbeats/x", False),
        (TokenScope.HEARTBEAT, "POST", "/api/v1/heartbeats/backup", True),
        (TokenScope.HEARTBEAT, "POST", "/api/v1/heartbeats/a/b", False),
        (TokenScope.HEARTBEAT, "POST", "/api/v1/heartbeats", False),
        (TokenScope.HEARTBEAT, "GET", "/api/v1/heartbeats/backup", False),
        (TokenScope.HEARTBEAT, "POST", "/api/v1/ingest", False),
    ],
)
def test_each_scope_opens_exactly_one_route(scope, method, path, allowed):
    assert scope_allows(scope, method, path) is allowed


def test_an_encoded_batch_decodes_to_the_same_samples_with_the_agents_host():
    samples = [
        Sample("cpu_usage", {}, 1.5, NOW.timestamp()),
        Sample("disk_usage", {"host": "own", "mount": "/"}, 2.0, NOW.timestamp()),
    ]
    batch = decode_batch(encode_batch("web-1", samples), "application/msgpack")
    assert batch_samples(batch, NOW, 0.0) == [
        Sample("cpu_usage", {"host": "web-1"}, 1.5, NOW.timestamp()),
        Sample("disk_usage", {"host": "own", "mount": "/"}, 2.0, NOW.timestamp()),
    ]


def test_json_integers_are_read_as_floats_and_charset_parameters_are_ignored():
    body = b'{"agent": "a", "samples": [["m", {}, 1, 1700000000]]}'
    batch = decode_batch(body, "application/json; charset=utf-8")
    assert batch.samples == [("m", {}, 1.0, 1700000000.0)]


def test_other_content_types_are_refused():
    with pytest.raises(UnsupportedBatchTypeError):
        decode_batch(b"x", "application/xml")


def test_samples_a_little_ahead_of_the_hub_are_accepted_far_ahead_refused():
    ahead = decode_batch(encode_batch("a", [Sample("m", {}, 1, NOW.timestamp() + 60)]), MP)
    assert len(batch_samples(ahead, NOW, 0.0)) == 1
    far = decode_batch(encode_batch("a", [Sample("m", {}, 1, NOW.timestamp() + 3600)]), MP)
    with pytest.raises(IngestError, match="future"):
        batch_samples(far, NOW, 0.0)


def test_ping_and_state_samples():
    config = HeartbeatConfig(period=Seconds(60), grace=Seconds(30))
    beat = Heartbeat("b", NOW, NOW, PingStatus.FAIL, None, 4.0)
    assert [(s.name, s.value) for s in ping_samples(beat, config, NOW)] == [
        ("heartbeat_age_seconds", 0.0),
        ("heartbeat_overdue", 0.0),
        ("job_success", 0.0),
        ("job_duration_seconds", 4.0),
    ]
    later = datetime.fromtimestamp(NOW.timestamp() + 91, UTC)
    assert [(s.name, s.value) for s in state_samples(beat, config, later)] == [
        ("heartbeat_age_seconds", 91.0),
        ("heartbeat_overdue", 1.0),
        ("job_success", 0.0),
    ]
    never = Heartbeat("b", NOW)
    assert [s.name for s in state_samples(never, config, later)] == [
        "heartbeat_age_seconds",
        "heartbeat_overdue",
    ]
