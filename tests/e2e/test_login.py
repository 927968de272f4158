"""Sign-in in a real browser under the hub's CSP: first-start setup, then password sign-in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

from tests.helpers import hub_settings, serve_hub

pytestmark = pytest.mark.e2e


def test_first_start_setup_then_password_sign_in_with_no_csp_violation(
    browser: Browser, tmp_path, artifacts
):
    settings = hub_settings(tmp_path, "collection: {interval: 1s}\n", "alerts: {}\n")
    with serve_hub(settings) as hub:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(_text(message)))
        page.goto(hub.login_link)
        assert re.fullmatch(re.escape(hub.url) + r"/\?setup=[\w-]+", page.url)
        page.get_by_test_id("setup-password").fill("a long admin password")
        page.get_by_test_id("setup-again").fill("a long admin password")
        page.screenshot(path=artifacts / "login-setup.png")
        page.get_by_test_id("setup-button").click()
        memory = page.get_by_test_id("metric-memory_usage").get_by_test_id("metric-value")
        expect(memory).to_have_text(re.compile(r"\d"), timeout=15000)
        assert page.url == hub.url + "/"  # the spent token left the address bar
        context.close()

        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on("console", lambda message: console.append(_text(message)))
        page.goto(hub.url + "/")
        page.get_by_test_id("name-input").fill("admin")
        page.get_by_test_id("password-input").fill("not the password")
        page.get_by_test_id("password-login-button").click()
        expect(page.get_by_test_id("password-error")).to_have_text(
            "wrong user name or password", timeout=10000
        )
        page.screenshot(path=artifacts / "login-password.png")
        page.get_by_test_id("password-input").fill("a long admin password")
        page.get_by_test_id("password-login-button").click()
        expect(page.get_by_test_id("live-status")).to_have_text("live", timeout=15000)
        context.close()
    violations = [line for line in console if "Content Security Policy" in line]
    assert violations == []


def _text(message: ConsoleMessage) -> str:
    return f"{message.type}: {message.text}"
