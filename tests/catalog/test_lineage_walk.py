"""The lineage walk in SQL: shortest distances through cycles and diamonds, the hop and result
caps, and a graph wider than a statement takes parameters, joined by a search."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from dataflare.catalog import lineage
from dataflare.catalog.models import Asset, LineageEdge
from dataflare.catalog.search import search
from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_LINEAGE_HOPS, MAX_LINEAGE_RESULTS
from dataflare.db.database import Database

SQLITE_MAX_PARAMETERS = 32_766


def urn(name: str) -> str:
    return f"urn:li:dataset:(urn:li:dataPlatform:hive,{name},PROD)"


def add_graph(session: Session, names: Iterable[str], edges: Iterable[tuple[str, str]]) -> None:
    """Assets and (upstream, downstream) edges, written in bulk."""
    session.execute(
        insert(Asset),
        [
            {"urn": urn(n), "kind": "dataset", "platform": "hive", "name": n, "created_at": 0}
            for n in names
        ],
    )
    ids = {name: i for name, i in session.execute(select(Asset.name, Asset.id))}
    session.execute(
        insert(LineageEdge),
        [
            {
                "upstream_id": ids[u],
                "downstream_id": ids[d],
                "origin_id": ids[d],
                "origin_aspect": "x",
            }
            for u, d in edges
        ],
    )


def by_name(session: Session, degrees: dict[int, int]) -> dict[str, int]:
    names = {i: name for i, name in session.execute(select(Asset.id, Asset.name))}
    return {names[i]: d for i, d in degrees.items()}


def test_a_cycle_is_walked_once_and_each_asset_found_at_its_shortest_distance(
    db: Database,
) -> None:
    # a -> b -> c -> d -> b (a cycle back), and a -> d (a shortcut)
    with db.session(write=True) as session:
        add_graph(session, "abcd", [("a", "b"), ("b", "c"), ("c", "d"), ("d", "b"), ("a", "d")])

        down = by_name(session, lineage.walk(session, urn("a"), lineage.DOWNSTREAM))
        up = by_name(session, lineage.walk(session, urn("b"), lineage.UPSTREAM))

    assert down == {"b": 1, "d": 1, "c": 2}
    assert up == {"a": 1, "d": 1, "c": 2}  # b itself, found again round the cycle, left out


def test_a_diamond_finds_the_shared_asset_once(db: Database) -> None:
    with db.session(write=True) as session:
        add_graph(session, "abcde", [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e")])

        down = by_name(session, lineage.walk(session, urn("a"), lineage.DOWNSTREAM))

    assert down == {"b": 1, "c": 1, "d": 2, "e": 3}


def test_the_hop_cap_is_set_per_walk(db: Database) -> None:
    chain = [f"n{i:02d}" for i in range(MAX_LINEAGE_HOPS + 5)]
    with db.session(write=True) as session:
        add_graph(session, chain, pairwise(chain))

        two = lineage.walk(session, urn("n00"), lineage.DOWNSTREAM, max_hops=2)
        default = lineage.walk(session, urn("n00"), lineage.DOWNSTREAM)

    assert sorted(two.values()) == [1, 2]
    assert sorted(default.values()) == list(range(1, MAX_LINEAGE_HOPS + 1))


@pytest.mark.parametrize("hops", [0, -1, MAX_LINEAGE_HOPS + 1])
def test_a_hop_cap_out_of_range_is_refused_with_the_range(hops: int) -> None:
    with pytest.raises(InvalidInput, match=f"between 1 and {MAX_LINEAGE_HOPS}"):
        lineage.reachable(lineage.asset_by_urn(urn("a")), lineage.DOWNSTREAM, hops)


def test_the_result_cap_keeps_the_nearest_assets(db: Database) -> None:
    # root feeds w0..w4 (1 hop); w0 feeds x0..x4 (2 hops)
    wide = [f"w{i}" for i in range(5)]
    far = [f"x{i}" for i in range(5)]
    with db.session(write=True) as session:
        add_graph(
            session,
            ["root", *wide, *far],
            [*(("root", w) for w in wide), *(("w0", x) for x in far)],
        )
        root = lineage.asset_by_urn(urn("root"))

        six = session.execute(select(lineage.reachable(root, lineage.DOWNSTREAM, max_results=6)))
        found = by_name(session, {i: d for i, d in six})

    assert len(found) == 6
    assert {n for n, d in found.items() if d == 1} == set(wide)  # every 1-hop asset kept
    assert list(found.values()).count(2) == 1


def test_a_walk_wider_than_the_parameter_limit_is_joined_by_a_search(db: Database) -> None:
    width = SQLITE_MAX_PARAMETERS + 1_000
    leaves = [f"leaf{i:05d}" for i in range(width)]
    with db.session(write=True) as session:
        add_graph(session, ["root", *leaves], (("root", leaf) for leaf in leaves))
        root = lineage.asset_by_urn(urn("root"))

        capped = search(session, "*", within=lineage.by_degrees(urn("root"), "DOWNSTREAM", set()))
        everything = search(
            session,
            "leaf0000",
            count=3,
            within=lineage.reachable(root, lineage.DOWNSTREAM, max_results=width),
        )
        total = search(
            session, "*", within=lineage.reachable(root, lineage.DOWNSTREAM, max_results=width)
        ).total

    assert capped.total == MAX_LINEAGE_RESULTS
    assert total == width
    assert [a.name for a in everything.assets] == ["leaf00000", "leaf00001", "leaf00002"]
    assert set(everything.degrees.values()) == {1}
