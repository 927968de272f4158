"""Web Push in a real browser: a fault is pushed (VAPID-verified, decrypted by the local push
service), the payload is delivered to the dashboard's real service worker through CDP, the
notification it shows is checked, and its Acknowledge action acknowledges the alert (C9)."""

from __future__ import annotations

import base64
import json
import time

import pytest
from playwright.sync_api import Browser, expect

from tests.helpers import hub_settings, serve_hub
from tests.http_peers import http_peer
from tests.push_service import push_service

pytestmark = pytest.mark.e2e

# PushManager.subscribe cannot reach a real push service here: it answers with a subscription
# whose endpoint is the test's local push service (keys made by the test), and records the call.
FAKE_PUSH_MANAGER = """
window.__subscribeCalls = [];
PushManager.prototype.getSubscription = async function () { return window.__fakeSub || null; };
PushManager.prototype.subscribe = async function (options) {
  const key = new Uint8Array(options.applicationServerKey);
  window.__subscribeCalls.push({ userVisibleOnly: options.userVisibleOnly, key: Array.from(key) });
  const json = window.__subscriptionJSON;
  window.__fakeSub = {
    options: { applicationServerKey: key.buffer },
    toJSON: () => json,
    unsubscribe: async () => { window.__fakeSub = null; return true; },
  };
  return window.__fakeSub;
};
"""
ALERTS = (
    "alerts:\n  service_down:\n    metric: service_health\n    operator: '<'\n"
    "    threshold: 1\n    duration: 0\n    severity: critical\n"
    "    message: '{{ $labels.service }} is down'\n"
)
NOTIFICATIONS = """async () => {
  const registration = await navigator.serviceWorker.ready;
  const shown = await registration.getNotifications();
  return shown.map((n) => ({
    title: n.title, body: n.body, tag: n.tag, data: n.data,
    requireInteraction: n.requireInteraction,
    actions: n.actions.map((a) => ({ action: a.action, title: a.title })),
  }));
}"""
# Chromium offers no CDP call to click a notification's button: the test dispatches the same
# NotificationEvent the browser would, to the worker's own listener.
CLICK_ACK = """async () => {
  const [notification] = await self.registration.getNotifications();
  self.dispatchEvent(new NotificationEvent("notificationclick", { notification, action: "ack" }));
}"""


