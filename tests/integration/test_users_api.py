"""Users, passwords, TOTP, roles, sessions and CSRF through the real app."""

from __future__ import annotations

import json

from litestar.testing import AsyncTestClient

from hub.api.auth import CSRF_COOKIE, SESSION_COOKIE
from hub.cli import cli
from hub.domain import totp
from tests.helpers import hub_settings, serve_hub
from tests.integration.conftest import Hub

PASSWORD = "correct horse battery"


async def add_user(hub, name, role="viewer", password=PASSWORD):
    response = await hub.client.post(
        "/api/v1/users",
        json={"name": name, "role": role, "password": password},
        headers=hub.auth,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def sign_in(hub, name, password=PASSWORD, code=None):
    hub.client.cookies.clear()
    body = {"name": name, "password": password, **({"code": code} if code else {})}
    return await hub.client.post("/api/v1/session", json=body)


def csrf(hub):
    return {"X-CSRF-Token": hub.client.cookies[CSRF_COOKIE]}


def code_now(hub, secret, ahead=0):
    return totp.code_at(secret, int(hub.clock.now().timestamp() // totp.STEP) + ahead)


async def test_first_start_link_leads_to_setting_the_admin_password(hub):
    link = await hub.state.sessions.create_login_link()
    token = link.split("token=", 1)[1]
    opened = await hub.client.get(f"/login?token={token}", follow_redirects=False)
    assert opened.headers["location"] == f"/?setup={token}"
    assert SESSION_COOKIE not in opened.cookies  # the link is not spent by opening it
    short = await hub.client.post(
        "/api/v1/setup", json={"token": token, "name": "root", "password": "short"}
    )
    assert short.status_code == 400
    assert "at least 10" in short.json()["detail"]
    done = await hub.client.post(
        "/api/v1/setup", json={"token": token, "name": "root", "password": PASSWORD}
    )
    assert done.status_code == 204
    me = (await hub.client.get("/api/v1/me")).json()
    assert (me["name"], me["role"], me["kind"]) == ("root", "admin", "session")
    again = await hub.client.post(
        "/api/v1/setup", json={"token": token, "name": "evil", "password": PASSWORD}
    )
    assert again.status_code == 401
    assert (await sign_in(hub, "root")).status_code == 204


async def test_setup_is_refused_once_a_user_exists(hub):
    await add_user(hub, "ops", "admin")
    link = await hub.state.sessions.create_login_link()
    token = link.split("token=", 1)[1]
    refused = await hub.client.post(
        "/api/v1/setup", json={"token": token, "name": "evil", "password": PASSWORD}
    )
    assert refused.status_code == 401
    assert "evil" not in [
        u["name"] for u in (await hub.client.get("/api/v1/users", headers=hub.auth)).json()
    ]


async def test_password_sign_in_sets_httponly_lax_cookie_and_csrf_cookie(hub):
    await add_user(hub, "ops", "admin")
    assert (await sign_in(hub, "ops", "wrong password")).status_code == 401
    assert (await sign_in(hub, "nobody")).status_code == 401
    assert (await sign_in(hub, "ops", "x" * 100_000)).status_code == 401  # not hashed
    good = await sign_in(hub, "ops")
    assert good.status_code == 204
    cookies = good.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(SESSION_COOKIE))
    token = next(c for c in cookies if c.startswith(CSRF_COOKIE))
    assert "httponly" in session.lower()
    assert "samesite=lax" in session.lower()
    assert "httponly" not in token.lower()  # the dashboard reads it to echo it
    assert "secure" not in session.lower()  # plain http in this test
    me = (await hub.client.get("/api/v1/me")).json()
    assert (me["user"], me["role"], me["totp_enabled"]) == ("ops", "admin", False)


async def test_cookie_writes_need_the_csrf_token_and_same_origin(hub):
    await add_user(hub, "ops", "admin")
    await sign_in(hub, "ops")
    body = {"name": "t1", "scope": "ingest"}
    missing = await hub.client.post("/api/v1/tokens", json=body)
    assert missing.status_code == 403
    assert "x-csrf-token" in missing.json()["detail"]
    wrong = await hub.client.post("/api/v1/tokens", json=body, headers={"X-CSRF-Token": "x" * 64})
    assert wrong.status_code == 403
    cross = await hub.client.post(
        "/api/v1/tokens", json=body, headers={**csrf(hub), "Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    assert "cross-origin" in cross.json()["detail"]
    ok = await hub.client.post(
        "/api/v1/tokens",
        json=body,
        headers={**csrf(hub), "Origin": "http://testserver.local"},
    )
    assert ok.status_code == 201
    hub.client.cookies.clear()  # bearer requests need no CSRF token
    bearer = await hub.client.post(
        "/api/v1/tokens", json={"name": "t2", "scope": "ingest"}, headers=hub.auth
    )
    assert bearer.status_code == 201


async def test_a_session_without_the_csrf_cookie_gets_it_back(hub):
    await add_user(hub, "ops", "admin")
    await sign_in(hub, "ops")
    expected = hub.client.cookies[CSRF_COOKIE]
    del hub.client.cookies[CSRF_COOKIE]
    response = await hub.client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.cookies[CSRF_COOKIE] == expected


async def test_viewer_reads_but_every_write_and_admin_route_is_refused(hub):
    await add_user(hub, "watcher")
    await sign_in(hub, "watcher")
    assert (await hub.client.get("/api/v1/alerts")).status_code == 200
    write = await hub.client.post("/api/v1/alerts/1/ack", json={}, headers=csrf(hub))
    assert write.status_code == 403
    assert "viewer" in write.json()["detail"]
    assert (await hub.client.get("/api/v1/tokens")).status_code == 403
    assert (await hub.client.get("/api/v1/users")).status_code == 403
    own = await hub.client.post(
        "/api/v1/me/password",
        json={"current": PASSWORD, "new": "another long one"},
        headers=csrf(hub),
    )
    assert own.status_code == 204  # their own password is theirs to change
    assert (await sign_in(hub, "watcher", "another long one")).status_code == 204


async def test_totp_enrolment_then_sign_in_needs_a_fresh_code(hub):
    await add_user(hub, "ops", "admin")
    await sign_in(hub, "ops")
    started = await hub.client.post("/api/v1/me/totp", headers=csrf(hub))
    assert started.status_code == 201
    secret = started.json()["secret"]
    assert started.json()["uri"].startswith("otpauth://totp/tcf-hub:ops?secret=")
    bad = await hub.client.put("/api/v1/me/totp", json={"code": "000000"}, headers=csrf(hub))
    assert bad.status_code == 400
    on = await hub.client.put(
        "/api/v1/me/totp", json={"code": code_now(hub, secret)}, headers=csrf(hub)
    )
    assert on.status_code == 204
    assert (await hub.client.get("/api/v1/me")).json()["totp_enabled"] is True
    no_code = await sign_in(hub, "ops")
    assert no_code.status_code == 401
    assert no_code.json()["extra"] == {"totp_required": True}
    replay = await sign_in(hub, "ops", code=code_now(hub, secret))
    assert replay.status_code == 401  # the enrolment spent this step
    hub.clock.advance(totp.STEP)
    fresh = await sign_in(hub, "ops", code=code_now(hub, secret))
    assert fresh.status_code == 204
    reset = await hub.client.delete("/api/v1/users/ops/totp", headers=hub.auth)
    assert reset.status_code == 204
    assert (await sign_in(hub, "ops")).status_code == 204


async def test_five_failures_lock_the_account_for_15_minutes(hub):
    await add_user(hub, "ops", "admin")
    for _ in range(5):
        assert (await sign_in(hub, "ops", "wrong password")).status_code == 401
    locked = await sign_in(hub, "ops")
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 14 * 60
    hub.clock.advance(15 * 60 + 1)
    assert (await sign_in(hub, "ops")).status_code == 204


async def test_many_failures_from_one_address_are_refused_for_any_account(hub):
    await add_user(hub, "ops", "admin")
    for index in range(20):
        await sign_in(hub, f"guess{index}", "wrong password")
    assert (await sign_in(hub, "ops")).status_code == 429
    token = await hub.client.post("/api/v1/session", json={"token": hub.state.admin_token})
    assert token.status_code == 429


async def test_sessions_are_listed_and_revoked_by_admins(hub):
    await add_user(hub, "ops")
    await sign_in(hub, "ops")
    stolen = hub.client.cookies[SESSION_COOKIE]
    hub.client.cookies.clear()
    listed = (await hub.client.get("/api/v1/users/ops/sessions", headers=hub.auth)).json()
    assert [s["principal"] for s in listed] == ["ops"]
    every = (await hub.client.get("/api/v1/sessions", headers=hub.auth)).json()
    assert listed[0]["id"] in [s["id"] for s in every]
    gone = await hub.client.delete(f"/api/v1/sessions/{listed[0]['id']}", headers=hub.auth)
    assert gone.status_code == 204
    hub.client.cookies.set(SESSION_COOKIE, stolen)
    assert (await hub.client.get("/api/v1/alerts")).status_code == 401
    hub.client.cookies.clear()
    assert (
        await hub.client.delete(f"/api/v1/sessions/{listed[0]['id']}", headers=hub.auth)
    ).status_code == 404


async def test_reset_password_and_removal_end_the_users_sessions(hub):
    await add_user(hub, "ops")
    await sign_in(hub, "ops")
    session = hub.client.cookies[SESSION_COOKIE]
    hub.client.cookies.clear()
    reset = await hub.client.post("/api/v1/users/ops/password", json={}, headers=hub.auth)
    assert reset.status_code == 200
    new_password = reset.json()["password"]
    assert reset.json()["sessions_ended"] == 1
    hub.client.cookies.set(SESSION_COOKIE, session)
    assert (await hub.client.get("/api/v1/alerts")).status_code == 401
    assert (await sign_in(hub, "ops")).status_code == 401
    assert (await sign_in(hub, "ops", new_password)).status_code == 204
    session = hub.client.cookies[SESSION_COOKIE]
    hub.client.cookies.clear()
    assert (await hub.client.delete("/api/v1/users/ops", headers=hub.auth)).status_code == 204
    hub.client.cookies.set(SESSION_COOKIE, session)
    assert (await hub.client.get("/api/v1/alerts")).status_code == 401


async def test_the_last_admin_cannot_be_removed_and_names_are_unique(hub):
    await add_user(hub, "root", "admin")
    dup = await hub.client.post(
        "/api/v1/users", json={"name": "root", "password": PASSWORD}, headers=hub.auth
    )
    assert dup.status_code == 409
    bad = await hub.client.post(
        "/api/v1/users", json={"name": "no spaces", "password": PASSWORD}, headers=hub.auth
    )
    assert bad.status_code == 400
    last = await hub.client.delete("/api/v1/users/root", headers=hub.auth)
    assert last.status_code == 409
    assert (await hub.client.delete("/api/v1/users/nobody", headers=hub.auth)).status_code == 404


async def test_sessions_expire_after_30_days(hub):
    await add_user(hub, "ops")
    await sign_in(hub, "ops")
    hub.clock.advance(30 * 86400 + 1)
    expired = await hub.client.get("/api/v1/alerts")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]


async def test_token_principals_have_no_account_to_change(hub):
    response = await hub.client.post("/api/v1/me/totp", headers=hub.auth)
    assert response.status_code == 409


def test_ctl_users_add_list_reset_remove_through_the_api(tmp_path):
    from click.testing import CliRunner

    settings = hub_settings(tmp_path)
    with serve_hub(settings) as running:
        env = {"TCF_HUB_URL": running.url, "TCF_HUB_TOKEN": running.token}

        def run(*args, stdin=None):
            return CliRunner().invoke(cli, ["ctl", "users", *args], env=env, input=stdin)

        added = run("add", "ops", "--role", "admin")
        assert added.exit_code == 0, added.output
        generated = added.stdout.strip()
        assert len(generated) >= 16
        chosen = run("add", "watcher", "--password-stdin", stdin=PASSWORD + "\n")
        assert chosen.exit_code == 0, chosen.output
        assert PASSWORD not in chosen.output
        listed = run("list", "--json")
        assert [(u["name"], u["role"]) for u in json.loads(listed.stdout)] == [
            ("ops", "admin"),
            ("watcher", "viewer"),
        ]
        assert "watcher" in run("list").output
        assert run("add", "ops").exit_code == 1  # taken
        assert run("add", "x", "--role", "root").exit_code == 2
        short = run("add", "y", "--password-stdin", stdin="short\n")
        assert short.exit_code == 1
        assert "at least 10" in short.output
        reset = run("reset-password", "watcher", "--reset-totp")
        assert reset.exit_code == 0, reset.output
        assert "0 session(s) ended; TOTP turned off" in reset.output
        assert run("sessions").exit_code == 0
        assert run("sessions", "watcher", "--revoke").exit_code == 0
        assert run("sessions", "--revoke").exit_code == 2
        assert run("remove", "watcher").exit_code == 0
        assert run("remove", "watcher").exit_code == 1
        assert run("remove", "ops").exit_code == 1  # the last admin
        env["TCF_HUB_URL"] = "http://127.0.0.1:9"
        assert run("list").exit_code == 3


async def test_a_lockout_and_failure_counts_survive_a_restart(make_hub, clock):
    app = make_hub()
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await add_user(hub, "ops", "admin")
        await add_user(hub, "dev", "admin")
        for _ in range(5):
            assert (await sign_in(hub, "ops", "wrong password")).status_code == 401
        for _ in range(3):
            assert (await sign_in(hub, "dev", "wrong password")).status_code == 401
    clock.advance(60)
    app = make_hub()  # a restart: same data dir
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        locked = await sign_in(hub, "ops")
        assert locked.status_code == 429
        assert 13 * 60 < int(locked.headers["retry-after"]) <= 14 * 60 + 1
        for _ in range(2):  # dev's three failures were kept: two more lock it
            assert (await sign_in(hub, "dev", "wrong password")).status_code == 401
        assert (await sign_in(hub, "dev")).status_code == 429
        clock.advance(15 * 60)
        assert (await sign_in(hub, "ops")).status_code == 204
    app = make_hub()
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        for _ in range(4):  # a success cleared ops' count, also in the store
            assert (await sign_in(hub, "ops", "wrong password")).status_code == 401
        assert (await sign_in(hub, "ops")).status_code == 204
