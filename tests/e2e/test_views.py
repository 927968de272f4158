"""Every dashboard view in a real Chromium, on a desktop and a Pixel 7: screenshots, no
sideways scrolling, no serious axe-core violations; a fault's alert appears within seconds and
is acknowledged from its page; the shell and last known data load offline; installability."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.e2e.conftest import ARGS, CHROMIUM
from tests.helpers import RunningHub, hub_settings, serve_hub

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
MONITORING = (
    "collection: {interval: 1s}\n"
    "services:\n  shop:\n    url: http://127.0.0.1:9/health\n    interval: 2s\n"
)
RULES = (
    "alerts:\n"
    "  memory_in_use:\n    metric: memory_usage\n    threshold: 0.1\n    duration: 0\n"
    "    severity: warning\n    message: Memory is in use\n"
    "  queue_too_deep:\n    metric: queue_depth\n    threshold: 100\n    duration: 0\n"
    "    severity: critical\n    message: The queue is too deep\n"
)
VIEWPORTS = ["desktop", "Pixel 7"]


def ingest(hub: RunningHub, rows: list[list[object]], agent: str = "web-1") -> None:
    """Send samples as an agent would (JSON batch, C10)."""
    with hub.api() as api:
        response = api.post("/api/v1/ingest", json={"v": 1, "agent": agent, "samples": rows})
        assert response.status_code == 200, response.text


@pytest.fixture
def hub(tmp_path) -> Iterator[RunningHub]:
    """A hub collecting every second, with a down service and an agent host with history."""
    with serve_hub(hub_settings(tmp_path, MONITORING, RULES)) as running:
        start = time.time() - 7200
        cpu = [["cpu_usage", {}, 20 + (i % 30), start + i * 60] for i in range(121)]
        disk = [["disk_usage", {"mount": "/"}, 50 + i * 0.1, start + i * 60] for i in range(121)]
        ingest(running, cpu + disk)
        yield running


def new_page(browser: Browser, devices: dict, viewport: str) -> Page:
    if viewport == "desktop":
        context = browser.new_context(viewport={"width": 1440, "height": 900})
    else:
        context = browser.new_context(**devices[viewport])
    return context.new_page()


def check_view(page: Page, artifacts: Path, name: str, viewport: str) -> None:
    """No sideways scrolling, no serious accessibility violations; a full-page screenshot."""
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{name} scrolls sideways at {inner} px ({width} px wide)"
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"""
    )
    assert violations == [], f"{name} ({viewport}): {violations}"
    slug = viewport.lower().replace(" ", "")
    page.screenshot(path=artifacts / f"view-{name}-{slug}.png", full_page=True)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_view_renders_accessibly_at_both_sizes(
    browser: Browser, devices, hub: RunningHub, artifacts, viewport
):
    page = new_page(browser, devices, viewport)
    page.goto(hub.login_link)
    expect(page.get_by_test_id("live-status")).to_have_text("live", timeout=15000)
    tiles = page.get_by_test_id("health-tile")
    expect(tiles.first).to_be_visible(timeout=20000)
    # Worst first: the unreachable service comes before the healthy hosts.
    expect(tiles.first).to_have_attribute("data-health", re.compile("down|degraded"), timeout=20000)
    expect(page.get_by_test_id("metric-memory_usage").get_by_test_id("metric-value")).to_have_text(
        re.compile(r"\d"), timeout=15000
    )
    check_view(page, artifacts, "overview", viewport)

    page.get_by_role("link", name="Alerts").first.click()
    expect(page.get_by_test_id("alert-row").first).to_be_visible(timeout=15000)
    page.get_by_test_id("filter-firing").click()
    assert "/alerts?state=firing" in page.url
    check_view(page, artifacts, "alerts", viewport)

    page.get_by_test_id("alert-row").first.get_by_role("link").first.click()
    expect(page.get_by_test_id("alert-detail")).to_be_visible(timeout=10000)
    expect(page.get_by_test_id("alert-history").locator("li").first).to_be_visible(timeout=10000)
    check_view(page, artifacts, "alert-detail", viewport)

    page.goto(hub.url + "/hosts/web-1")
    charts = page.locator("[data-testid=detail-chart][data-ready=true]")
    expect(charts.first).to_be_visible(timeout=15000)
    page.get_by_test_id("range-6h").click()
    expect(page.get_by_test_id("range-6h")).to_have_attribute("aria-pressed", "true")
    expect(charts.first.locator("canvas")).to_be_visible(timeout=10000)
    check_view(page, artifacts, "host-detail", viewport)

    for view, ready in [
        ("topology", "[data-testid=topology-node]"),
        ("trends", "[data-testid=forecasts]"),
        ("silences", "[data-testid=create-silence]"),
        ("rules", "[data-testid=rules]"),
        ("settings", "[data-testid=about-version]"),
    ]:
        page.goto(f"{hub.url}/{view}")
        expect(page.locator(ready).first).to_be_visible(timeout=15000)
        check_view(page, artifacts, view, viewport)
    page.context.close()


