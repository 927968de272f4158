"""The rule model through the engine and the store: levels, matchers, windows, absence,
prediction and templates (ALERTING-SEMANTICS behaviours 7 and 8), with a real receiver."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from hub.domain.samples import Sample
from tests.helpers import receiver
from tests.integration.conftest import Hub

RULES = """
alerts:
  api_slow:
    metric: response_time
    match: 'service=~"api|web"'
    levels: {warning: 500, critical: 2000}
    message: "{{ labels.service }} answers in {{ value }} ms (over {{ threshold }})"
    runbook_url: https://wiki.example/api-slow
    notifications: [{webhook: ops}]
  cpu_avg:
    metric: cpu_usage
    aggregate: avg
    window: 5m
    threshold: 80
  backup_missing:
    metric: job_success
    match: {heartbeat: backup}
    absent: 10m
    severity: critical
  disk_fills:
    metric: disk_free_gb
    operator: "<"
    threshold: 0
    predict: {window: 1h, horizon: 4h}
  disk_fills_soon:
    metric: disk_free_gb
    operator: "<"
    threshold: 0
    predict: {window: 1h, horizon: 2h}
routes:
  group_wait: 0s
  group_interval: 10s
"""


async def open_alerts(hub: Hub) -> dict[str, dict]:
    rows = (await hub.client.get("/api/v1/alerts", headers=hub.auth)).json()
    return {r["rule"]: r for r in rows if r["state"] != "resolved"}


async def test_levels_escalate_severity_and_renotify_with_templated_text(make_hub, clock):
    with receiver() as peer:
        app = make_hub(f"channels:\n  ops:\n    type: webhook\n    url: {peer.url}\n", RULES)
        async with AsyncTestClient(app=app) as client:
            hub = Hub(client, app.state.hub, clock)
            await hub.feed("response_time", 900, service="db")  # not matched
            await hub.feed("response_time", 700, service="api")
            alert = (await open_alerts(hub))["api_slow"]
            assert (alert["state"], alert["severity"]) == ("firing", "warning")
            assert alert["annotations"]["message"] == "api answers in 700 ms (over 500)"
            assert alert["annotations"]["runbook_url"] == "https://wiki.example/api-slow"
            assert "db" not in str(await open_alerts(hub))

            clock.advance(10)
            await hub.feed("response_time", 2500, service="api")  # a rise: news at the next tick
            alert = (await open_alerts(hub))["api_slow"]
            assert (alert["state"], alert["severity"]) == ("firing", "critical")
            assert alert["labels"]["severity"] == "critical"
            assert alert["annotations"]["message"] == "api answers in 2500 ms (over 2000)"
            assert await hub.state.deliverer.deliver_due() == 2
            first, second = peer.wait(2)
            assert first["alerts"][0]["labels"]["severity"] == "warning"
            assert second["alerts"][0]["labels"]["severity"] == "critical"
            # same alert (identity without severity), one history with the severity change
            assert first["alerts"][0]["fingerprint"] == second["alerts"][0]["fingerprint"]
            history = (
                await client.get(f"/api/v1/alerts/{alert['id']}/history", headers=hub.auth)
            ).json()
            assert [e["kind"] for e in history["history"]] == ["state", "severity"]

            clock.advance(10)
            await hub.feed("response_time", 800, service="api")  # back to warning: no news
            assert (await open_alerts(hub))["api_slow"]["severity"] == "warning"
            assert await hub.state.deliverer.deliver_due() == 0


async def test_window_average_ignores_a_single_spike(make_hub, clock):
    app = make_hub("", RULES)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        for value in (20, 20, 20, 99):
            await hub.feed("cpu_usage", value)
            clock.advance(60)
        assert "cpu_avg" not in await open_alerts(hub)
        for _ in range(4):
            await hub.feed("cpu_usage", 99)
            clock.advance(60)
        assert (await open_alerts(hub))["cpu_avg"]["state"] == "firing"


async def test_7_absent_fires_with_the_selector_labels_and_resolves_on_a_sample(make_hub, clock):
    app = make_hub("", RULES)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.feed("job_success", 1, heartbeat="backup")
        clock.advance(9 * 60)
        await hub.state.jobs.evaluate()
        assert "backup_missing" not in await open_alerts(hub)
        clock.advance(60)
        await hub.state.jobs.evaluate()
        alert = (await open_alerts(hub))["backup_missing"]
        assert alert["labels"] == {
            "heartbeat": "backup",
            "alertname": "backup_missing",
            "severity": "critical",
        }
        assert alert["annotations"]["message"] == "no job_success data for 600 s"
        await hub.feed("job_success", 1, heartbeat="backup")
        assert "backup_missing" not in await open_alerts(hub)


async def test_8_predict_3gb_free_falling_1gb_per_hour(make_hub, clock):
    app = make_hub("", RULES)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        for minute in range(0, 61, 5):  # 4 GB -> 3 GB over the last hour
            await hub.feed("disk_free_gb", 4 - minute / 60, mount="/")
            clock.advance(300)
        clock.advance(-300)
        alerts = await open_alerts(hub)
        assert alerts["disk_fills"]["state"] == "firing"  # 3 - 4 = -1 GB in 4 h
        assert alerts["disk_fills"]["value"] == pytest.approx(-1.0)
        assert "disk_fills_soon" not in alerts  # 3 - 2 = 1 GB in 2 h


async def test_new_samples_evaluate_only_their_metrics_rules(make_hub, clock):
    rules = (
        "alerts:\n  cpu_high: {metric: cpu_usage, threshold: 80}\n"
        "  mem_high: {metric: memory_usage, threshold: 80}\n"
    )
    app = make_hub("", rules)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.feed("memory_usage", 95)
        clock.advance(6 * 60)  # memory_usage stops reporting
        for _ in range(2):
            await hub.state.jobs.ingest(
                [Sample("cpu_usage", {"host": "box"}, 90, clock.now().timestamp())]
            )
            clock.advance(10)
        alerts = await open_alerts(hub)
        assert alerts["mem_high"]["state"] == "firing"  # not evaluated by cpu samples
        assert alerts["cpu_high"]["state"] == "firing"
        for _ in range(2):
            await hub.state.jobs.evaluate()  # the timed evaluation of every rule
            clock.advance(10)
        assert "mem_high" not in await open_alerts(hub)


async def test_an_acknowledgement_survives_a_rise_in_severity(make_hub, clock):
    app = make_hub("", RULES)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.feed("response_time", 700, service="api")
        alert = (await open_alerts(hub))["api_slow"]
        await client.post(f"/api/v1/alerts/{alert['id']}/ack", json={"by": "ann"}, headers=hub.auth)
        clock.advance(10)
        await hub.feed("response_time", 2500, service="api")
        alert = (await open_alerts(hub))["api_slow"]
        assert (alert["state"], alert["severity"], alert["acknowledged_by"]) == (
            "acknowledged",
            "critical",
            "ann",
        )


async def test_nodata_rules_alert_when_a_healthy_series_stops_reporting(make_hub, clock):
    rules = (
        "alerts:\n"
        "  probe_gone: {metric: service_health, threshold: 0, nodata: nodata, duration: 60}\n"
        "  probe_alerting: {metric: response_time, threshold: 500, nodata: alerting}\n"
    )
    app = make_hub("", rules)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.feed("service_health", 1, service="api")
        await hub.feed("response_time", 20, service="api")
        assert await open_alerts(hub) == {}
        clock.advance(6 * 60)  # both stop reporting (past the 5 minute lookback)
        await hub.state.jobs.evaluate()
        alerts = await open_alerts(hub)
        assert alerts["probe_alerting"]["state"] == "firing"
        assert alerts["probe_gone"]["state"] == "pending"
        clock.advance(60)
        await hub.state.jobs.evaluate()
        gone = (await open_alerts(hub))["probe_gone"]
        assert gone["state"] == "firing"
        assert gone["annotations"]["nodata"] == "true"
        assert gone["annotations"]["message"] == "no service_health data"
        assert gone["labels"]["service"] == "api"
        await hub.feed("service_health", 1, service="api")  # back
        assert "probe_gone" not in await open_alerts(hub)


async def test_manual_resolve_only_where_allowed_and_no_refire_until_clear(make_hub, clock):
    rules = (
        "alerts:\n"
        "  backup_failed: {metric: job_success, operator: '==', threshold: 0, "
        "manual_resolve: true}\n"
        "  cpu_high: {metric: cpu_usage, threshold: 80}\n"
    )
    app = make_hub("", rules)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.feed("job_success", 0, heartbeat="backup")
        await hub.feed("cpu_usage", 95)
        alerts = await open_alerts(hub)
        refused = await client.post(
            f"/api/v1/alerts/{alerts['cpu_high']['id']}/resolve", headers=hub.auth
        )
        assert refused.status_code == 409
        assert "manual_resolve" in refused.json()["detail"]
        done = await client.post(
            f"/api/v1/alerts/{alerts['backup_failed']['id']}/resolve",
            json={"by": "kim", "comment": "restarted the backup by hand"},
            headers=hub.auth,
        )
        assert done.json()["state"] == "resolved"
        await hub.feed("job_success", 0, heartbeat="backup")  # still failed: not fired again
        assert "backup_failed" not in await open_alerts(hub)
        await hub.feed("job_success", 1, heartbeat="backup")
        await hub.feed("job_success", 0, heartbeat="backup")  # failed again: a new alert
        assert (await open_alerts(hub))["backup_failed"]["state"] == "firing"
        missing = await client.post("/api/v1/alerts/999/resolve", headers=hub.auth)
        assert missing.status_code == 404


def _count_transactions(store) -> list[int]:
    """A list that gets a 1 each time ``store`` opens a transaction from now on."""
    opened: list[int] = []
    real_tx = store.tx

    def counting_tx():
        opened.append(1)
        return real_tx()

    store.tx = counting_tx
    return opened


async def test_a_quiet_evaluation_needs_no_transaction(make_hub, clock):
    app = make_hub("", "alerts:\n  cpu_high: {metric: cpu_usage, threshold: 80}\n")
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.feed("cpu_usage", 10)  # the first evaluation reads the open alerts
        opened = _count_transactions(hub.state.store)
        await hub.state.engine.evaluate()
        assert opened == []
        await hub.state.tsdb.write(
            [Sample("cpu_usage", {"host": "box"}, 95, clock.now().timestamp())]
        )
        opened.clear()
        await hub.state.engine.evaluate()  # a breach: the alert is opened in a transaction
        assert opened == [1]
        await hub.state.engine.evaluate({"memory_usage"})  # an alert is open: not quiet
        assert opened == [1, 1]


async def test_a_value_at_a_strict_threshold_needs_no_transaction(make_hub, clock):
    """``hub_job_overdue > 0`` sees 0 for every healthy job at every self-monitoring reading
    and every full evaluation: that is quiet, not a possible breach."""
    app = make_hub("", "alerts:\n  overdue: {metric: hub_job_overdue, threshold: 0}\n")
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.feed("hub_job_overdue", 0, job="collect:system")  # reads the open alerts
        opened = _count_transactions(hub.state.store)
        await hub.state.engine.evaluate()
        await hub.state.engine.evaluate({"hub_job_overdue"})
        assert opened == []
        await hub.state.tsdb.write(
            [Sample("hub_job_overdue", {"job": "collect:system"}, 1, clock.now().timestamp())]
        )
        opened.clear()
        await hub.state.engine.evaluate()
        assert opened == [1]  # above the threshold: the alert is opened in a transaction
        assert "overdue" in await open_alerts(hub)


class _CountingLabels(dict):
    """Labels that count how often an evaluation lists them (to build a label set)."""

    listed = 0

    def items(self):  # type: ignore[override]
        type(self).listed += 1
        return super().items()


async def test_a_quiet_evaluation_builds_no_label_sets_and_a_low_or_high_outlier_still_fires(
    make_hub, clock
):
    """Issue #4/#8: an agent's batch evaluates its metrics' rules, and building a label set
    for each of the thousands of series every time was most of the hub's ingest CPU. A quiet
    evaluation looks at values only; one series beyond either bound among many still counts."""
    rules = (
        "alerts:\n"
        "  cpu_high: {metric: cpu_usage, threshold: 80}\n"
        "  cpu_idle: {metric: cpu_usage, threshold: 1, operator: '<'}\n"
    )
    app = make_hub("", rules)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.feed("cpu_usage", 10)  # reads the open alerts
        now = clock.now().timestamp()
        await hub.state.tsdb.write(
            [
                Sample("cpu_usage", _CountingLabels(host=f"h{i}"), 10 + i % 50, now)
                for i in range(50)
            ]
        )
        _CountingLabels.listed = 0
        assert await hub.state.engine.evaluate() == []
        assert await hub.state.engine.evaluate({"cpu_usage"}) == []
        assert _CountingLabels.listed == 0
        await hub.state.tsdb.write([Sample("cpu_usage", {"host": "h7"}, 0.5, now)])
        assert [a.rule for a in await hub.state.engine.evaluate({"cpu_usage"})] == ["cpu_idle"]
        await hub.state.tsdb.write([Sample("cpu_usage", {"host": "h9"}, 95, now)])
        changed = await hub.state.engine.evaluate({"cpu_usage"})
        assert [(a.rule, a.labels["host"]) for a in changed] == [("cpu_high", "h9")]
