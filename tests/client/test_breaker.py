"""The incident circuit breaker against a real server: the asset itself, lineage upstream,
and the priority and type filters."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from dataflare.client import (
    DataflareClient,
    IncidentCircuitBreaker,
    IncidentCircuitBreakerConfig,
    InvalidUrn,
)
from tests.client.conftest import TOKEN, LiveServer
from tests.ingest.mcps import dataset, upstreams


@dataclass
class Chain:
    """target <- one_hop <- two_hops <- three_hops (each fed by the next)."""

    target: str
    one_hop: str
    two_hops: str
    three_hops: str


@pytest.fixture
def chain(live: LiveServer) -> Chain:
    tag = uuid.uuid4().hex[:8]
    found = Chain(*(dataset("hive", f"{name}_{tag}") for name in ("t", "h1", "h2", "h3")))
    live.ingest(
        upstreams(found.target, found.one_hop),
        upstreams(found.one_hop, found.two_hops),
        upstreams(found.two_hops, found.three_hops),
    )
    return found


Breaker = Callable[..., IncidentCircuitBreaker]


@pytest.fixture
def breaker(live: LiveServer) -> Iterator[Breaker]:
    """Makes breakers configured as a pipeline would, by host and token; closes them after."""
    made: list[IncidentCircuitBreaker] = []

    def make(**options: Any) -> IncidentCircuitBreaker:
        config = IncidentCircuitBreakerConfig(
            datahub_host=live.url, datahub_token=TOKEN, timeout=10, **options
        )
        made.append(IncidentCircuitBreaker(config))
        return made[-1]

    yield make
    for each in made:
        each.close()


def test_an_active_incident_on_the_asset_opens_the_breaker(
    breaker: Breaker, sdk: DataflareClient, chain: Chain
) -> None:
    assert not breaker().is_circuit_breaker_active(chain.target)

    urn = sdk.raise_incident(chain.target, "FRESHNESS", title="late", priority="LOW")

    assert breaker().is_circuit_breaker_active(chain.target)
    [reason] = breaker().blocking_incidents(chain.target)
    assert (reason.asset_urn, reason.degree, reason.incident.urn) == (chain.target, 0, urn)
    assert reason.describe() == f"{chain.target} (the asset itself): {urn} [FRESHNESS, LOW] late"
    sdk.resolve(urn)
    assert not breaker().is_circuit_breaker_active(chain.target)


def test_upstream_incidents_count_within_the_depth_asked(
    breaker: Breaker, sdk: DataflareClient, chain: Chain
) -> None:
    two = sdk.raise_incident(chain.two_hops, "VOLUME", priority="HIGH")
    three = sdk.raise_incident(chain.three_hops, "SQL", priority="CRITICAL")

    depth = {n: breaker(upstream_depth=n).blocking_incidents(chain.target) for n in range(5)}

    assert depth[0] == depth[1] == []
    assert [(r.asset_urn, r.degree, r.incident.urn) for r in depth[2]] == [(chain.two_hops, 2, two)]
    expected = [(chain.two_hops, 2, two), (chain.three_hops, 3, three)]
    assert [(r.asset_urn, r.degree, r.incident.urn) for r in depth[3]] == expected
    assert [(r.asset_urn, r.degree, r.incident.urn) for r in depth[4]] == expected
    assert breaker(upstream_depth=2).is_circuit_breaker_active(chain.target)
    assert not breaker().is_circuit_breaker_active(chain.one_hop)
    assert breaker(upstream_depth=1).is_circuit_breaker_active(chain.one_hop)


def test_minimum_priority_leaves_less_urgent_incidents_out(
    breaker: Breaker, sdk: DataflareClient, chain: Chain
) -> None:
    sdk.raise_incident(chain.one_hop, "SQL", priority="MEDIUM")
    sdk.raise_incident(chain.one_hop, "SQL")  # no priority
    high = sdk.raise_incident(chain.two_hops, "SQL", priority="HIGH")

    def blocking(min_priority: str | None) -> list[str]:
        found = breaker(upstream_depth=2, min_priority=min_priority)
        return [r.incident.urn for r in found.blocking_incidents(chain.target)]

    assert len(blocking(None)) == 3
    assert len(blocking("MEDIUM")) == 2
    assert blocking("HIGH") == [high]
    assert blocking("CRITICAL") == []


def test_ignored_types_do_not_block(breaker: Breaker, sdk: DataflareClient, chain: Chain) -> None:
    sdk.raise_incident(chain.one_hop, "FRESHNESS")
    sdk.raise_incident(chain.two_hops, "CUSTOM", custom_type="Known flaky source")

    def active(*ignored: str) -> bool:
        found = breaker(upstream_depth=2, ignore_types=ignored)
        return found.is_circuit_breaker_active(chain.target)

    assert active()
    assert active("FRESHNESS")
    assert not active("FRESHNESS", "Known flaky source")
    assert not active("FRESHNESS", "CUSTOM")


def test_many_incidents_on_an_upstream_asset_are_all_reported(
    breaker: Breaker, sdk: DataflareClient, chain: Chain
) -> None:
    """More active incidents than one page holds: the breaker reads them all."""
    raised = {sdk.raise_incident(chain.one_hop, "SQL", title=str(i)) for i in range(105)}

    found = breaker(upstream_depth=1).blocking_incidents(chain.target)

    assert {r.incident.urn for r in found} == raised


def test_bad_configuration_and_urns_are_refused_before_any_request(breaker: Breaker) -> None:
    with pytest.raises(ValueError, match="Invalid min_priority 'URGENT'"):
        IncidentCircuitBreakerConfig(min_priority="URGENT")
    with pytest.raises(ValueError, match="upstream_depth must be 0 or more"):
        IncidentCircuitBreakerConfig(upstream_depth=-1)
    with pytest.raises(InvalidUrn, match="Invalid asset URN 'urn:li:corpuser:jdoe'"):
        breaker().is_circuit_breaker_active("urn:li:corpuser:jdoe")
