"""What the fuzzing found: out-of-range numbers get a 400 with the reason, never a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("value", ["1e300", "-5", "nan", "inf", "1.3e16"])
async def test_a_series_time_that_is_no_time_is_a_400_naming_the_parameter(hub, value):
    response = await hub.client.get(
        "/api/v1/series", params={"match": "cpu_usage", "to": value}, headers=hub.auth
    )
    assert response.status_code == 400
    assert "`to` must be unix seconds between 0 and 253402300799" in response.text


async def test_an_alert_id_past_the_store_integers_is_a_400(hub):
    response = await hub.client.get(f"/api/v1/alerts/{2**70}", headers=hub.auth)
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "a number in the request is out of range",
    )
    missing = await hub.client.get(f"/api/v1/alerts/{2**62}", headers=hub.auth)
    assert missing.status_code == 404


async def test_sign_out_is_documented_without_a_body(hub):
    doc = (await hub.client.get("/schema/openapi.json")).json()
    assert "content" not in doc["paths"]["/api/v1/session"]["delete"]["responses"]["204"]


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"null",
        b"[]",
        b'{"host": 5, "samples": []}',
        b'{"host": "a", "samples": [{"name": "m", "labels": {}, "value": "x", "time": 1}]}',
        b'{"host": "a", "samples": [{"name": "m", "labels": {}, "value": 1e999, "time": 1}]}',
        b'{"host": "a", "samples": [{"name": "m", "labels": [], "value": 1, "time": 1e300}]}',
        b"\xff\xfe",
    ],
)
async def test_a_malformed_agent_batch_is_a_4xx_with_the_reason(hub, body):
    response = await hub.client.post(
        "/api/v1/ingest", content=body, headers={**hub.auth, "Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["detail"]


@pytest.mark.parametrize("body", [b"{", b'{"matchers": 5}', b'{"matchers": ["a="]}', b"[1]"])
async def test_a_malformed_silence_is_a_4xx_with_the_reason(hub, body):
    response = await hub.client.post(
        "/api/v1/silences", content=body, headers={**hub.auth, "Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["detail"]
