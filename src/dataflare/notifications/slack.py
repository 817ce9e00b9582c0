"""Sending to Slack: incoming webhooks (a new message per event), or a bot token (one message
per incident and channel, updated in place, with a thread reply for each change)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient
from sqlalchemy import insert, select

from dataflare.db.database import Database
from dataflare.events.outbox import RAISED
from dataflare.notifications.audience import Person
from dataflare.notifications.config import Slack, slack_destination
from dataflare.notifications.failures import DeliveryFailed, http_failure, retry_after_seconds
from dataflare.notifications.message import Notice, plain_text
from dataflare.notifications.models import SLACK_MESSAGES
from dataflare.notifications.slack_message import blocks, escape, thread_reply

log = logging.getLogger("dataflare.notifications")

SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
SLACK_API_URL = "https://slack.com/api/"
# Answers with "ok": false worth trying again; the others (channel_not_found, ...) are not.
LOOKUP_KEPT_SECONDS = 3600
TRANSIENT_ERRORS = ("ratelimited", "internal_error", "fatal_error", "service_unavailable")


class SlackSender:
    def __init__(self, config: Slack, database: Database, timeout: float) -> None:
        self.config = config
        self.database = database
        self.timeout = timeout
        self.client = WebClient(
            token=config.bot_token,
            base_url=config.api_url or SLACK_API_URL,
            timeout=int(max(1, timeout)),
            retry_handlers=[],  # the queue retries, with backoff that survives restarts
        )
        self._ids_by_email: dict[str, tuple[str | None, float]] = {}
        self._webhooks = {
            slack_destination(None, url): url
            for url in [config.webhook_url, *(r.webhook_url for r in config.routes)]
            if url
        }

    def send(self, destination: str, notice: Notice) -> None:
        with _slack_errors():
            owners, downstream = self.mentions(notice)
            if self.config.bot_token:
                self._post_or_update(destination.removeprefix("slack:"), notice, owners, downstream)
            else:
                self._post_webhook(destination, notice, owners, downstream)

    def mentions(self, notice: Notice) -> tuple[list[str], list[str]]:
        """Owners, then downstream owners, as Slack mentions where we know how; nobody twice."""
        seen: set[str] = set()
        lists: list[list[str]] = []
        for owners in (notice.audience.owners, notice.audience.downstream_owners):
            found = []
            for token in (self._mention(o.person) for o in owners):
                if token not in seen:
                    seen.add(token)
                    found.append(token)
            lists.append(found)
        return lists[0], lists[1]

    def _mention(self, person: Person) -> str:
        if person.is_group:
            group = self.config.user_groups.get(person.urn)
            return f"<!subteam^{group}>" if group else escape(person.name)
        if person.slack and SLACK_USER_ID.fullmatch(person.slack):
            return f"<@{person.slack}>"
        if self.config.bot_token and self.config.look_up_emails and person.email:
            user_id = self._user_id(person.email)
            if user_id:
                return f"<@{user_id}>"
        return escape(person.name)

    def _user_id(self, email: str) -> str | None:
        """The Slack user with this e-mail, remembered for an hour (people join Slack later)."""
        known = self._ids_by_email.get(email)
        if known is not None and time.monotonic() - known[1] < LOOKUP_KEPT_SECONDS:
            return known[0]
        user_id: str | None = None
        try:
            found = self.client.users_lookupByEmail(email=email)
            user_id = str(found["user"]["id"])
        except SlackApiError as error:
            reason = error.response.get("error")
            if error.response.status_code != 200 or reason in TRANSIENT_ERRORS:
                raise  # worth retrying the delivery
            if reason != "users_not_found":  # e.g. missing_scope: name them, untagged
                log.warning("cannot look up Slack users by e-mail: %s", reason)
        self._ids_by_email[email] = (user_id, time.monotonic())
        return user_id

    def _post_webhook(
        self, destination: str, notice: Notice, owners: list[str], downstream: list[str]
    ) -> None:
        url = self._webhooks.get(destination)
        if url is None:
            raise DeliveryFailed(f"{destination} is no longer configured", permanent=True)
        client = WebhookClient(url, timeout=int(max(1, self.timeout)), retry_handlers=[])
        response = client.send_dict(
            {"text": plain_text(notice), "blocks": blocks(notice, owners, downstream)}
        )
        if response.status_code != 200:
            raise http_failure(
                response.status_code, response.body or "", response.headers.get("Retry-After")
            )

    def _post_or_update(
        self, channel: str, notice: Notice, owners: list[str], downstream: list[str]
    ) -> None:
        incident_id = notice.event.incident_id
        text, message_blocks = plain_text(notice), blocks(notice, owners, downstream)
        with self.database.session() as session:
            posted = session.execute(
                select(SLACK_MESSAGES.c.posted_channel, SLACK_MESSAGES.c.ts).where(
                    SLACK_MESSAGES.c.incident_id == incident_id,
                    SLACK_MESSAGES.c.channel == channel,
                )
            ).one_or_none()
        if posted is None:
            answer = self.client.chat_postMessage(
                channel=channel, text=text, blocks=message_blocks, unfurl_links=False
            )
            # Kept at once: if we die before the delivery is marked done, the retry finds
            # the message and updates it instead of posting a second one.
            with self.database.session(write=True) as session:
                session.execute(
                    insert(SLACK_MESSAGES).values(
                        incident_id=incident_id,
                        channel=channel,
                        posted_channel=str(answer["channel"]),
                        ts=str(answer["ts"]),
                    )
                )
            if notice.event.kind == RAISED:
                return
            posted_channel, ts = str(answer["channel"]), str(answer["ts"])
        else:
            posted_channel, ts = posted.posted_channel, posted.ts
            self.client.chat_update(channel=posted_channel, ts=ts, text=text, blocks=message_blocks)
            if notice.event.kind == RAISED:
                return  # the raise sent again after a crash: its message is already there
        self.client.chat_postMessage(
            channel=posted_channel, thread_ts=ts, text=thread_reply(notice), unfurl_links=False
        )


@contextmanager
def _slack_errors() -> Iterator[None]:
    """Slack's errors, told apart: rate limits and server errors are retried."""
    try:
        yield
    except SlackApiError as error:
        response = error.response
        status = response.status_code
        reason = response.get("error") if isinstance(response.data, dict) else None
        if status == 200:
            transient = reason in (
                "ratelimited",
                "internal_error",
                "fatal_error",
                "service_unavailable",
            )
            raise DeliveryFailed(f"Slack answered {reason}", permanent=not transient) from error
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        failure = http_failure(status, str(reason or response.data), None)
        failure.retry_after = retry_after
        raise failure from error
    except (SlackClientError, OSError) as error:  # refused, reset, timed out, DNS
        raise DeliveryFailed(f"Slack could not be reached: {error}") from error
