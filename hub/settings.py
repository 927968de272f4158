"""Settings: monitoring.yml and alerts.yml decoded once at start, with flag/env overrides (C2)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import msgspec
import platformdirs

from hub.domain.config import (
    CHANNEL_CONFIGS,
    CHANNEL_TYPES,
    AppriseChannelConfig,
    ChannelConfig,
    EmailChannelConfig,
    HeartbeatConfig,
    MonitoringConfig,
    ServiceConfig,
    WebPushChannelConfig,
    channel_problem,
)
from hub.domain.heartbeats import HEARTBEAT_NAME
from hub.domain.rules import Rule
from hub.lib.urls import url_problem
from hub.lib.yamlconf import ConfigError, YamlDoc, load_yaml
from hub.notify.policy import AlertPolicy, default_policy, parse_policy
from hub.rules.parse import parse_rules

APP_NAME = "tcf-hub"


class Settings(msgspec.Struct, frozen=True):
    """Everything the hub was configured with."""

    data_dir: Path
    monitoring: MonitoringConfig
    rules: tuple[Rule, ...]
    monitoring_file: Path | None
    alerts_file: Path | None
    policy: AlertPolicy
    """Routes, inhibit rules and maintenance windows of alerts.yml."""

    @property
    def host(self) -> str:
        """Address to bind."""
        return self.monitoring.hub.host

    @property
    def port(self) -> int:
        """Port to bind."""
        return self.monitoring.hub.port

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of the store."""
        return self.monitoring.database.url or f"sqlite+aiosqlite:///{self.data_dir / 'hub.db'}"

    @property
    def external_url(self) -> str:
        """Base URL for links in notifications."""
        if self.monitoring.hub.external_url:
            return self.monitoring.hub.external_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host  # noqa: S104
        scheme = "https" if self.monitoring.hub.tls_cert else "http"
        return f"{scheme}://{host}:{self.port}"


def default_data_dir() -> Path:
    """The platform's per-user data dir (``~/.local/share/tcf-hub`` on Linux)."""
    return platformdirs.user_data_path(APP_NAME)


def default_config_dir() -> Path:
    """The platform's per-user config dir (``~/.config/tcf-hub`` on Linux)."""
    return platformdirs.user_config_path(APP_NAME)


