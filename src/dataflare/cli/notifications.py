"""The command line for notifications: `dataflare worker` and `dataflare notifications ...`."""

from __future__ import annotations

import signal
from contextlib import AbstractContextManager, nullcontext
from types import FrameType

import click

from dataflare.cli.kit import friendly_errors, plural, write_session
from dataflare.core.clock import format_time, now_ms
from dataflare.core.config import Settings
from dataflare.core.errors import InvalidInput
from dataflare.core.exposure import LISTEN, MetricsExposure, metrics_exposure
from dataflare.notifications import config as notifications
from dataflare.notifications import queue


@click.command()
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option(
    "--metrics",
    "metrics_address",
    metavar="[HOST:]PORT",
    help="Serve this worker's metrics (deliveries, their latency, its connections) to "
    "Prometheus on a port of its own, without a token; HOST defaults to 127.0.0.1.",
)
@friendly_errors
def worker(once: bool, metrics_address: str | None) -> None:
    """Deliver notifications (Slack, webhooks, e-mail) until stopped.

    Any number of workers may run, besides the one inside `dataflare serve`: they share the queue.
    """
    from dataflare.cli.migration import upgrade
    from dataflare.db.database import Database
    from dataflare.notifications.worker import Worker

    metrics = _metrics_address(metrics_address)
    settings = Settings.from_env()
    config = notifications.load(settings.home)
    upgrade(settings.database_url)
    database = Database(settings.database_url)
    running = Worker(database, config)

    def stop(signum: int, _: FrameType | None) -> None:
        running.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if not config.configured:
        click.echo("No notification destination is configured; events are dropped.", err=True)
    click.echo(f"Notification worker {running.name} on {settings.database_url}", err=True)
    try:
        with _serving_metrics(metrics):
            if once:
                while running.run_once():
                    pass
            else:
                running.run()
    finally:
        running.close()
        database.dispose()


def _metrics_address(given: str | None) -> MetricsExposure | None:
    if given is None:
        return None
    try:
        return metrics_exposure(f"{LISTEN}:{given}")
    except InvalidInput:
        raise click.BadParameter(
            f"expected [HOST:]PORT with a port from 1 to 65535, not '{given[:60]}'.",
            param_hint="--metrics",
        ) from None


def _serving_metrics(metrics: MetricsExposure | None) -> AbstractContextManager[None]:
    if metrics is None:
        return nullcontext()
    from dataflare.monitoring.separate_port import worker_metrics_port

    click.echo(f"Metrics on http://{metrics.host}:{metrics.port}/metrics", err=True)
    return worker_metrics_port(metrics.host, metrics.port)


@click.group("notifications")
def notifications_group() -> None:
    """Notifications waiting to be delivered, or given up on."""


@notifications_group.command("list")
@click.option("--dead", is_flag=True, help="Only the deliveries given up on.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10000))
@friendly_errors
def notifications_list(dead: bool, limit: int) -> None:
    """Deliveries not yet made (pending and dead), oldest first."""
    with write_session() as session:
        rows = queue.listing(session, dead, limit)
        unrouted = queue.unrouted(session)
    if unrouted:
        click.echo(f"Events not yet routed by a worker: {unrouted}", err=True)
    if not rows:
        click.echo("No dead deliveries." if dead else "Nothing waiting.", err=True)
        return
    click.echo("ID\tSTATUS\tATTEMPTS\tNEXT ATTEMPT\tDESTINATION\tEVENT\tINCIDENT\tLAST ERROR")
    for row in rows:
        next_attempt = (
            "-" if row.status == "DEAD" else format_time(row.next_attempt_at, seconds=True)
        )
        click.echo(
            f"{row.id}\t{row.status}\t{row.attempts}\t{next_attempt}\t{row.destination}\t"
            f"{row.kind}\t{row.urn}\t{row.last_error or '-'}"
        )


@notifications_group.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-dead", is_flag=True, help="Every dead delivery.")
@friendly_errors
def notifications_retry(ids: tuple[int, ...], all_dead: bool) -> None:
    """Put dead deliveries back in the queue, due now."""
    if bool(ids) == all_dead:
        raise InvalidInput("Give delivery ids, or --all-dead (not both).")
    with write_session() as session:
        count = queue.retry(session, ids, all_dead, now_ms())
    if ids and count < len(ids):
        rest = len(ids) - count
        raise click.ClickException(
            f"{count} of {plural(len(ids), 'delivery', 'deliveries')} queued again; {rest} "
            f"{'is' if rest == 1 else 'are'} unknown or not dead (see `dataflare notifications "
            "list --dead`)."
        )
    click.echo(f"{plural(count, 'delivery', 'deliveries')} queued again.", err=True)
