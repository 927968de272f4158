"""Every dashboard view in a real Chromium, on a desktop and a Pixel 7: screenshots, no
sideways scrolling, no serious axe-core violations; a fault's alert appears within seconds and
is acknowledged from its page; the shell and last known data load offline; installability."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from hub.domain import totp
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
    # An upgrade of every host right now (shaded on the charts) and a nightly backup.
    "maintenance:\n"
    "  - name: kernel upgrade\n    comment: rolling reboots\n"
    f"    start: {(datetime.now(UTC) - timedelta(hours=1)).isoformat()}\n"
    f"    end: {(datetime.now(UTC) + timedelta(hours=1)).isoformat()}\n"
    "  - name: nightly backup\n    matchers: ['host=~db.*']\n"
    "    time_intervals:\n      - times: [{start_time: '02:00', end_time: '03:00'}]\n"
    "        location: Europe/Berlin\n"
)
VIEWPORTS = ["desktop", "Pixel 7"]
ADMIN_PASSWORD = "a long admin password"


def ingest(hub: RunningHub, rows: list[list[object]], agent: str = "web-1") -> None:
    """Send samples as an agent would (JSON batch, C10)."""
    with hub.api() as api:
        response = api.post("/api/v1/ingest", json={"v": 1, "agent": agent, "samples": rows})
        assert response.status_code == 200, response.text


def add_user(hub: RunningHub, name: str, role: str, password: str) -> None:
    """Create a user through the API with the admin token."""
    with hub.api() as api:
        response = api.post(
            "/api/v1/users", json={"name": name, "role": role, "password": password}
        )
        assert response.status_code == 201, response.text


@pytest.fixture
def hub(tmp_path) -> Iterator[RunningHub]:
    """A hub collecting every second, with a down service and an agent host with history."""
    with serve_hub(hub_settings(tmp_path, MONITORING, RULES)) as running:
        add_user(running, "admin", "admin", ADMIN_PASSWORD)  # the login link then signs in
        start = time.time() - 7200
        cpu = [["cpu_usage", {}, 20 + (i % 30), start + i * 60] for i in range(121)]
        disk = [["disk_usage", {"mount": "/"}, 50 + i * 0.1, start + i * 60] for i in range(121)]
        ingest(running, cpu + disk)
        yield running


def new_page(browser: Browser, devices: dict, viewport: str) -> Page:
    # bypass_csp: axe-core is injected as an inline script, which the hub's CSP refuses
    # (tests/e2e/test_login.py checks the dashboard itself runs under that CSP).
    if viewport == "desktop":
        context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    else:
        context = browser.new_context(**devices[viewport], bypass_csp=True)
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
    expect(page.get_by_test_id("maintenance-legend")).to_have_text(
        re.compile("maintenance: kernel upgrade"), timeout=15000
    )
    check_view(page, artifacts, "alert-detail", viewport)

    page.goto(hub.url + "/hosts/web-1")
    charts = page.locator("[data-testid=detail-chart][data-ready=true]")
    expect(charts.first).to_be_visible(timeout=15000)
    page.get_by_test_id("range-6h").click()
    expect(page.get_by_test_id("range-6h")).to_have_attribute("aria-pressed", "true")
    expect(charts.first.locator("canvas")).to_be_visible(timeout=10000)
    legend = charts.first.get_by_test_id("maintenance-legend")
    expect(legend).to_have_text(re.compile("maintenance: kernel upgrade"), timeout=10000)
    check_view(page, artifacts, "host-detail", viewport)

    for view, ready in [
        ("topology", "[data-testid=topology-node]"),
        ("trends", "[data-testid=forecasts]"),
        ("silences", "[data-testid=create-silence]"),
        ("rules", "[data-testid=rules]"),
        ("settings", "[data-testid=about-version]"),
        ("users", "[data-testid=sessions]"),
        ("account", "[data-testid=me-name]"),
        ("maintenance", "[data-testid=maintenance-window]"),
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
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, color_scheme="dark", bypass_csp=True
    )
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


def sign_in(page: Page, hub: RunningHub, name: str, password: str) -> None:
    page.goto(hub.url + "/")
    page.get_by_test_id("name-input").fill(name)
    page.get_by_test_id("password-input").fill(password)
    page.get_by_test_id("password-login-button").click()
    expect(page.get_by_test_id("live-status")).to_be_visible(timeout=15000)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_admin_adds_a_user_who_changes_password_enrols_totp_and_signs_out(
    browser: Browser, devices, hub: RunningHub, artifacts, viewport
):
    admin = new_page(browser, devices, viewport)
    sign_in(admin, hub, "admin", ADMIN_PASSWORD)
    admin.get_by_role("link", name="Users").click()
    expect(admin.locator("[data-testid=user-row][data-user=admin]")).to_be_visible(timeout=10000)
    admin.get_by_label("Name", exact=True).fill("alice")
    admin.get_by_label("Password", exact=True).fill("alice password 1")
    admin.get_by_role("button", name="Add user").click()
    expect(admin.get_by_test_id("users-outcome")).to_have_text("Added alice.", timeout=10000)
    expect(admin.locator("[data-testid=user-row][data-user=alice]")).to_contain_text("viewer")
    expect(admin.get_by_test_id("session-row").first).to_be_visible()
    check_view(admin, artifacts, "users", viewport)

    alice = new_page(browser, devices, viewport)
    sign_in(alice, hub, "alice", "alice password 1")
    nav = alice.get_by_role("navigation", name="Views")
    expect(nav.get_by_role("link", name="Account")).to_be_visible()
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)
    nav.get_by_role("link", name="Account").click()
    expect(alice.get_by_test_id("me-name")).to_have_text("alice", timeout=10000)
    expect(alice.get_by_test_id("me-role")).to_have_text("viewer")

    alice.get_by_label("Current password").fill("alice password 1")
    alice.get_by_label("New password (10 characters or more)").fill("alice password 2")
    alice.get_by_label("New password again").fill("alice password 2")
    alice.get_by_role("button", name="Change password").click()
    expect(alice.get_by_test_id("password-outcome")).to_contain_text("Password changed")

    alice.get_by_test_id("totp-start").click()
    secret = alice.get_by_test_id("totp-secret").inner_text(timeout=10000)
    assert (
        alice.get_by_test_id("totp-uri")
        .get_attribute("href", timeout=1000)
        .startswith("otpauth://totp/")
    )
    expect(alice.get_by_test_id("qr-code")).to_be_visible(timeout=10000)  # drawn in the page
    check_view(alice, artifacts, "account", viewport)
    alice.get_by_label("Code from the app").fill(totp.code_at(secret, int(time.time() // 30)))
    alice.get_by_test_id("totp-confirm").click()
    expect(alice.get_by_test_id("totp-state")).to_have_text("on", timeout=10000)

    cookies = {c["name"]: c["value"] for c in alice.context.cookies()}
    with httpx.Client(base_url=hub.url, cookies=cookies) as client:
        assert client.get("/api/v1/me").status_code == 200
        alice.get_by_test_id("sign-out").click()
        expect(alice.get_by_test_id("password-login-button")).to_be_visible(timeout=10000)
        assert client.get("/api/v1/me").status_code == 401  # ended on the server, too

    # The admin sees alice's TOTP on, and her old password no longer works.
    admin.reload()
    expect(admin.locator("[data-testid=user-row][data-user=alice]")).to_contain_text(
        "on", timeout=10000
    )
    with httpx.Client(base_url=hub.url) as client:
        refused = client.post(
            "/api/v1/session", json={"name": "alice", "password": "alice password 1"}
        )
        assert refused.status_code == 401
    admin.context.close()
    alice.context.close()


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver: 200 on /ok, 503 on anything else."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200 if self.path == "/ok" else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_settings_shows_the_delivery_log_of_test_sends(
    browser: Browser, devices, tmp_path, receiver, artifacts, viewport
):
    monitoring = (
        "collection: {interval: 5s}\n"
        "channels:\n"
        f"  good:\n    type: webhook\n    url: {receiver}/ok\n"
        f"  broken:\n    type: webhook\n    url: {receiver}/down\n"
    )
    with serve_hub(hub_settings(tmp_path, monitoring, "alerts: {}\n")) as running:
        add_user(running, "admin", "admin", ADMIN_PASSWORD)
        page = new_page(browser, devices, viewport)
        sign_in(page, running, "admin", ADMIN_PASSWORD)
        page.goto(running.url + "/settings")
        expect(page.get_by_test_id("deliveries-empty")).to_be_visible(timeout=10000)
        channels = page.get_by_test_id("channels")
        for name, shown in [("good", "sent"), ("broken", "failed")]:
            row = channels.locator("li", has_text=name)
            row.get_by_role("button", name="Send test").click()
            expect(row.get_by_role("status")).to_contain_text(shown, timeout=10000)
        rows = page.get_by_test_id("delivery-row")
        expect(rows).to_have_count(2, timeout=10000)
        expect(rows.first).to_contain_text("broken")
        expect(rows.first).to_contain_text("503")
        expect(rows.nth(1)).to_contain_text("good")
        page.get_by_test_id("delivery-log").get_by_label("Channel").select_option("good")
        expect(rows).to_have_count(1, timeout=10000)
        expect(rows.first).to_contain_text("sent")
        check_view(page, artifacts, "settings-deliveries", viewport)
        page.context.close()
