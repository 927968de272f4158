"""Scoped API tokens: creation, the scope matrix of TokenAuth (401/403), revocation, CLI."""

import pytest

from hub.api.tokens import TOUCH_EVERY
from hub.cli import cli
from hub.store.tokens import TokenRepo
from tests.helpers import hub_settings, serve_hub


async def create(hub, name, scope):
    response = await hub.client.post(
        "/api/v1/tokens", json={"name": name, "scope": scope}, headers=hub.auth
    )
    assert response.status_code == 201, response.text
    return response.json()["token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


async def test_a_created_token_is_shown_once_and_listed_without_its_secret(hub):
    secret = await create(hub, "web-1", "ingest")
    assert secret.startswith("tcf_")
    listed = (await hub.client.get("/api/v1/tokens", headers=hub.auth)).json()
    assert listed == [
        {
            "name": "web-1",
            "scope": "ingest",
            "created_at": listed[0]["created_at"],
            "last_used_at": None,
        }
    ]
    assert secret not in str(listed)


async def test_token_names_are_unique_and_validated(hub):
    await create(hub, "dup", "heartbeat")
    again = await hub.client.post(
        "/api/v1/tokens", json={"name": "dup", "scope": "ingest"}, headers=hub.auth
    )
    assert again.status_code == 409
    bad = await hub.client.post(
        "/api/v1/tokens", json={"name": "no spaces", "scope": "ingest"}, headers=hub.auth
    )
    assert bad.status_code == 400
    scope = await hub.client.post(
        "/api/v1/tokens", json={"name": "x", "scope": "root"}, headers=hub.auth
    )
    assert scope.status_code == 400


BATCH = {"agent": "web-1", "samples": [["cpu_usage", {}, 12.5, 0.0]]}


@pytest.mark.parametrize(
    ("scope", "method", "path", "expected"),
    [
        ("ingest", "GET", "/api/v1/alerts", 403),
        ("ingest", "GET", "/metrics", 403),
        ("ingest", "GET", "/api/v1/tokens", 403),
        ("ingest", "POST", "/api/v1/heartbeats/backup", 403),
        ("ingest", "POST", "/api/v1/ingest", 200),
        ("heartbeat", "POST", "/api/v1/ingest", 403),
        ("heartbeat", "GET", "/api/v1/heartbeats", 403),
        ("heartbeat", "POST", "/api/v1/heartbeats/backup", 200),
        ("heartbeat", "POST", "/api/v1/tokens", 403),
    ],
)
async def test_a_scoped_token_may_call_only_its_own_route(
    make_hub, clock, scope, method, path, expected
):
    from litestar.testing import AsyncTestClient

    app = make_hub(monitoring="heartbeats:\n  backup: {period: 1d}\n")
    async with AsyncTestClient(app=app) as client:
        admin = bearer(app.state.hub.admin_token)
        created = await client.post(
            "/api/v1/tokens", json={"name": "t", "scope": scope}, headers=admin
        )
        secret = created.json()["token"]
        body = {**BATCH, "samples": [["cpu_usage", {}, 1.0, clock.now().timestamp()]]}
        kwargs = {"json": body} if path.endswith("ingest") else {}
        response = await client.request(method, path, headers=bearer(secret), **kwargs)
        assert response.status_code == expected, response.text
        if expected == 403:
            detail = response.json()["detail"]
            assert f"scope {scope}" in detail
            assert "may only call" in detail


async def test_no_token_is_401_and_a_revoked_token_is_401(hub, clock):
    secret = await create(hub, "gone", "ingest")
    body = {"agent": "a", "samples": [["cpu_usage", {}, 1.0, clock.now().timestamp()]]}
    assert (await hub.client.post("/api/v1/ingest", json=body)).status_code == 401
    ok = await hub.client.post("/api/v1/ingest", json=body, headers=bearer(secret))
    assert ok.status_code == 200
    revoked = await hub.client.delete("/api/v1/tokens/gone", headers=hub.auth)
    assert revoked.status_code == 204
    refused = await hub.client.post("/api/v1/ingest", json=body, headers=bearer(secret))
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    missing = await hub.client.delete("/api/v1/tokens/gone", headers=hub.auth)
    assert missing.status_code == 404


async def test_last_use_is_recorded(hub, clock):
    secret = await create(hub, "used", "heartbeat")
    await hub.client.post("/api/v1/heartbeats/nope", headers=bearer(secret))
    (row,) = (await hub.client.get("/api/v1/tokens", headers=hub.auth)).json()
    assert row["last_used_at"] is not None


def test_ctl_tokens_create_list_revoke_through_the_api(tmp_path):
    from click.testing import CliRunner

    settings = hub_settings(tmp_path)
    with serve_hub(settings) as running:
        env = {"TCF_HUB_URL": running.url, "TCF_HUB_TOKEN": running.token}

        def run(*args):
            return CliRunner().invoke(cli, ["ctl", "tokens", *args], env=env)

        created = run("create", "backup-job", "--scope", "heartbeat")
        assert created.exit_code == 0, created.output
        secret = created.stdout.strip().splitlines()[0]
        assert secret.startswith("tcf_")
        listed = run("list", "--json")
        assert listed.exit_code == 0
        assert '"scope": "heartbeat"' in listed.output
        assert secret not in listed.output
        assert "backup-job" in run("list").output
        assert run("create", "backup-job", "--scope", "ingest").exit_code == 1
        assert run("create", "x", "--scope", "root").exit_code == 2
        assert run("revoke", "backup-job").exit_code == 0
        assert run("revoke", "backup-job").exit_code == 1
        env["TCF_HUB_URL"] = "http://127.0.0.1:9"
        assert run("list").exit_code == 3


async def test_a_known_token_is_looked_up_in_the_store_once_a_minute_not_per_request(
    hub, clock, monkeypatch
):
    secret = await create(hub, "agent", "ingest")
    lookups: list[str] = []
    by_hash = TokenRepo.by_hash

    async def counted(self, token_hash):
        lookups.append(token_hash)
        return await by_hash(self, token_hash)

    monkeypatch.setattr(TokenRepo, "by_hash", counted)

    async def ingest() -> int:
        body = {"agent": "a", "samples": [["cpu_usage", {}, 1.0, clock.now().timestamp()]]}
        return (
            await hub.client.post("/api/v1/ingest", json=body, headers=bearer(secret))
        ).status_code

    assert [await ingest() for _ in range(3)] == [200, 200, 200]
    assert len(lookups) == 1  # an agent's batches cost no token lookup of their own
    clock.advance(TOUCH_EVERY.total_seconds())
    assert await ingest() == 200
    assert len(lookups) == 2  # looked up (and its last use recorded) again after a minute
    async with hub.state.store.tx() as tx:  # deleted behind the API's back
        await tx.tokens.delete("agent")
    clock.advance(TOUCH_EVERY.total_seconds())
    assert await ingest() == 401


async def test_a_token_read_while_it_was_revoked_is_not_remembered(hub, clock, monkeypatch):
    secret = await create(hub, "racing", "ingest")
    lookups: list[str] = []
    by_hash = TokenRepo.by_hash

    async def revoked_meanwhile(self, token_hash):
        lookups.append(token_hash)
        row = await by_hash(self, token_hash)
        hub.state.known_tokens.revocations += 1  # a revocation finishing during this read
        return row

    monkeypatch.setattr(TokenRepo, "by_hash", revoked_meanwhile)
    body = {"agent": "a", "samples": [["cpu_usage", {}, 1.0, clock.now().timestamp()]]}
    for _ in range(2):
        response = await hub.client.post("/api/v1/ingest", json=body, headers=bearer(secret))
        assert response.status_code == 200
    assert len(lookups) == 2  # the first answer was not kept: the next request asked again
