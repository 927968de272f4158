"""The dashboard in a real browser: sign in, see live metrics, acknowledge an alert."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.helpers import hub_settings, serve_hub

pytestmark = pytest.mark.e2e

ALWAYS_FIRING = (
    "alerts:\n  memory_in_use:\n    metric: memory_usage\n    threshold: 0.1\n"
    "    duration: 0\n    severity: critical\n    message: Memory is in use\n"
)


def test_login_link_live_metric_and_ack_from_the_dashboard(browser: Browser, tmp_path, artifacts):
    settings = hub_settings(tmp_path, "collection: {interval: 1s}\n", ALWAYS_FIRING)
    with serve_hub(settings) as hub:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(hub.login_link)  # first start: the link leads to setting the admin password
        page.get_by_test_id("setup-password").fill("a long admin password")
        page.get_by_test_id("setup-again").fill("a long admin password")
        page.get_by_test_id("setup-button").click()

        memory = page.get_by_test_id("metric-memory_usage").get_by_test_id("metric-value")
        expect(memory).to_have_text(re.compile(r"\d"), timeout=15000)
        expect(page.get_by_test_id("live-status")).to_have_text("live", timeout=15000)
        expect(page.get_by_test_id("live-chart")).to_be_visible(timeout=10000)

        row = page.get_by_test_id("alert-row").first
        expect(row).to_be_visible(timeout=15000)
        expect(row.get_by_test_id("alert-state")).to_have_text("firing", timeout=15000)
        alert_id = row.get_attribute("data-alert-id")
        page.screenshot(path=artifacts / "dashboard-desktop.png", full_page=True)

        row.get_by_test_id("ack-button").click()
        expect(row.get_by_test_id("alert-state")).to_have_text("acknowledged", timeout=10000)
        expect(row.get_by_test_id("alert-acked-by")).to_contain_text("admin", timeout=10000)
        with hub.api() as api:
            shown = api.get(f"/api/v1/alerts/{alert_id}").json()
        assert shown["state"] == "acknowledged"
        assert shown["acknowledged_by"] == "admin"
        page.screenshot(path=artifacts / "dashboard-desktop-acked.png", full_page=True)
        context.close()


def test_phone_signs_in_with_the_token_form(browser: Browser, devices, tmp_path, artifacts):
    settings = hub_settings(tmp_path, "collection: {interval: 1s}\n", "alerts: {}\n")
    with serve_hub(settings) as hub:
        context = browser.new_context(**devices["Pixel 7"])
        page = context.new_page()
        page.goto(hub.url + "/")
        page.get_by_test_id("token-input").fill("not the token")
        page.get_by_test_id("login-button").click()
        expect(page.get_by_text("Invalid token")).to_be_visible(timeout=10000)
        page.get_by_test_id("token-input").fill(hub.token)
        page.get_by_test_id("login-button").click()
        cpu = page.get_by_test_id("metric-memory_usage").get_by_test_id("metric-value")
        expect(cpu).to_have_text(re.compile(r"\d"), timeout=15000)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 412, "the dashboard must not scroll sideways on a phone"
        page.screenshot(path=artifacts / "dashboard-pixel7.png", full_page=True)
        manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
        assert manifest["display"] == "standalone"
        registered = page.evaluate("navigator.serviceWorker.ready.then(r => r.active !== null)")
        assert registered is True
        context.close()