def builtin_config_dir() -> Path:
    """The default monitoring.yml and alerts.yml shipped with the hub."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_config", package.parent / "config"):
        if (candidate / "alerts.yml").is_file():
            return candidate
    raise FileNotFoundError("built-in config not found next to the hub package")


def load_settings(
    config_dir: Path | None = None,
    data_dir: Path | None = None,
    host: str | None = None,
    port: int | None = None,
) -> Settings:
    """Read the config dir; a file missing there falls back to the built-in one.

    Raises:
        ConfigError: a file is invalid; the message names file, line and field.
    """
    folder = config_dir or default_config_dir()
    monitoring_file = _pick(folder, "monitoring.yml")
    alerts_file = _pick(folder, "alerts.yml")
    monitoring = (
        parse_monitoring(load_yaml(monitoring_file)) if monitoring_file else MonitoringConfig()
    )
    channels = list(monitoring.channels)
    if alerts_file:
        alerts_doc = load_yaml(alerts_file)
        rules = parse_rules(alerts_doc)
        policy = parse_policy(alerts_doc, channels)
    else:
        rules, policy = (), default_policy(channels)
    hub = msgspec.structs.replace(
        monitoring.hub,
        host=host if host is not None else monitoring.hub.host,
        port=port if port is not None else monitoring.hub.port,
    )
    return Settings(
        data_dir=(data_dir or default_data_dir()).resolve(),
        monitoring=msgspec.structs.replace(monitoring, hub=hub),
        rules=rules,
        policy=policy,
        monitoring_file=monitoring_file,
        alerts_file=alerts_file,
    )


def parse_monitoring(doc: YamlDoc) -> MonitoringConfig:
    """monitoring.yml as typed config.

    Raises:
        ConfigError: an unknown key, a wrong type or an unsupported channel type.
    """
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping")
    data = dict(doc.data)
    services = {
        str(name): _service(doc, str(name), body)
        for name, body in _mapping(doc, data.pop("services", None), "services").items()
    }
    _check_dependencies(doc, services)
    channels = {
        str(name): _channel(doc, str(name), body)
        for name, body in _mapping(doc, data.pop("channels", None), "channels").items()
    }
    heartbeats = {
        str(name): _heartbeat(doc, str(name), body)
        for name, body in _mapping(doc, data.pop("heartbeats", None), "heartbeats").items()
    }
    config = doc.convert(data, MonitoringConfig, ())
    if not 0 < config.hub.port < 65536:
        raise doc.error(("hub", "port"), f"expected a TCP port 1-65535, got {config.hub.port}")
    if config.collection.interval < 1:
        raise doc.error(("collection", "interval"), "must be at least 1 second")
    if config.hub.keep_alive < 1:
        raise doc.error(("hub", "keep_alive"), "must be at least 1 second")
    if not config.hub.allow_private_urls:
        _refuse_private_urls(doc, services, channels)
    return msgspec.structs.replace(
        config, services=services, channels=channels, heartbeats=heartbeats
    )


def _refuse_private_urls(
    doc: YamlDoc, services: dict[str, ServiceConfig], channels: dict[str, ChannelConfig]
) -> None:
    targets: list[tuple[tuple[str, ...], str | None]] = []
    for name, service in services.items():
        targets += [
            (("services", name, "url"), service.url),
            (("services", name, "metrics_url"), service.metrics_url),
        ]
    targets += [
        (("channels", name, "url"), channel.url)
        for name, channel in channels.items()
        if not isinstance(channel, EmailChannelConfig | WebPushChannelConfig | AppriseChannelConfig)
    ]
    for path, url in targets:
        problem = url_problem(url, allow_private=False) if url else None
        if problem:
            raise doc.error(path, problem)


def _pick(folder: Path, name: str) -> Path | None:
    own = folder / name
    if own.is_file():
        return own
    builtin = builtin_config_dir() / name
    return builtin if builtin.is_file() else None


def _mapping(doc: YamlDoc, value: object, key: str) -> dict[object, object]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise doc.error((key,), "expected a mapping of name to settings")
    return value


def _heartbeat(doc: YamlDoc, name: str, body: object) -> HeartbeatConfig:
    path = ("heartbeats", name)
    if not HEARTBEAT_NAME.match(name):
        raise doc.error(path, "heartbeat names use letters, digits, _ . - (up to 100)")
    config = doc.convert(body, HeartbeatConfig, path)
    if config.period < 1:
        raise doc.error((*path, "period"), "must be at least 1 second")
    return config


def _service(doc: YamlDoc, name: str, body: object) -> ServiceConfig:
    path = ("services", name)
    config = doc.convert(body, ServiceConfig, path)
    for key, url in (("url", config.url), ("metrics_url", config.metrics_url)):
        if url is not None and not _is_http_url(url):
            raise doc.error((*path, key), f"expected an http:// or https:// URL, got {url!r}")
    if config.interval < 1:
        raise doc.error((*path, "interval"), "must be at least 1 second")
    if config.timeout is not None and not 0 < config.timeout < config.interval:
        raise doc.error(
            (*path, "timeout"),
            f"must be more than 0 and shorter than the interval ({config.interval:g}s), "
            f"got {config.timeout:g}s",
        )
    _check_probe_options(doc, path, config)
    return config


def _check_probe_options(doc: YamlDoc, path: tuple[str, str], config: ServiceConfig) -> None:
    codes = config.expected_status
    for code in (codes,) if isinstance(codes, int) else codes or ():
        if not 100 <= code <= 599:
            raise doc.error((*path, "expected_status"), f"expected HTTP codes 100-599, got {code}")
    if config.json_value is not None and config.json_path is None:
        raise doc.error((*path, "json_value"), "needs a json_path to compare with")
    if config.json_path is not None and "" in config.json_path.split("."):
        raise doc.error((*path, "json_path"), "expected a dotted path like checks.db.status")
    for key, count in (
        ("error_window", config.error_window),
        ("series_limit", config.series_limit),
    ):
        if count < 1:
            raise doc.error((*path, key), "must be at least 1")


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a malformed IPv6 host or port
        return False


def _check_dependencies(doc: YamlDoc, services: dict[str, ServiceConfig]) -> None:
    for name, config in services.items():
        for index, other in enumerate(config.depends_on):
            if other == name:
                raise doc.error(
                    ("services", name, "depends_on", index), "a service cannot depend on itself"
                )
            if other not in services:
                known = ", ".join(sorted(services))
                raise doc.error(
                    ("services", name, "depends_on", index),
                    f"unknown service {other!r} (services: {known})",
                )


def _channel(doc: YamlDoc, name: str, body: object) -> ChannelConfig:
    path = ("channels", name)
    kind = body.get("type") if isinstance(body, dict) else None
    if kind not in CHANNEL_TYPES:
        raise doc.error((*path, "type"), f"expected one of {', '.join(CHANNEL_TYPES)}")
    config: ChannelConfig = doc.convert(body, CHANNEL_CONFIGS[kind], path)
    problem = channel_problem(config)
    if problem is not None:
        raise doc.error((*path, problem[0]), problem[1])
    return config


__all__ = ["ConfigError", "Settings", "load_settings"]
