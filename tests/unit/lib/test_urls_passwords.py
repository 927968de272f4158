"""URL checks (scheme, private ranges), argon2id passwords and the private data dir."""

from __future__ import annotations

import pytest

from hub.lib.passwords import Passwords
from hub.lib.secrets import ensure_private_dir
from hub.lib.urls import url_problem


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "http://",
        "example.com",
        "http://[::1",
        "http://h:0/",
    ],
)
def test_only_http_and_https_urls_with_a_host_are_accepted(url):
    assert url_problem(url) == "expected an http:// or https:// URL"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/health",
        "http://localhost/",
        "http://api.localhost/",
        "http://10.1.2.3/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fd00::1]/",
        "http://0.0.0.0/",
    ],
)
def test_private_addresses_are_refused_only_when_asked(url):
    assert url_problem(url) is None
    problem = url_problem(url, allow_private=False)
    assert problem is not None
    assert "hub.allow_private_urls is false" in problem


def test_public_addresses_and_names_pass_with_private_refused():
    assert url_problem("https://hooks.slack.com/services/x", allow_private=False) is None
    assert url_problem("http://8.8.8.8/", allow_private=False) is None


async def test_passwords_are_argon2id_salted_and_checked():
    passwords = Passwords()
    first = await passwords.hash("correct horse battery")
    second = await passwords.hash("correct horse battery")
    assert first.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert first != second  # salted
    assert await passwords.verify(first, "correct horse battery")
    assert not await passwords.verify(first, "wrong horse battery")
    assert not await passwords.verify("not a hash", "correct horse battery")
    assert not await passwords.verify(None, "not a password of anyone")


def test_the_data_dir_is_made_private_even_when_it_exists(tmp_path):
    fresh = tmp_path / "fresh"
    ensure_private_dir(fresh)
    assert fresh.stat().st_mode & 0o777 == 0o700
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    ensure_private_dir(loose)
    assert loose.stat().st_mode & 0o777 == 0o700


def test_allow_private_urls_false_refuses_a_private_service_url_naming_the_field(tmp_path):
    from hub.lib.yamlconf import ConfigError
    from hub.settings import load_settings
    from tests.helpers import write_config

    monitoring = (
        "hub:\n  allow_private_urls: false\nservices:\n  api:\n    url: https://example.com/\n"
        "    metrics_url: http://10.0.0.5:9100/metrics\n"
    )
    config = write_config(tmp_path / "c", monitoring, None)
    with pytest.raises(ConfigError, match=r"monitoring.yml:6: services.api.metrics_url: 10.0.0.5"):
        load_settings(config, tmp_path / "d")
    allowed = monitoring.replace("false", "true")
    config = write_config(tmp_path / "c2", allowed, None)
    assert load_settings(config, tmp_path / "d").monitoring.hub.allow_private_urls