def test_a_fault_alerts_within_seconds_and_is_acked_from_its_page(browser, devices, hub):
    page = new_page(browser, devices, "desktop")
    page.goto(hub.login_link)
    expect(page.get_by_test_id("live-status")).to_have_text("live", timeout=15000)
    page.goto(hub.url + "/alerts")
    expect(page.get_by_test_id("live-status")).to_have_text("live", timeout=15000)

    started = time.monotonic()
    ingest(hub, [["queue_depth", {}, 500.0, time.time()]])
    row = page.locator("[data-testid=alert-row]", has_text="queue_too_deep")
    expect(row).to_be_visible(timeout=5000)
    shown_after = time.monotonic() - started
    assert shown_after < 5, f"the alert took {shown_after:.1f} s to appear"

    row.get_by_role("link", name="queue_too_deep").click()
    expect(page.get_by_test_id("alert-detail")).to_be_visible()
    page.get_by_label("Comment").fill("draining the queue")
    page.get_by_test_id("ack-button").click()
    expect(page.get_by_test_id("alert-state")).to_have_text("acknowledged", timeout=10000)
    expect(page.get_by_test_id("alert-acked-by")).to_contain_text("draining the queue")
    alert_id = page.url.rsplit("/", 1)[1]
    with hub.api() as api:
        shown = api.get(f"/api/v1/alerts/{alert_id}").json()
    assert (shown["state"], shown["ack_comment"]) == ("acknowledged", "draining the queue")
    page.context.close()


def test_offline_reload_shows_the_shell_and_last_known_data(browser, devices, hub, artifacts):
    page = new_page(browser, devices, "Pixel 7")
    page.goto(hub.login_link)
    memory = page.get_by_test_id("metric-memory_usage").get_by_test_id("metric-value")
    expect(memory).to_have_text(re.compile(r"\d"), timeout=15000)
    expect(page.get_by_test_id("health-tile").first).to_be_visible(timeout=15000)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # the service worker now controls the page and has cached the shell
    expect(memory).to_have_text(re.compile(r"\d"), timeout=15000)

    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("link", name="tcf-hub")).to_be_visible(timeout=10000)
    expect(page.get_by_test_id("offline-banner")).to_be_visible(timeout=10000)
    expect(memory).to_have_text(re.compile(r"\d"), timeout=10000)
    expect(page.get_by_test_id("health-tile").first).to_be_visible()
    page.screenshot(path=artifacts / "view-offline-pixel7.png", full_page=True)
    page.context.set_offline(False)
    page.context.close()


def test_deep_link_loads_directly(browser, devices, hub):
    page = new_page(browser, devices, "desktop")
    page.goto(hub.login_link)
    expect(page.get_by_test_id("live-status")).to_have_text("live", timeout=15000)
    page.goto(hub.url + "/services/shop")
    expect(page.get_by_role("heading", name="service shop")).to_be_visible(timeout=10000)
    expect(page.get_by_test_id("detail-chart").first).to_be_visible(timeout=15000)
    page.go_back()
    expect(page.get_by_test_id("live-status")).to_be_visible()
    page.context.close()


def test_chromium_reports_the_dashboard_installable(playwright: Playwright, hub, tmp_path):
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS
    )
    page = context.new_page()
    page.goto(hub.login_link)
    expect(page.get_by_test_id("live-status")).to_be_visible(timeout=15000)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == []
    manifest = httpx.get(hub.url + "/manifest.webmanifest").json()
    purposes = {(i["sizes"], i.get("purpose", "any")) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    assert (manifest["display"], manifest["start_url"]) == ("standalone", "/")
    context.close()


def test_dark_theme_follows_the_system_and_stays_readable(browser, hub, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    page.goto(hub.login_link)
    expect(page.get_by_test_id("health-tile").first).to_be_visible(timeout=20000)
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(14, 17, 22)"
    check_view(page, artifacts, "overview-dark", "desktop")
    page.goto(hub.url + "/topology")
    expect(page.get_by_test_id("topology-node").first).to_be_visible(timeout=15000)
    check_view(page, artifacts, "topology-dark", "desktop")
    context.close()
