"""``tcf-hub serve`` bind rules: loopback by default; elsewhere TLS or --insecure-bind."""

from __future__ import annotations

import ssl
import subprocess
import sys
from pathlib import Path

import httpx
from click.testing import CliRunner

from hub.cli import cli
from hub.cli.serve import bind_problem, is_loopback
from tests.helpers import free_port


def serve(*args: str):
    return CliRunner().invoke(cli, ["serve", *args])


def test_a_non_loopback_bind_without_tls_exits_2_saying_why(tmp_path):
    result = serve(
        "--config", str(tmp_path), "--data-dir", str(tmp_path / "d"), "--host", "0.0.0.0"
    )
    assert result.exit_code == 2
    assert "refusing to bind 0.0.0.0 without TLS" in result.output
    assert "--insecure-bind" in result.output
    assert not (tmp_path / "d").exists()  # refused before anything started


def test_half_a_tls_config_or_a_missing_file_exits_2(tmp_path):
    (tmp_path / "monitoring.yml").write_text("hub:\n  tls_cert: cert.pem\n")
    half = serve("--config", str(tmp_path), "--data-dir", str(tmp_path / "d"))
    assert half.exit_code == 2
    assert "hub.tls_cert and hub.tls_key must be set together" in half.output
    (tmp_path / "monitoring.yml").write_text("hub:\n  tls_cert: cert.pem\n  tls_key: key.pem\n")
    missing = serve("--config", str(tmp_path), "--data-dir", str(tmp_path / "d"))
    assert missing.exit_code == 2
    assert f"hub.tls_cert: no such file {tmp_path / 'cert.pem'}" in missing.output


def test_bind_rules():
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("[::1]")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("hub.example")
    assert bind_problem("127.0.0.2", tls=False, insecure_bind=False) is None
    assert bind_problem("0.0.0.0", tls=True, insecure_bind=False) is None
    assert bind_problem("192.168.1.5", tls=False, insecure_bind=True) is None
    assert bind_problem("192.168.1.5", tls=False, insecure_bind=False) is not None


def test_serves_https_with_the_configured_certificate(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(config / "key.pem"),
            "-out", str(config / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (config / "monitoring.yml").write_text("hub:\n  tls_cert: cert.pem\n  tls_key: key.pem\n")
    port = free_port()
    exe = Path(sys.executable).parent / "tcf-hub"
    proc = subprocess.Popen(
        [str(exe), "serve", "--config", str(config), "--data-dir", str(tmp_path / "data"),
         "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    lines = []
    trust = ssl.create_default_context(cafile=str(config / "cert.pem"))
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "Uvicorn running on" in line:
                break
        response = httpx.get(f"https://127.0.0.1:{port}/healthz", verify=trust)
        assert response.json() == {"status": "ok"}
        assert response.headers["strict-transport-security"] == "max-age=31536000"
        login = httpx.post(
            f"https://127.0.0.1:{port}/api/v1/session",
            json={"token": (tmp_path / "data" / "admin.token").read_text().strip()},
            verify=trust,
        )
        assert login.status_code == 204
        assert all("secure" in c.lower() for c in login.headers.get_list("set-cookie"))
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
    assert f"One-time login link (valid 15 minutes): https://127.0.0.1:{port}/login" in "".join(
        lines
    )
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