def poll(page, read, accept, timeout=15.0):
    """Wait for ``read()`` to be accepted, letting Playwright dispatch its events meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting; last value: {value!r}")
        page.wait_for_timeout(100)


def deliver_until_shown(page, cdp, origin, registration, payload, attempts=4):
    """Hand the push to the service worker through CDP until it shows a notification.

    CDP's delivery is fire-and-forget: on a loaded machine Chromium may drop it while the
    worker is being started, so it is sent again (the notification's tag makes a repeat
    replace, never duplicate, what was shown)."""
    for attempt in range(attempts):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": origin,
                "registrationId": registration["registrationId"],
                "data": json.dumps(payload),
            },
        )
        try:
            return poll(
                page, lambda: page.evaluate(NOTIFICATIONS), lambda found: len(found) == 1, 8.0
            )
        except AssertionError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def test_a_pushed_alert_is_shown_and_its_acknowledge_action_acks_it(
    browser: Browser, tmp_path, artifacts
):
    with http_peer() as api, push_service() as service:
        monitoring = (
            f"services:\n  api:\n    url: {api.url}\n    interval: 1s\n"
            "channels:\n  phones:\n    type: webpush\n"
        )
        settings = hub_settings(tmp_path, monitoring, ALERTS)
        with serve_hub(settings) as hub, hub.api() as client:
            service.expected_key = client.get("/api/v1/push/vapid-public-key").json()["public_key"]
            device = service.subscription("chromium")
            assert client.post("/api/v1/push/subscriptions", json=device).status_code == 201

            context = browser.new_context()
            context.grant_permissions(["notifications"], origin=hub.url)
            page = context.new_page()
            page.goto(hub.login_link)
            assert page.evaluate("navigator.serviceWorker.ready.then((r) => !!r.active)")
            cdp = context.new_cdp_session(page)
            registrations: list[dict] = []
            cdp.on(
                "ServiceWorker.workerRegistrationUpdated",
                lambda event: registrations.extend(event["registrations"]),
            )
            cdp.send("ServiceWorker.enable")
            registration = poll(
                page,
                lambda: next(
                    (
                        r
                        for r in reversed(registrations)
                        if r["scopeURL"] == f"{hub.url}/" and not r.get("isDeleted")
                    ),
                    None,
                ),
                lambda found: found is not None,
            )

            api.status = 503  # the fault
            (push,) = service.wait(1, timeout=30)
            alert_id = push.payload["id"]
            assert push.payload["title"] == "[FIRING] service_down api"
            assert push.payload["severity"] == "critical"
            assert push.headers["urgency"] == "high"

            (shown,) = deliver_until_shown(page, cdp, hub.url, registration, push.payload)
            assert shown["title"] == "[FIRING] service_down api"
            assert shown["body"] == "api is down"
            assert shown["tag"] == push.payload["topic"]
            assert shown["requireInteraction"] is True
            assert shown["data"]["ack_token"] == push.payload["ack_token"]
            assert shown["actions"] == [
                {"action": "ack", "title": "Acknowledge"},
                {"action": "open", "title": "Open"},
            ]
            page.screenshot(path=artifacts / "push-notification-page.png")

            # A phone on the lock screen has no session: the ack token alone must do.
            context.clear_cookies()
            (worker,) = context.service_workers
            worker.evaluate(CLICK_ACK)
            acked = poll(
                page,
                lambda: client.get(f"/api/v1/alerts/{alert_id}").json(),
                lambda alert: alert["state"] == "acknowledged",
            )
            assert acked["acknowledged_by"] == "push:chromium"
            (confirmed,) = poll(
                page,
                lambda: page.evaluate(NOTIFICATIONS),
                lambda found: len(found) == 1 and found[0]["body"].startswith("Acknowledged"),
            )
            assert confirmed["body"] == "Acknowledged: [FIRING] service_down api"
            assert confirmed["tag"] == push.payload["topic"]
            reused = client.post(
                f"/api/v1/alerts/{alert_id}/ack",
                json={"ack_token": push.payload["ack_token"]},
                headers={"Authorization": ""},
            )
            assert reused.status_code == 403
            context.close()


def test_enabling_push_subscribes_with_the_hub_key_and_the_device_gets_pushes(
    browser: Browser, tmp_path
):
    with http_peer() as api, push_service() as service:
        monitoring = (
            f"services:\n  api:\n    url: {api.url}\n    interval: 1s\n"
            "channels:\n  phones:\n    type: webpush\n"
        )
        settings = hub_settings(tmp_path, monitoring, ALERTS)
        with serve_hub(settings) as hub, hub.api() as client:
            key = client.get("/api/v1/push/vapid-public-key").json()["public_key"]
            service.expected_key = key
            admin = {"name": "anna", "role": "admin", "password": "a long password"}
            assert client.post("/api/v1/users", json=admin).status_code == 201
            context = browser.new_context()
            context.grant_permissions(["notifications"], origin=hub.url)
            context.add_init_script(FAKE_PUSH_MANAGER)
            page = context.new_page()
            page.goto(hub.login_link)  # a user exists, so the link signs in
            assert page.evaluate("navigator.serviceWorker.ready.then((r) => !!r.active)")
            page.goto(hub.url + "/settings")  # the push-devices view, which calls push.ts
            page.evaluate("(sub) => { window.__subscriptionJSON = sub; }", service.subscription())
            state = page.get_by_test_id("push-state")
            expect(state).to_have_text("disabled")
            page.fill("#push-name", "Anna's phone")
            page.get_by_test_id("push-enable").click()
            expect(state).to_have_text("enabled")
            expect(page.get_by_test_id("push-devices")).to_contain_text("Anna's phone")
            (call,) = page.evaluate("window.__subscribeCalls")
            assert call["userVisibleOnly"] is True
            assert bytes(call["key"]) == base64.urlsafe_b64decode(key + "=")
            listed = client.get("/api/v1/push/subscriptions").json()
            assert [d["name"] for d in listed] == ["Anna's phone"]

            api.status = 503  # the fault reaches the device this browser registered
            (push,) = service.wait(1, timeout=30)
            assert push.device == 1
            assert push.payload["title"] == "[FIRING] service_down api"

            page.get_by_role("button", name="Disable push here").click()
            expect(state).to_have_text("disabled")
            assert client.get("/api/v1/push/subscriptions").json() == []
            context.close()
