"""The delivery worker: claims due deliveries, sends them, records the outcome, and retries
failures with exponential backoff and jitter until they succeed or are declared dead."""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from contextlib import nullcontext

from sqlalchemy.orm import Session

from dataflare.core.clock import now_ms
from dataflare.db.database import Database
from dataflare.notifications import mail, metrics, outcomes, queue, routing, webhooks
from dataflare.notifications.audience import (
    Audience,
    from_json,
    gather,
    gather_many,
    incident_link,
    to_json,
)
from dataflare.notifications.config import EMAIL_DESTINATION, NotificationConfig
from dataflare.notifications.failures import DeliveryFailed
from dataflare.notifications.message import Notice
from dataflare.notifications.slack import SlackSender

log = logging.getLogger("dataflare.notifications")

KEEP_DELIVERED_MS = 7 * 24 * 3600 * 1000  # delivered notifications are forgotten after a week
PRUNE_EVERY_MS = 3600 * 1000


class Worker:
    def __init__(self, database: Database, config: NotificationConfig) -> None:
        self.database = database
        self.config = config
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stopping = threading.Event()
        timeout = config.delivery.timeout_seconds
        self.slack = SlackSender(config.slack, database, timeout) if config.slack else None
        self._webhooks = {w.destination: w for w in config.webhooks}
        self.webhook_sender = webhooks.WebhookSender(timeout)
        self.outcomes = outcomes.OutcomeWriter(database)
        self._pruned_at = 0
        self._busy = False  # the last round claimed a full batch: more is likely waiting

    def run(self) -> None:
        """Deliver until stopped; an idle worker looks for work every `poll_seconds`."""
        poll = self.config.delivery.poll_seconds
        failures = 0
        try:
            while not self.stopping.is_set():
                try:
                    busy = self.run_once()
                    failures = 0
                except Exception:  # the database away, for instance: log it and try again
                    failures += 1
                    log.exception("notification worker %s failed; retrying", self.name)
                    busy = False
                if not busy:
                    self.stopping.wait(min(poll * 2**failures, 60.0))
        finally:
            self.close()

    def close(self) -> None:
        """Close the webhook connections kept open between deliveries."""
        self.webhook_sender.close()

    def run_once(self) -> int:
        """One round: fan out new events, claim due deliveries, send them. Returns how many
        deliveries it claimed (0: nothing to do now)."""
        now = now_ms()
        if not self._busy and not self._work_waiting(now):
            self._prune(now)
            return 0
        delivery = self.config.delivery
        with self.database.session(write=True) as session:
            queue.fan_out(session, lambda events: self.route(session, events), now)
            claimed = queue.claim(
                session, self.name, now, int(delivery.lease_seconds * 1000), delivery.batch
            )
        self._busy = len(claimed) == delivery.batch
        # Stop short of the lease's end: past it, another worker may take the same deliveries.
        last_start = now + int((delivery.lease_seconds - delivery.timeout_seconds) * 1000)
        with self.outcomes.kept() if claimed else nullcontext():
            for item in claimed:
                if self.stopping.is_set() or now_ms() > last_start:
                    break  # the rest stay leased, and are taken again when the lease ends
                self.deliver(item)
        return len(claimed)

    def route(
        self, session: Session, events: list[queue.Event]
    ) -> list[tuple[list[str], str | None]]:
        """Each event's destinations, and its audience (kept with the event): the owners,
        downstream owners and routing of a whole batch of events, read at once."""
        config = self.config
        audiences = gather_many(
            session,
            [(event.incident["assets"], event.actor) for event in events],
            config.downstream_depth,
            config.public_url,
        )
        return [
            (routing.destinations(config, event, audience), to_json(audience))
            for event, audience in zip(events, audiences, strict=True)
        ]

    def audience(self, event: queue.Event) -> Audience:
        if event.audience is not None:
            return from_json(event.audience)
        # Routed before events kept their audience (an upgrade in between): read it now.
        with self.database.session() as session:
            return gather(
                session,
                event.incident["assets"],
                event.actor,
                self.config.downstream_depth,
                self.config.public_url,
            )

    def deliver(self, item: queue.Claimed) -> None:
        try:
            audience = self.audience(item.event)
            link = incident_link(self.config.public_url, item.event.incident["urn"])
            self._send(item.destination, Notice(item.event, audience, link))
        except DeliveryFailed as failure:
            self._failed(item, failure)
        except Exception as error:  # a bug of ours must not stop the other deliveries
            log.exception("delivery %s to %s failed unexpectedly", item.id, item.destination)
            self._failed(item, DeliveryFailed(f"internal error: {type(error).__name__}"))
        else:
            now = now_ms()
            if self.outcomes.record(outcomes.delivered(item, now)):
                metrics.delivered(item.event.at, now)
            else:
                self._stale(item, "delivered")

    def _stale(self, item: queue.Claimed, outcome: str) -> None:
        log.warning(
            "delivery %s to %s %s after its lease ended; another worker has it now, so this "
            "outcome is ignored",
            item.id,
            item.destination,
            outcome,
        )

    def _send(self, destination: str, notice: Notice) -> None:
        timeout = self.config.delivery.timeout_seconds
        if destination.startswith("slack:"):
            if not self.slack:
                raise DeliveryFailed("Slack is no longer configured", permanent=True)
            self.slack.send(destination, notice)
        elif destination in self._webhooks:
            self.webhook_sender.send(self._webhooks[destination], notice)
        elif destination == EMAIL_DESTINATION and self.config.email is not None:
            mail.send(self.config.email, notice, timeout)
        else:
            raise DeliveryFailed(f"{destination} is no longer configured", permanent=True)

    def _failed(self, item: queue.Claimed, failure: DeliveryFailed) -> None:
        attempts = item.attempts + 1
        now = now_ms()
        retry_at = None
        if not failure.permanent and attempts < self.config.delivery.max_attempts:
            retry_at = now + int(self.backoff_seconds(attempts, failure.retry_after) * 1000)
        log.warning(
            "delivery %s to %s failed (attempt %s): %s%s",
            item.id,
            item.destination,
            attempts,
            failure.message,
            "" if retry_at else "; giving up",
        )
        if self.outcomes.record(outcomes.failed(item, failure.message, retry_at, now)):
            metrics.failed(retrying=retry_at is not None)
        else:
            self._stale(item, "failed")

    def backoff_seconds(self, attempts: int, retry_after: float | None) -> float:
        """Doubling from `backoff_seconds`, capped, with jitter (half to all of it) so that
        many failed deliveries do not come back at once; never sooner than Retry-After."""
        delivery = self.config.delivery
        delay = min(delivery.max_backoff_seconds, delivery.backoff_seconds * 2 ** (attempts - 1))
        delay = random.uniform(delay / 2, delay)
        return max(delay, retry_after or 0.0)

    def _work_waiting(self, now: int) -> bool:
        """A read, so that an idle worker never takes SQLite's write lock (deliveries held
        behind a dead one are not work)."""
        with self.database.session() as session:
            return queue.work_waiting(session, now)

    def _prune(self, now: int) -> None:
        if now - self._pruned_at < PRUNE_EVERY_MS:
            return
        self._pruned_at = now
        with self.database.session(write=True) as session:
            queue.prune(session, now - KEEP_DELIVERED_MS)


class BackgroundWorker:
    """A worker on a daemon thread, for `dataflare serve`."""

    def __init__(self, database: Database, config: NotificationConfig) -> None:
        self.worker = Worker(database, config)
        self.thread = threading.Thread(
            target=self.worker.run, name="dataflare-notifications", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self.worker.stopping.set()
        self.thread.join(timeout)
