"""Typed configuration of monitoring.yml (C6); every field has a default."""

from __future__ import annotations

import importlib.util
from typing import Literal

import msgspec

from hub.lib.durations import Seconds
from hub.lib.sizes import Bytes

CHANNEL_TYPES = ("webhook", "slack", "discord", "email", "webpush", "apprise")
"""Every channel type C6 names, each delivered by a module of hub/channels."""


class HubConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Where the hub listens and how it presents itself."""

    host: str = "127.0.0.1"
    """Address to bind; 127.0.0.1 keeps the hub private to this machine."""
    port: int = 3001
    """TCP port of the dashboard, API and /metrics."""
    metrics_public: bool = False
    """Serve /metrics without a bearer token."""
    external_url: str = ""
    """Base URL used in links inside notifications; defaults to http://host:port."""
    tls_cert: str = ""
    """PEM certificate file (relative to the config dir) to serve HTTPS; with ``tls_key``."""
    tls_key: str = ""
    """PEM private key file of ``tls_cert``."""
    allow_private_urls: bool = True
    """Accept service and channel URLs on loopback, private and link-local addresses."""
    keep_alive: Seconds = Seconds(75)
    """Seconds an idle HTTP connection is kept open. Longer than agents' push interval and a
    reverse proxy's idle timeout (nginx 60 s, AWS ALB 60 s), so that the client, not the hub,
    closes idle connections: a hub closing one just as a client reuses it fails that request."""


class CollectionConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How often this machine's and its containers' metrics are collected."""

    interval: Seconds = Seconds(10)
    """Seconds between host and container metric collections."""
    docker: Literal["auto", "on", "off"] | bool = "auto"
    """Collect Docker containers: ``auto`` when a Docker Engine answers (``DOCKER_HOST`` or
    the default socket), ``on`` to insist (an unreachable engine is logged every interval),
    ``off`` never. YAML reads a bare on/off as true/false, which mean the same."""


class ServiceConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An HTTP service to watch: probed at ``url``, its ``metrics_url`` scraped when set."""

    url: str
    """Health URL of the service (http:// or https://), fetched with GET every interval."""
    interval: Seconds = Seconds(30)
    """Seconds between probes (and scrapes of ``metrics_url``); at least 1."""
    timeout: Seconds | None = None
    """Seconds before a probe or scrape counts as failed; shorter than ``interval``. Default:
    10 s, or half the interval when that is shorter."""
    metrics_url: str | None = None
    """Prometheus /metrics URL of the service, scraped when set."""
    depends_on: tuple[str, ...] = ()
    """Names of other services this one needs; edges of the topology."""
    container: str | None = None
    """Name of the container (or compose service) running this service, when it is not
    found by matching the service name."""
    expected_status: int | tuple[int, ...] | None = None
    """Status code(s) that mean up; default: any 2xx or 3xx (redirects are followed)."""
    keyword: str | None = None
    """Text the response body must contain for the service to be up."""
    json_path: str | None = None
    """Dotted path into a JSON body (``status``, ``checks.db.status``, ``items.0.ok``) that
    must exist for the service to be up."""
    json_value: str | None = None
    """Value the ``json_path`` must have, compared as text (``true``, ``1``, ``ok``)."""
    error_window: int = 10
    """Number of recent probes ``error_rate`` is computed over."""
    series_limit: int = 1000
    """Most series stored per scrape of ``metrics_url``; the rest are dropped with a warning."""

    @property
    def probe_timeout(self) -> float:
        """The timeout in force: ``timeout``, else 10 s capped at half the interval."""
        if self.timeout is not None:
            return float(self.timeout)
        return min(DEFAULT_PROBE_TIMEOUT, self.interval / 2)


DEFAULT_PROBE_TIMEOUT = 10.0
"""Seconds a probe or scrape may take when ``timeout`` is not set (and the interval allows)."""


class HeartbeatConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A job expected to ping ``POST /api/v1/heartbeats/<name>`` every ``period``."""

    period: Seconds
    """Seconds between the job's runs, e.g. ``1d`` for a nightly backup."""
    grace: Seconds = Seconds(300)
    """Extra seconds past ``period`` before a missing ping counts as overdue (default 5m)."""


