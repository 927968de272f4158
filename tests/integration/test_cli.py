"""The CLI's exit codes and messages (C2, C5)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from hub.cli import cli
from tests.helpers import free_port, hub_settings, serve_hub

SEED = Path(__file__).resolve().parents[2] / "config" / "alerts.yml"


def run(*args: str, **env: str):
    return CliRunner().invoke(cli, list(args), env=env or None)


def test_rules_check_accepts_the_seed_file():
    result = run("ctl", "rules", "check", str(SEED))
    assert result.exit_code == 0
    assert "5 rules OK" in result.output
    assert "cpu_high: cpu_usage > 80 for 5m -> warning" in result.output


def test_rules_check_without_a_file_checks_the_configured_or_built_in_rules(tmp_path):
    result = run("ctl", "rules", "check", "--config", str(tmp_path))
    assert result.exit_code == 0
    assert "5 rules OK" in result.output
    (tmp_path / "alerts.yml").write_text("alerts:\n  x: {metric: m, threshold: 1}\n")
    own = run("ctl", "rules", "check", "--config", str(tmp_path))
    assert "1 rule OK" in own.output


def test_rules_check_names_file_line_and_field_and_exits_1(tmp_path):
    bad = tmp_path / "alerts.yml"
    bad.write_text("alerts:\n  cpu:\n    metric: cpu_usage\n    threshold: eighty\n")
    result = run("ctl", "rules", "check", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:4: alerts.cpu.threshold:" in result.output


def test_serve_with_a_bad_config_exits_2_naming_file_line_and_field(tmp_path):
    (tmp_path / "monitoring.yml").write_text("hub:\n  port: 3001\n  colour: blue\n")
    result = run("serve", "--config", str(tmp_path), "--data-dir", str(tmp_path / "d"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'monitoring.yml'}:3: hub.colour: unknown field" in result.output


def test_ctl_exits_3_when_the_hub_is_unreachable():
    result = run(
        "ctl", "--url", f"http://127.0.0.1:{free_port()}", "--token", "t", "alerts", "list"
    )
    assert result.exit_code == 3
    assert "cannot reach the hub" in result.output


def test_ctl_exits_1_on_refusal_and_unknown_alert(tmp_path):
    settings = hub_settings(tmp_path, "", "alerts: {}\n")
    with serve_hub(settings) as hub:
        wrong = run("ctl", "--url", hub.url, "--token", "wrong", "alerts", "list")
        assert wrong.exit_code == 1
        assert "refused the token" in wrong.output
        missing = run(
            "ctl", "--url", hub.url, "--data-dir", str(settings.data_dir), "alerts", "ack", "42"
        )
        assert missing.exit_code == 1
        assert "no alert 42 (HTTP 404)" in missing.output
        env_token = run(
            "ctl", "--url", hub.url, "alerts", "list", "--json", TCF_HUB_TOKEN=hub.token
        )
        assert (env_token.exit_code, env_token.output.strip()) == (0, "[]")
        nothing = run("ctl", "--url", hub.url, "--token", hub.token, "metrics", "show", "nope")
        assert nothing.exit_code == 1


def test_ctl_usage_errors_exit_2():
    assert run("ctl", "alerts", "ack").exit_code == 2
    assert run("ctl", "alerts", "list", "--state", "sleeping").exit_code == 2


def test_installed_entry_point_serves_and_stops_on_sigterm(tmp_path):
    for _attempt in range(3):  # a free port can be taken by another process before we bind it
        port = free_port()
        proc, lines = _start_entry_point(tmp_path, port)
        if proc is not None:
            break
        assert "address already in use" in "".join(lines), "".join(lines)
    else:
        raise AssertionError("no free port could be bound in three attempts")
    try:
        import httpx

        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    text = "".join(lines) + out
    # A graceful stop on SIGTERM (systemd, Docker, `tcf-hub open`) is a success.
    assert proc.returncode == 0
    assert "Application shutdown complete" in text
    assert f"tcf-hub is running at http://127.0.0.1:{port}/" in text
    assert "One-time login link (valid 15 minutes): http://127.0.0.1:" in text
    assert (tmp_path / "data" / "admin.token").stat().st_mode & 0o777 == 0o600


def _start_entry_point(tmp_path: Path, port: int) -> tuple[subprocess.Popen[str] | None, list[str]]:
    """The installed ``tcf-hub serve`` once it says it started; None (with its output) if it
    exited before that."""
    exe = Path(sys.executable).parent / "tcf-hub"
    proc = subprocess.Popen(
        [
            str(exe),
            "serve",
            "--config",
            str(tmp_path / "none"),
            "--data-dir",
            str(tmp_path / "data"),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if "Application startup complete" in line:
            return proc, lines
    proc.wait(timeout=20)
    return None, lines


def test_rules_check_validates_routes_inhibit_rules_and_maintenance(tmp_path):
    good = tmp_path / "good.yml"
    good.write_text(
        "alerts:\n  cpu:\n    metric: cpu_usage\n    threshold: 90\n"
        "routes:\n  routes:\n    - severity: [critical]\n      channels: [pager]\n"
        "maintenance:\n  - name: nightly\n    time_intervals: [{times: [{start_time: '02:00', "
        "end_time: '03:00'}]}]\n"
    )
    result = run("ctl", "rules", "check", str(good))
    assert result.exit_code == 0, result.output
    assert "policy: 1 route, 1 inhibit rule, 1 maintenance window" in result.output
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "alerts: {}\nmaintenance:\n  - name: weekend\n"
        "    time_intervals: [{weekdays: ['saturday:monday']}]\n"
    )
    result = run("ctl", "rules", "check", str(bad))
    assert result.exit_code == 1
    assert "bad.yml:4: maintenance[0].time_intervals[0].weekdays[0]" in result.output
