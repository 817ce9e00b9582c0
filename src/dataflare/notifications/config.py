"""Notification settings: `$DATAFLARE_HOME/notifications.toml` (or the file named by
DATAFLARE_NOTIFICATIONS_CONFIG), plus environment variables for the single-destination case."""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_LINEAGE_HOPS
from dataflare.core.vocabulary import PRIORITY_TO_NUMBER
from dataflare.notifications.settings_file import Table

FILE_NAME = "notifications.toml"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Delivery:
    max_attempts: int = 10  # failures before a delivery is dead
    backoff_seconds: float = 5.0  # the first retry's delay; it doubles after each failure
    max_backoff_seconds: float = 3600.0
    poll_seconds: float = 1.0  # how often an idle worker looks for work
    lease_seconds: float = 120.0  # a claimed delivery is retried after this if its worker died
    batch: int = 50  # deliveries claimed at once
    timeout_seconds: float = 10.0  # for each HTTP or SMTP call


@dataclass(frozen=True)
class SlackRoute:
    """Incidents matching every condition given go to `channel` (bot) or `webhook_url`."""

    channel: str | None
    webhook_url: str | None
    priorities: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    owner_groups: tuple[str, ...] = ()  # group URNs

    @property
    def destination(self) -> str:
        return slack_destination(self.channel, self.webhook_url)


@dataclass(frozen=True)
class Slack:
    bot_token: str | None
    webhook_url: str | None
    channel: str | None  # the default channel (bot mode)
    api_url: str | None = None  # Slack's Web API; another only for tests or a proxy
    routes: tuple[SlackRoute, ...] = ()
    user_groups: dict[str, str] = field(default_factory=dict)  # group URN -> Slack group id
    look_up_emails: bool = True  # bot mode: find owners without a Slack id by e-mail

    @property
    def default_destination(self) -> str:
        return slack_destination(self.channel, None if self.bot_token else self.webhook_url)


@dataclass(frozen=True)
class Webhook:
    name: str
    url: str
    secrets: tuple[str, ...]  # one, or two while rotating

    @property
    def destination(self) -> str:
        return f"webhook:{self.name}"


@dataclass(frozen=True)
class Email:
    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    also_to: tuple[str, ...] = ()  # sent every message besides the owners


EMAIL_DESTINATION = "email"


@dataclass(frozen=True)
class NotificationConfig:
    public_url: str = "http://127.0.0.1:9002"
    downstream_depth: int = 3  # lineage hops whose owners are told too
    slack: Slack | None = None
    webhooks: tuple[Webhook, ...] = ()
    email: Email | None = None
    delivery: Delivery = Delivery()

    @property
    def configured(self) -> bool:
        return bool(self.slack or self.webhooks or self.email)


def slack_destination(channel: str | None, webhook_url: str | None) -> str:
    """A destination's name in the database and the CLI; a webhook URL is a secret, so it is
    named by a short hash of it."""
    if webhook_url:
        return "slack:webhook:" + hashlib.sha256(webhook_url.encode()).hexdigest()[:10]
    return f"slack:{channel}"


def config_path(home: Path) -> tuple[Path, bool]:
    """The settings file, and whether it was named explicitly (then it must exist)."""
    named = os.environ.get("DATAFLARE_NOTIFICATIONS_CONFIG")
    return (Path(named).expanduser(), True) if named else (home / FILE_NAME, False)


def load(home: Path) -> NotificationConfig:
    """The settings, checked whole: a bad key is an InvalidInput naming it."""
    path, named = config_path(home)
    values: dict[str, object] = {}
    if path.is_file():
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise InvalidInput(f"{path}: not valid TOML: {error}") from error
    elif named:
        raise InvalidInput(f"DATAFLARE_NOTIFICATIONS_CONFIG names {path}, which is not a file.")
    return parse(Table(str(path), "", values), os.environ)


def parse(root: Table, env: Mapping[str, str]) -> NotificationConfig:
    public_url = env.get("DATAFLARE_PUBLIC_URL") or root.text("public_url")
    depth = root.whole("downstream_depth", 3, 0, MAX_LINEAGE_HOPS)  # the lineage walk's cap
    slack = _slack(root.table("slack"), env)
    webhooks = [_webhook(t) for t in root.tables("webhooks")]
    if env.get("DATAFLARE_WEBHOOK_URL"):
        secrets = tuple(s for s in env.get("DATAFLARE_WEBHOOK_SECRETS", "").split(",") if s)
        webhooks.append(_checked_webhook("env", env["DATAFLARE_WEBHOOK_URL"], secrets))
    names = [w.name for w in webhooks]
    if len(set(names)) != len(names):
        raise root.fail("webhooks", f"names must be unique (got {names}).")
    email = _email(root.table("email"))
    delivery = _delivery(root.table("delivery"))
    root.done()
    return NotificationConfig(
        public_url=_url(root, "public_url", public_url or "http://127.0.0.1:9002").rstrip("/"),
        downstream_depth=depth,
        slack=slack,
        webhooks=tuple(webhooks),
        email=email,
        delivery=delivery,
    )