class WebhookChannelConfig(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="webhook"
):
    """Alertmanager webhook v4 JSON POSTed to a URL."""

    url: str
    """Receiver URL; treated as a secret, never logged."""
    headers: dict[str, str] = {}
    """Extra HTTP headers, e.g. an Authorization header for the receiver."""
    send_resolved: bool = True
    """Also notify when an alert resolves (Alertmanager's webhook default: yes)."""
    timeout: Seconds = Seconds(10)
    """Seconds before a delivery attempt counts as timed out."""
    hmac_secret: str | None = None
    """When set, each body is signed: ``hmac_header: sha256=<hex HMAC-SHA256 of the body>``."""
    hmac_header: str = "X-Hub-Signature-256"
    """Header carrying the HMAC signature."""
    max_per_minute: int = 30
    """Most deliveries a minute to this channel; more wait their turn (0: no limit)."""


class SlackChannelConfig(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="slack"
):
    """A Slack incoming webhook: Block Kit message with a severity colour and links."""

    url: str
    """Incoming webhook URL (https://hooks.slack.com/services/...); a secret, never logged."""
    channel: str | None = None
    """``#channel`` to post to instead of the webhook's own (legacy webhooks honour it)."""
    username: str | None = None
    """Name the message is posted under (legacy webhooks honour it)."""
    send_resolved: bool = False
    """Also notify when an alert resolves (Alertmanager's Slack default: no)."""
    timeout: Seconds = Seconds(10)
    """Seconds before a delivery attempt counts as timed out."""
    max_per_minute: int = 30
    """Most deliveries a minute to this channel; more wait their turn (0: no limit)."""


class DiscordChannelConfig(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="discord"
):
    """A Discord webhook: one embed per notification, coloured by severity."""

    url: str
    """Webhook URL (https://discord.com/api/webhooks/...); a secret, never logged."""
    username: str | None = None
    """Name the message is posted under."""
    send_resolved: bool = True
    """Also notify when an alert resolves (Alertmanager's Discord default: yes)."""
    timeout: Seconds = Seconds(10)
    """Seconds before a delivery attempt counts as timed out."""
    max_per_minute: int = 30
    """Most deliveries a minute to this channel; more wait their turn (0: no limit)."""


class EmailChannelConfig(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="email"
):
    """Email through an SMTP server: plain text and HTML parts."""

    to: str | tuple[str, ...]
    """Recipient address, or a list of them."""
    sender: str = msgspec.field(name="from", default="tcf-hub@localhost")
    """``From`` address (key ``from``)."""
    smarthost: str = "localhost:587"
    """SMTP server as ``host:port``."""
    tls: Literal["starttls", "tls", "none"] = "starttls"
    """``starttls`` upgrades a plain connection (port 587), ``tls`` is implicit TLS (465),
    ``none`` sends in clear (a local relay only)."""
    username: str | None = None
    """SMTP login, when the server needs one."""
    password: str | None = None
    """SMTP password; a secret, never logged."""
    ca_file: str | None = None
    """PEM file of the CA that signed the server's certificate (default: the system's)."""
    send_resolved: bool = False
    """Also notify when an alert resolves (Alertmanager's email default: no)."""
    timeout: Seconds = Seconds(10)
    """Seconds before a delivery attempt counts as timed out."""
    max_per_minute: int = 30
    """Most deliveries a minute to this channel; more wait their turn (0: no limit)."""

    @property
    def recipients(self) -> tuple[str, ...]:
        """``to`` as a tuple."""
        return (self.to,) if isinstance(self.to, str) else self.to


class AppriseChannelConfig(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="apprise"
):
    """Any service Apprise knows (Telegram, ntfy, Gotify, Pushover, Teams ...), by its URL."""

    url: str
    """Apprise URL such as ``tgram://token/chat`` or ``ntfys://host/topic``; a secret."""
    send_resolved: bool = True
    """Also notify when an alert resolves."""
    timeout: Seconds = Seconds(10)
    """Seconds before a delivery attempt counts as timed out."""
    max_per_minute: int = 30
    """Most deliveries a minute to this channel; more wait their turn (0: no limit)."""


