"""Scrape a real server's metrics over HTTP and read them with prometheus_client's parser."""

from __future__ import annotations

import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ADMIN_TOKEN

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(url: str, token: str | None = ADMIN_TOKEN) -> Samples:
    """Every sample of the scrape, by name and labels."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.get(url, headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 when the scrape does not hold it (a counter not yet moved)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def label_values(samples: Samples, name: str, label: str) -> set[str]:
    return {dict(key)[label] for sample, key in samples if sample == name and label in dict(key)}


def graphql(base: str, query: str, token: str = ADMIN_TOKEN) -> httpx.Response:
    return httpx.post(
        f"{base}/api/graphql",
        json={"query": query},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def scrape_until(
    url: str,
    done: str,
    expected: float,
    timeout: float = 30.0,
    token: str | None = ADMIN_TOKEN,
    **labels: str,
) -> Samples:
    """Scrape until the sample `done` reaches `expected` (something the server does on its
    own time: a delivery, a worker starting); the deadline only stops a test that would
    otherwise hang, and the caller asserts on what it got."""
    deadline = time.monotonic() + timeout
    while True:
        samples = scrape(url, token)
        if value(samples, done, **labels) >= expected or time.monotonic() > deadline:
            return samples
        time.sleep(0.05)
