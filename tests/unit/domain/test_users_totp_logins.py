"""TOTP (RFC 6238 vectors), login throttling, roles and password rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.domain import totp
from hub.domain.logins import ACCOUNT_LOCKOUT, ADDRESS_WINDOW, MAX_TRACKED, LoginThrottle
from hub.domain.tokens import TokenScope, scope_allows, scope_routes
from hub.domain.users import is_write, password_problem

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of b"12345678901234567890"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("unix", "code"),
    [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_totp_codes_match_the_rfc_6238_vectors(unix, code):
    assert totp.code_at(RFC_SECRET, unix // totp.STEP) == code
    assert totp.matching_step(RFC_SECRET, code, unix) == unix // totp.STEP


def test_totp_accepts_one_step_of_clock_skew_and_refuses_replay_and_junk():
    now = 1234567890.0
    step = int(now // totp.STEP)
    late = totp.code_at(RFC_SECRET, step - 1)
    assert totp.matching_step(RFC_SECRET, late, now) == step - 1
    assert totp.matching_step(RFC_SECRET, totp.code_at(RFC_SECRET, step - 2), now) is None
    assert totp.matching_step(RFC_SECRET, late, now, after=step - 1) is None
    assert totp.matching_step(RFC_SECRET, "005 924", now) == step
    assert totp.matching_step(RFC_SECRET, "12345", now) is None
    assert totp.matching_step(RFC_SECRET, "abcdef", now) is None


def test_new_totp_secrets_are_base32_and_make_a_provisioning_uri():
    secret = totp.new_secret()
    assert len(secret) == 32
    assert totp.matching_step(secret, totp.code_at(secret, 10), 10 * totp.STEP) == 10
    uri = totp.provisioning_uri(secret, "ops@example")
    assert uri.startswith("otpauth://totp/tcf-hub:ops%40example?")
    assert f"secret={secret}" in uri


def test_an_account_locks_after_five_failures_and_unlocks_after_the_lockout():
    throttle = LoginThrottle()
    for index in range(4):
        throttle.failed("ops", f"10.0.0.{index}", T0)
    assert throttle.retry_after("ops", "10.0.0.9", T0) is None
    throttle.failed("ops", "10.0.0.9", T0)
    wait = throttle.retry_after("ops", "10.0.0.99", T0)
    assert wait == int(ACCOUNT_LOCKOUT.total_seconds()) + 1
    assert throttle.retry_after("other", "10.0.0.99", T0) is None
    assert throttle.retry_after("ops", "x", T0 + ACCOUNT_LOCKOUT) is None


def test_a_success_forgets_the_accounts_failures():
    throttle = LoginThrottle()
    for _ in range(4):
        throttle.failed("ops", "a", T0)
    throttle.succeeded("ops")
    throttle.failed("ops", "a", T0)
    assert throttle.retry_after("ops", "b", T0) is None


def test_an_address_is_refused_after_twenty_failures_within_its_window():
    throttle = LoginThrottle()
    for index in range(19):
        throttle.failed(f"user{index}", "203.0.113.5", T0 + timedelta(seconds=index))
    assert throttle.retry_after(None, "203.0.113.5", T0) is None
    throttle.failed(None, "203.0.113.5", T0 + timedelta(seconds=30))
    assert throttle.retry_after("anyone", "203.0.113.5", T0 + timedelta(seconds=30)) is not None
    assert throttle.retry_after(None, "203.0.113.6", T0) is None
    assert throttle.retry_after(None, "203.0.113.5", T0 + ADDRESS_WINDOW) is None


def test_failures_spread_over_windows_do_not_add_up():
    throttle = LoginThrottle()
    for index in range(40):
        throttle.failed(None, "a", T0 + index * ADDRESS_WINDOW / 10)
    assert throttle.retry_after(None, "a", T0 + 4 * ADDRESS_WINDOW) is None


def test_the_throttle_forgets_the_oldest_entries_past_its_bound():
    throttle = LoginThrottle()
    for index in range(MAX_TRACKED + 5):
        throttle.failed(None, f"a{index}", T0)
    assert len(throttle.addresses) == MAX_TRACKED
    assert "a0" not in throttle.addresses


def test_passwords_need_ten_characters_and_at_most_a_thousand():
    assert password_problem("x" * 9) == "passwords need at least 10 characters"
    assert password_problem("x" * 10) is None
    assert password_problem("x" * 1001) is not None


def test_only_get_head_and_options_are_reads():
    assert not is_write("get")
    assert not is_write("HEAD")
    assert is_write("POST")
    assert is_write("DELETE")


@pytest.mark.parametrize(
    ("scope", "method", "path", "admin_only", "allowed"),
    [
        (TokenScope.ADMIN, "DELETE", "/api/v1/tokens/x", True, True),
        (TokenScope.READ, "GET", "/api/v1/alerts", False, True),
        (TokenScope.READ, "GET", "/api/v1/tokens", True, False),
        (TokenScope.READ, "POST", "/api/v1/alerts/1/ack", False, False),
        (TokenScope.INGEST, "POST", "/api/v1/ingest", False, True),
        (TokenScope.INGEST, "GET", "/api/v1/alerts", False, False),
    ],
)
def test_scopes_allow_what_they_say(scope, method, path, admin_only, allowed):
    assert scope_allows(scope, method, path, admin_only=admin_only) is allowed
    assert scope_routes(scope)


def test_throttle_lists_what_to_store_and_what_to_forget(monkeypatch):
    monkeypatch.setattr("hub.domain.logins.MAX_TRACKED", 2)
    throttle = LoginThrottle()
    throttle.failed("ops", "10.0.0.1", T0)
    assert set(throttle.changed) == {("account", "ops"), ("address", "10.0.0.1")}
    throttle.changed.clear()
    throttle.failed("dev", "10.0.0.1", T0)
    throttle.failed("web", "10.0.0.1", T0)  # a third account: the oldest is forgotten
    assert throttle.changed[("account", "ops")] is None
    assert throttle.changed[("account", "web")].failures == 1
    throttle.changed.clear()
    throttle.succeeded("dev")
    throttle.succeeded("nobody")  # nothing to forget
    assert throttle.changed == {("account", "dev"): None}
    again = LoginThrottle()
    again.load({("account", "web"): throttle.accounts["web"]})
    assert again.accounts["web"].failures == 1
