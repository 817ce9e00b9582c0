"""Where an event goes: the Slack channels its routes choose, every webhook, and e-mail."""

from __future__ import annotations

from dataflare.core.errors import InvalidInput
from dataflare.core.urns import parse_asset
from dataflare.notifications.audience import Audience
from dataflare.notifications.config import EMAIL_DESTINATION, NotificationConfig, Slack
from dataflare.notifications.queue import Event


def destinations(config: NotificationConfig, event: Event, audience: Audience) -> list[str]:
    """Routing reads the audience resolved for the event, not the catalog."""
    found = []
    if config.slack is not None:
        found += slack_destinations(config.slack, event, audience)
    found += [webhook.destination for webhook in config.webhooks]
    if config.email is not None:
        found.append(EMAIL_DESTINATION)
    return found


def slack_destinations(slack: Slack, event: Event, audience: Audience) -> list[str]:
    """Every route whose conditions all hold; the default channel when none does."""
    incident = event.incident
    asset_urns: list[str] = incident["assets"]
    platforms = {_platform(urn) for urn in asset_urns}
    groups = audience.owner_groups  # the groups among the owners of the incident's assets
    chosen = []
    for route in slack.routes:
        if route.priorities and incident["priority"] not in route.priorities:
            continue
        if route.platforms and not platforms & set(route.platforms):
            continue
        if route.owner_groups and not groups & set(route.owner_groups):
            continue
        chosen.append(route.destination)
    if not chosen and (slack.channel or (slack.webhook_url and not slack.bot_token)):
        chosen.append(slack.default_destination)
    return chosen


def _platform(urn: str) -> str:
    try:
        return parse_asset(urn).platform
    except InvalidInput:
        return ""
