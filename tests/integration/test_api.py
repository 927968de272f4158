"""The HTTP API: auth (C3), endpoints (C4), alerts and metrics."""

import pytest
from litestar.testing import AsyncTestClient

from hub.api.auth import SESSION_COOKIE
from hub.api.routes import OpenAPIPlugin


async def test_healthz_needs_no_auth(hub):
    response = await hub.client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/alerts",
        "/api/v1/metrics/current",
        "/metrics",
        "/api/v1/rules",
        "/api/v1/series?match=cpu_usage",
        "/api/v1/alerts/1",
        "/api/v1/events",
    ],
)
async def test_api_and_metrics_refuse_requests_without_credentials(hub, path):
    response = await hub.client.get(path)
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


async def test_wrong_bearer_token_is_refused(hub):
    response = await hub.client.get("/api/v1/alerts", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


async def test_openapi_schema_is_served(hub):
    response = await hub.client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/alerts/{alert_id}/ack" in paths
    assert "/api/v1/series" in paths


async def test_openapi_schema_is_built_on_its_first_request_with_no_body_on_204(make_hub):
    app = make_hub()
    plugin = app.plugins.get(OpenAPIPlugin)
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert plugin._openapi is None  # start-up and other requests do not build it
        doc = (await client.get("/schema/openapi.json")).json()
    assert plugin._openapi is not None
    no_content = {
        (path, method): op["responses"]["204"]
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if "204" in op.get("responses", {})
    }
    assert ("/api/v1/session", "delete") in no_content
    assert all("content" not in response for response in no_content.values())


async def test_one_time_login_link_sets_a_session_and_works_only_once(hub):
    user = {"name": "ops", "password": "a long password", "role": "viewer"}
    await hub.client.post("/api/v1/users", json=user, headers=hub.auth)  # not a first start
    link = await hub.state.sessions.create_login_link()
    path = link.split("3001", 1)[-1] if "3001" in link else "/" + link.split("/", 3)[3]
    first = await hub.client.get(path, follow_redirects=False)
    assert first.status_code in (302, 303, 307)
    assert first.headers["location"] == "/"
    cookie = first.cookies.get(SESSION_COOKIE)
    assert cookie
    assert "httponly" in first.headers["set-cookie"].lower()
    assert "samesite=lax" in first.headers["set-cookie"].lower()
    hub.client.cookies.clear()
    again = await hub.client.get(path, follow_redirects=False)
    assert again.status_code == 401
    hub.client.cookies.set(SESSION_COOKIE, cookie)
    assert (await hub.client.get("/api/v1/alerts")).status_code == 200


async def test_login_link_expires_after_15_minutes(hub):
    link = await hub.state.sessions.create_login_link()
    hub.clock.advance(16 * 60)
    response = await hub.client.get("/" + link.split("/", 3)[3], follow_redirects=False)
    assert response.status_code == 401


async def test_session_from_admin_token_then_logout_revokes_it(hub):
    bad = await hub.client.post("/api/v1/session", json={"token": "wrong"})
    assert bad.status_code == 401
    good = await hub.client.post("/api/v1/session", json={"token": hub.state.admin_token})
    assert good.status_code == 204
    session = good.cookies[SESSION_COOKIE]
    assert (await hub.client.get("/api/v1/alerts")).status_code == 200
    out = await hub.client.delete("/api/v1/session")
    assert out.status_code == 204
    hub.client.cookies.set(SESSION_COOKIE, session)
    assert (await hub.client.get("/api/v1/alerts")).status_code == 401


async def test_malformed_session_body_is_a_400_not_a_500(hub):
    response = await hub.client.post(
        "/api/v1/session", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


async def test_current_metrics_series_and_prometheus_exposition(hub):
    await hub.feed("cpu_usage", 42.5)
    await hub.feed("disk_usage", 71.0, mount="/")
    current = (await hub.client.get("/api/v1/metrics/current", headers=hub.auth)).json()
    assert {(m["name"], m["value"], m["unit"]) for m in current} == {
        ("cpu_usage", 42.5, "%"),
        ("disk_usage", 71.0, "%"),
    }
    hub.clock.advance(10)
    await hub.feed("cpu_usage", 50.0)
    series = (await hub.client.get("/api/v1/series?match=cpu_usage", headers=hub.auth)).json()
    assert series[0]["values"] == [42.5, 50.0]
    assert series[0]["timestamps"][1] - series[0]["timestamps"][0] == 10
    text = (await hub.client.get("/metrics", headers=hub.auth)).text
    assert 'tcf_cpu_usage_ratio{host="box"} 0.5' in text
    assert 'tcf_disk_usage_ratio{host="box",mount="/"} 0.71' in text
    assert "tcf_hub_notifications_pending 0.0" in text


async def test_metrics_for_one_service_filters_by_label(hub):
    await hub.feed("response_time", 12, service="api")
    await hub.feed("cpu_usage", 5)
    rows = (await hub.client.get("/api/v1/metrics/current?service=api", headers=hub.auth)).json()
    assert [r["name"] for r in rows] == ["response_time"]


@pytest.mark.parametrize("query", ["from=100&to=50", "from=0&to=9999999", "from=abc"])
async def test_bad_series_ranges_are_400_with_a_reason(hub, query):
    response = await hub.client.get(f"/api/v1/series?match=cpu_usage&{query}", headers=hub.auth)
    assert response.status_code == 400
    assert response.json()["detail"]


async def test_rules_are_listed(hub):
    rules = (await hub.client.get("/api/v1/rules", headers=hub.auth)).json()
    assert [(r["name"], r["operator"], r["threshold"]) for r in rules] == [("cpu_high", ">", 80)]


async def test_metrics_can_be_made_public(make_hub):
    app = make_hub("hub: {metrics_public: true}\n")
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/metrics")).status_code == 200
        assert (await client.get("/api/v1/alerts")).status_code == 401


async def test_dashboard_shell_is_public_and_revalidated(hub):
    from hub.api.routes import WEB_DIST

    response = await hub.client.get("/")
    if not (WEB_DIST / "index.html").is_file():
        pytest.skip("the dashboard is not built (make build)")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert '<div id="app">' in response.text


async def test_an_unbuilt_dashboard_says_how_to_build_it(make_hub, monkeypatch, tmp_path):
    import hub.api.routes as routes

    monkeypatch.setattr(routes, "WEB_DIST", tmp_path / "no-dist")
    async with AsyncTestClient(app=make_hub()) as client:
        response = await client.get("/")
    assert response.status_code == 503
    assert "make build" in response.text


async def test_series_selectors_filter_by_labels(hub):
    await hub.feed("disk_usage", 10.0, mount="/")
    await hub.feed("disk_usage", 20.0, mount="/data")
    await hub.feed("disk_usage", 30.0, mount="/data/big")
    response = await hub.client.get(
        "/api/v1/series", params={"match": 'disk_usage{mount=~"/data.*"}'}, headers=hub.auth
    )
    assert sorted(s["labels"]["mount"] for s in response.json()) == ["/data", "/data/big"]
    negated = await hub.client.get(
        "/api/v1/series", params={"match": 'disk_usage{mount!="/"}'}, headers=hub.auth
    )
    assert len(negated.json()) == 2
    assert "start" not in negated.json()[0]


async def test_series_points_returns_min_avg_max_buckets(hub):
    for value in (10.0, 10.0, 95.0, 10.0, 10.0, 10.0):
        await hub.feed("cpu_usage", value)
        hub.clock.advance(10)
    end = hub.clock.now().timestamp()
    response = await hub.client.get(
        "/api/v1/series",
        params={"match": "cpu_usage", "from": end - 60, "to": end, "points": 2},
        headers=hub.auth,
    )
    (series,) = response.json()
    assert "timestamps" not in series
    assert (series["start"], series["step"]) == (end - 60, 30)
    assert series["max"] == [95.0, 10.0]
    assert series["min"] == [10.0, 10.0]
    assert series["avg"][0] == (10 + 10 + 95) / 3


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"match": "cpu{"}, "bad `match`"),
        ({"match": "cpu", "points": "0"}, "`points`"),
        ({"match": '{host=~".*"}'}, "every series"),
    ],
)
async def test_bad_series_queries_explain_themselves(hub, params, reason):
    response = await hub.client.get("/api/v1/series", params=params, headers=hub.auth)
    assert response.status_code == 400
    assert reason in response.json()["detail"]
