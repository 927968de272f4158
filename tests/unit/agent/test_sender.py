"""How the agent reads the hub's answers: retry, drop the batch, or stop."""

import httpx
import pytest

from hub.agent import Outcome
from hub.agent.sender import HubSender


def sender_answering(handler):
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return client, HubSender(client, "http://hub.test/", "tcf_secret")


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.SENT),
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (503, Outcome.RETRY),
        (400, Outcome.REJECTED),
        (413, Outcome.REJECTED),
        (422, Outcome.REJECTED),
        (401, Outcome.REFUSED),
        (403, Outcome.REFUSED),
        (404, Outcome.REFUSED),
    ],
)
async def test_statuses_map_to_outcomes_with_the_hubs_reason(status, outcome):
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(status, json={"detail": "because"})

    client, send = sender_answering(handler)
    async with client:
        result = await send(b"batch")
    assert result.outcome is outcome
    if status != 200:
        assert result.detail == f"HTTP {status}: because"
    (request,) = seen
    assert str(request.url) == "http://hub.test/api/v1/ingest"
    assert request.headers["authorization"] == "Bearer tcf_secret"
    assert request.headers["content-type"] == "application/msgpack"
    assert request.content == b"batch"


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("x")],
)
async def test_network_trouble_is_retried(error):
    def handler(request):
        raise error

    client, send = sender_answering(handler)
    async with client:
        result = await send(b"batch")
    assert result.outcome is Outcome.RETRY
    assert "secret" not in result.detail


@pytest.mark.parametrize(
    "drop", [httpx.ReadError("reset"), httpx.WriteError("pipe"), httpx.RemoteProtocolError("x")]
)
async def test_a_connection_dropped_before_the_answer_is_tried_once_more_at_once(drop):
    attempts = []

    def handler(request):
        attempts.append(request.content)
        if len(attempts) == 1:
            raise drop
        return httpx.Response(200, json={"samples": 1})

    client, send = sender_answering(handler)
    async with client:
        result = await send(b"batch")
    assert result.outcome is Outcome.SENT
    assert attempts == [b"batch", b"batch"]


async def test_a_connection_dropped_twice_leaves_the_batch_for_later():
    attempts = []

    def handler(request):
        attempts.append(request)
        raise httpx.ReadError("reset")

    client, send = sender_answering(handler)
    async with client:
        result = await send(b"batch")
    assert result.outcome is Outcome.RETRY
    assert len(attempts) == 2


@pytest.mark.parametrize("error", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")])
async def test_a_hub_that_is_down_or_slow_is_not_tried_again_at_once(error):
    attempts = []

    def handler(request):
        attempts.append(request)
        raise error

    client, send = sender_answering(handler)
    async with client:
        result = await send(b"batch")
    assert result.outcome is Outcome.RETRY
    assert len(attempts) == 1