def _url(table: Table, key: str, url: str, https_only: bool = False) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise table.fail(key, f"must be an http(s) URL (got {url!r}).")
    if not url.isascii() or any(c.isspace() or ord(c) < 32 for c in url):
        # The request line is written as is: spaces or other characters would break it.
        raise table.fail(key, f"must be ASCII without spaces, percent-encoded (got {url!r}).")
    if https_only and parts.scheme != "https" and parts.hostname not in LOOPBACK_HOSTS:
        raise table.fail(key, f"must be an https URL (got {url!r}).")
    return url


def _slack(table: Table | None, env: Mapping[str, str]) -> Slack | None:
    if table is None:
        table = Table("environment", "slack", {})
    bot_token = env.get("DATAFLARE_SLACK_BOT_TOKEN") or table.text("bot_token")
    webhook_url = env.get("DATAFLARE_SLACK_WEBHOOK_URL") or table.text("webhook_url")
    channel = env.get("DATAFLARE_SLACK_CHANNEL") or table.text("channel")
    api_url = env.get("DATAFLARE_SLACK_API_URL") or table.text("api_url")
    routes = tuple(_route(t, bool(bot_token)) for t in table.tables("routes"))
    user_groups = {_group_urn(k): v for k, v in table.mapping("user_groups").items()}
    look_up = table.flag("look_up_emails", True)
    table.done()
    if not (bot_token or webhook_url):
        if routes or channel:
            raise table.fail("bot_token", "or webhook_url must be set to send to Slack.")
        return None
    if webhook_url:
        _url(table, "webhook_url", webhook_url, https_only=True)
    if bot_token and not channel and not routes:
        raise table.fail("channel", "must be set in bot-token mode (the default channel).")
    if api_url:
        _url(table, "api_url", api_url)
    return Slack(
        bot_token=bot_token,
        webhook_url=webhook_url,
        channel=channel,
        api_url=api_url,
        routes=routes,
        user_groups=user_groups,
        look_up_emails=look_up,
    )


def _route(table: Table, bot_mode: bool) -> SlackRoute:
    channel = table.text("channel")
    webhook_url = table.text("webhook_url")
    priorities = table.texts("priority")
    for priority in priorities:
        if priority not in PRIORITY_TO_NUMBER:
            allowed = ", ".join(PRIORITY_TO_NUMBER)
            raise table.fail("priority", f"has {priority!r}; use {allowed}.")
    route = SlackRoute(
        channel=channel,
        webhook_url=webhook_url and _url(table, "webhook_url", webhook_url, https_only=True),
        priorities=priorities,
        platforms=table.texts("platform"),
        owner_groups=tuple(_group_urn(g) for g in table.texts("owner_group")),
    )
    table.done()
    if bot_mode and not channel:
        raise table.fail("channel", "must be set (Slack is in bot-token mode).")
    if not bot_mode and not webhook_url:
        raise table.fail("webhook_url", "must be set (Slack is in incoming-webhook mode).")
    return route


def _group_urn(name: str) -> str:
    return name if name.startswith("urn:li:corpGroup:") else f"urn:li:corpGroup:{name}"


def _webhook(table: Table) -> Webhook:
    name = table.text("name")
    url = table.text("url")
    secrets = table.texts("secrets")
    table.done()
    if not name:
        raise table.fail("name", "must be set.")
    if not url:
        raise table.fail("url", "must be set.")
    return _checked_webhook(name, _url(table, "url", url, https_only=True), secrets, table)


def _checked_webhook(
    name: str, url: str, secrets: tuple[str, ...], table: Table | None = None
) -> Webhook:
    table = table or Table("environment", "DATAFLARE_WEBHOOK", {})
    _url(table, "url", url, https_only=True)
    if not 1 <= len(secrets) <= 2:
        raise table.fail(
            "secrets", f"must hold one secret, or two while rotating (got {len(secrets)})."
        )
    return Webhook(name=name, url=url, secrets=secrets)


def _email(table: Table | None) -> Email | None:
    if table is None:
        return None
    enabled = table.flag("enabled", False)
    host = table.text("host", "127.0.0.1") or "127.0.0.1"
    port = table.whole("port", 25, 1)
    sender = table.text("from")
    starttls = table.flag("starttls", False)
    username = table.text("username")
    password = table.text("password")
    also_to = table.texts("also_to")
    table.done()
    if not enabled:
        return None
    if not sender:
        raise table.fail("from", "must be set when e-mail is enabled.")
    return Email(host, port, sender, starttls, username, password, also_to)


def _delivery(table: Table | None) -> Delivery:
    if table is None:
        return Delivery()
    defaults = Delivery()
    delivery = Delivery(
        max_attempts=table.whole("max_attempts", defaults.max_attempts, 1),
        backoff_seconds=table.number("backoff_seconds", defaults.backoff_seconds, 0),
        max_backoff_seconds=table.number("max_backoff_seconds", defaults.max_backoff_seconds, 0),
        poll_seconds=table.number("poll_seconds", defaults.poll_seconds, 0.01),
        lease_seconds=table.number("lease_seconds", defaults.lease_seconds, 1),
        batch=table.whole("batch", defaults.batch, 1),
        timeout_seconds=table.number("timeout_seconds", defaults.timeout_seconds, 0.1),
    )
    table.done()
    if delivery.lease_seconds <= delivery.timeout_seconds:
        raise table.fail(
            "lease_seconds",
            f"must be longer than timeout_seconds ({delivery.timeout_seconds:g}): a delivery "
            "must be able to finish within its lease.",
        )
    return delivery