class WebPushChannelConfig(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="webpush"
):
    """Web Push to every device that enabled push in the dashboard (C9)."""

    subject: str = "mailto:tcf-hub@localhost"
    """VAPID ``sub`` claim: a ``mailto:`` or ``https:`` contact for push services' operators."""
    ttl: Seconds = Seconds(86400)
    """Seconds a push service keeps an undelivered push (device offline); default 1 day."""
    ack_token_ttl: Seconds = Seconds(86400)
    """Seconds a notification's Acknowledge action stays usable; default 1 day."""
    send_resolved: bool = True
    """Also push when an alert resolves (it replaces the firing push still undelivered)."""
    timeout: Seconds = Seconds(10)
    """Seconds before a push service's answer counts as timed out."""
    max_per_minute: int = 30
    """Most pushes a minute through this channel; more wait their turn (0: no limit)."""


ChannelConfig = (
    WebhookChannelConfig
    | SlackChannelConfig
    | DiscordChannelConfig
    | EmailChannelConfig
    | AppriseChannelConfig
    | WebPushChannelConfig
)
"""The tagged union of channel configs on ``type``; grows as channel types are added."""

CHANNEL_CONFIGS: dict[str, type[ChannelConfig]] = {
    "webhook": WebhookChannelConfig,
    "slack": SlackChannelConfig,
    "discord": DiscordChannelConfig,
    "email": EmailChannelConfig,
    "apprise": AppriseChannelConfig,
    "webpush": WebPushChannelConfig,
}
"""The config struct of each channel ``type``."""


def channel_problem(config: ChannelConfig) -> tuple[str, str] | None:
    """The first invalid field of ``config`` and why, or None when it is usable."""
    if isinstance(config, EmailChannelConfig):
        if not config.recipients or not all("@" in a for a in config.recipients):
            return "to", "expected one or more email addresses"
        host, _, port = config.smarthost.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            return "smarthost", "expected host:port, like smtp.example.com:587"
    elif isinstance(config, AppriseChannelConfig):
        if importlib.util.find_spec("apprise") is None:
            return "type", "apprise is not installed: pip install 'tcf-hub[apprise]'"
        if "://" not in config.url:
            return "url", "expected an Apprise URL like ntfys://host/topic"
    elif isinstance(config, WebPushChannelConfig):
        if not config.subject.startswith(("mailto:", "https://")):
            return "subject", "expected a mailto: or https:// contact"
    elif not config.url.startswith(("http://", "https://")):
        return "url", "expected an http:// or https:// URL"
    if config.max_per_minute < 0:
        return "max_per_minute", "must be 0 (no limit) or more"
    if not 0 < config.timeout <= 300:
        return "timeout", "must be more than 0 and at most 300 seconds"
    return None


class NotifyConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How the outbox delivers notifications, whatever the channel."""

    max_age: Seconds = Seconds(86400)
    """A notification still undelivered this long after it was queued is given up (24h)."""
    max_per_minute: int = 120
    """Most deliveries a minute over all channels together; more wait their turn (0: none)."""


class RetentionConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How long history is kept."""

    raw: Seconds = Seconds(30 * 86400)
    """Keep raw samples this long (default 30d)."""
    minute: Seconds = Seconds(90 * 86400)
    """Keep the 1-minute rollup tier this long (default 90d)."""
    hour: Seconds = Seconds(730 * 86400)
    """Keep the 1-hour rollup tier this long (default 2 years)."""
    max_disk: Bytes | None = None
    """Cap on the store's size, e.g. ``2GB``: the oldest history goes first (default none)."""


class DatabaseConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Where the store lives."""

    url: str | None = None
    """SQLAlchemy URL; default is SQLite at <data-dir>/hub.db."""


class MonitoringConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The whole of monitoring.yml."""

    hub: HubConfig = HubConfig()
    collection: CollectionConfig = CollectionConfig()
    services: dict[str, ServiceConfig] = {}
    channels: dict[str, ChannelConfig] = {}
    heartbeats: dict[str, HeartbeatConfig] = {}
    retention: RetentionConfig = RetentionConfig()
    database: DatabaseConfig = DatabaseConfig()
    notify: NotifyConfig = NotifyConfig()


def channel_type(config: ChannelConfig) -> str:
    """The ``type`` a channel config was declared with."""
    return str(config.__struct_config__.tag)
