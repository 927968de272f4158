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
