"""Status classification of the one HTTP exit (conventions 8 and 14)."""

import httpx
import pytest

from hub.lib.http import DeliveryError, create_client, post_json, raise_for_delivery

SECRET_URL = "https://hooks.example/T000/B000/very-secret"


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        (400, True),
        (401, True),
        (403, True),
        (404, True),
        (410, True),
        (413, True),
        (429, False),
        (500, False),
        (502, False),
        (503, False),
        (504, False),
    ],
)
def test_status_codes_are_retryable_or_permanent(status, permanent):
    with pytest.raises(DeliveryError) as caught:
        raise_for_delivery(httpx.Response(status))
    assert caught.value.permanent is permanent
    assert caught.value.status == status


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_2xx_is_success(status):
    raise_for_delivery(httpx.Response(status))


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (httpx.ReadTimeout("slow"), False),
        (httpx.ConnectError("refused"), False),
        (httpx.InvalidURL("bad"), True),
    ],
)
async def test_transport_failures_are_classified_without_leaking_the_url(error, permanent):
    def fail(request):
        raise error

    async with httpx.AsyncClient(transport=httpx.MockTransport(fail)) as client:
        with pytest.raises(DeliveryError) as caught:
            await post_json(client, SECRET_URL, b"{}")
    assert caught.value.permanent is permanent
    assert "secret" not in str(caught.value) and "hooks.example" not in str(caught.value)


async def test_post_json_sends_body_and_headers():
    seen = {}

    def record(request):
        seen["body"] = request.content
        seen["headers"] = request.headers
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as client:
        await post_json(client, SECRET_URL, b'{"a":1}', headers={"X-Key": "k"})
    assert seen["body"] == b'{"a":1}'
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["x-key"] == "k"


async def test_shared_client_identifies_itself():
    client = create_client()
    try:
        assert client.headers["user-agent"] == "tcf-hub"
    finally:
        await client.aclose()


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "120"}, 120.0),
        ({"Retry-After": "0.25"}, 0.25),  # Discord's fractional seconds
        ({"Retry-After": "-5"}, 0.0),
        ({"Retry-After": "999999"}, 3600.0),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "soon"}, None),
        ({}, None),
        (
            {
                "Retry-After": "Thu, 26 Nov 2026 12:02:00 GMT",
                "Date": "Thu, 26 Nov 2026 12:00:00 GMT",
            },
            120.0,
        ),
        ({"Retry-After": "Thu, 26 Nov 2026 12:02:00 GMT"}, None),  # no Date to read it against
    ],
)
def test_retry_after_is_read_from_retryable_answers(headers, seconds):
    with pytest.raises(DeliveryError) as caught:
        raise_for_delivery(httpx.Response(503, headers=headers))
    assert caught.value.retry_after == seconds


def test_retry_after_is_ignored_on_permanent_errors():
    with pytest.raises(DeliveryError) as caught:
        raise_for_delivery(httpx.Response(400, headers={"Retry-After": "5"}))
    assert caught.value.retry_after is None
