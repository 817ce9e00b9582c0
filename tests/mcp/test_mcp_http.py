"""MCP over streamable HTTP at /mcp of a real `dataflare serve`, with the MCP SDK's own client:
tools by role, an agent's raise and resolve seen through GraphQL, refusals and bad arguments
answered as tool errors, and no way in without a token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from tests.e2e.server import Server, dataflare_env, serving
from tests.mcp.helpers import (
    ADMIN,
    ASSET,
    CHANGE_TOOLS,
    READ_TOOLS,
    TIMELINE,
    UPSTREAM,
    catalog,
    graphql,
    over_http,
    users_and_tokens,
)


async def _tools(client: Client) -> set[str]:
    return {tool.name for tool in (await client.list_tools()).tools}


async def _call(client: Client, name: str, **arguments: Any) -> Any:
    """The structured result of a call that must succeed."""
    result = await client.call_tool(name, arguments)
    assert not result.is_error, result.content
    assert result.content and result.content[0].type == "text"  # the summary
    return result.structured_content


async def _refused(client: Client, name: str, **arguments: Any) -> str:
    """The message of a call that must be answered as a tool error."""
    result = await client.call_tool(name, arguments)
    assert result.is_error, result.structured_content
    text: str = result.content[0].text  # type: ignore[union-attr]
    return text


def test_each_role_sees_its_tools(server: Server) -> None:
    tokens = users_and_tokens(server.url)

    async def scenario() -> None:
        async with over_http(server.url, tokens.editor) as editor:
            assert await _tools(editor) == READ_TOOLS | CHANGE_TOOLS
            listed = {t.name: t for t in (await editor.list_tools()).tools}
            state = listed["update_incident_status"].input_schema["properties"]["state"]
            assert state["enum"] == ["ACTIVE", "RESOLVED"]
            assert listed["get_asset"].annotations.read_only_hint is True  # type: ignore[union-attr]
        async with over_http(server.url, ADMIN) as admin:
            assert await _tools(admin) == READ_TOOLS | CHANGE_TOOLS
        async with over_http(server.url, tokens.reader) as reader:
            assert await _tools(reader) == READ_TOOLS
            message = await _refused(
                reader, "raise_incident", resource_urn=ASSET, type="SQL", title="x"
            )
            assert "may not do through MCP" in message
            assert "Editor" in message

    anyio.run(scenario)
    assert (
        graphql(
            server.url,
            '{ searchAcrossEntities(input: {types: [INCIDENT], query: "*"}) { total } }',
            {},
        )["searchAcrossEntities"]["total"]
        == 0
    )


def test_an_agent_raises_follows_and_resolves_an_incident(server: Server) -> None:
    tokens = users_and_tokens(server.url)
    catalog(server.url)
    found: dict[str, Any] = {}

    async def scenario() -> None:
        async with over_http(server.url, tokens.editor) as agent:
            raised = await _call(
                agent,
                "raise_incident",
                resource_urn=UPSTREAM,
                type="FRESHNESS",
                title="orders_raw stopped arriving",
                description="No rows since 02:00.",
                priority="HIGH",
                dedup_key="freshness:orders_raw",
            )
            found["urn"] = urn = raised["urn"]
            assert (raised["state"], raised["raised_again"]) == ("ACTIVE", False)

            again = await _call(
                agent,
                "raise_incident",
                resource_urns=[UPSTREAM],
                type="FRESHNESS",
                title="orders_raw stopped arriving",
                dedup_key="freshness:orders_raw",
            )
            assert (again["urn"], again["raised_again"]) == (urn, True)

            asset = await _call(agent, "get_asset", urn=ASSET)
            assert (asset["known"], asset["name"], asset["healthy"]) == (True, "shop.orders", True)
            assert asset["owners"] == ["urn:li:corpuser:eve"]
            assert [(u["urn"], u["hops"]) for u in asset["broken_upstream"]] == [(UPSTREAM, 1)]

            blocked = await _call(agent, "find_broken_upstreams", urn=ASSET)
            assert blocked["blocked"] is True
            assert blocked["blocking"][0]["incident"]["urn"] == urn
            assert blocked["blocking"][0]["hops"] == 1

            unhealthy = await _call(
                agent, "search_assets", query="orders", has_active_incidents=True
            )
            assert [a["urn"] for a in unhealthy["assets"]] == [UPSTREAM]

            listed = await _call(agent, "list_incidents", state="ACTIVE", priority="HIGH")
            assert [i["urn"] for i in listed["incidents"]] == [urn]
            on_asset = await _call(agent, "list_incidents", asset_urn=ASSET)
            assert on_asset["total"] == 0

            resolved = await _call(
                agent, "update_incident_status", urn=urn, state="RESOLVED", message="Backfilled."
            )
            assert resolved["state"] == "RESOLVED"
            detail = await _call(agent, "get_incident", urn=urn)
            assert [(e["kind"], e["via"]) for e in detail["timeline"]] == [
                ("RAISED", "MCP"),
                ("RAISED_AGAIN", "MCP"),
                ("STATE", "MCP"),
            ]

            clear = await _call(agent, "find_broken_upstreams", urn=ASSET, hops=3)
            assert clear["blocked"] is False

    anyio.run(scenario)
    incident = graphql(server.url, TIMELINE, {"urn": found["urn"]})["entity"]
    assert incident["status"]["state"] == "RESOLVED"
    assert incident["entities"] == [{"urn": UPSTREAM}]
    assert [(e["kind"], e["actor"], e["via"]) for e in incident["activity"]] == [
        ("RAISED", "urn:li:corpuser:eve", "MCP"),
        ("RAISED_AGAIN", "urn:li:corpuser:eve", "MCP"),
        ("STATE", "urn:li:corpuser:eve", "MCP"),
    ]
    assert incident["activity"][2]["message"] == "Backfilled."


def test_bad_arguments_are_tool_errors_that_say_what_is_wrong(server: Server) -> None:
    async def scenario() -> None:
        async with over_http(server.url, ADMIN) as agent:
            wrong_state = await _refused(
                agent, "update_incident_status", urn="urn:li:incident:x", state="DONE"
            )
            assert "Invalid argument 'state'" in wrong_state
            assert "'DONE' is not one of ['ACTIVE', 'RESOLVED']" in wrong_state

            not_a_urn = await _refused(agent, "get_asset", urn="shop.orders")
            assert "Invalid argument 'urn'" in not_a_urn

            not_an_asset = await _refused(agent, "get_asset", urn="urn:li:corpuser:eve")
            assert "urn:li:corpuser:eve" in not_an_asset

            missing = await _refused(agent, "get_incident", urn="urn:li:incident:nope")
            assert "urn:li:incident:nope does not exist" in missing

            neither = await _refused(agent, "raise_incident", type="SQL", title="t")
            assert "resource_urn" in neither

            unknown_extra = await _refused(agent, "list_incidents", colour="red")
            assert "'colour' was unexpected" in unknown_extra

            too_many = await _refused(agent, "list_incidents", count=5000)
            assert "Invalid argument 'count'" in too_many

            custom_without_name = await _refused(
                agent, "raise_incident", resource_urn=ASSET, type="CUSTOM", title="t"
            )
            assert "customType is required when type is CUSTOM" in custom_without_name

            unknown = await _refused(agent, "delete_everything")
            assert "Unknown tool 'delete_everything'" in unknown

            never_seen = await _call(
                agent, "get_asset", urn="urn:li:dataset:(urn:li:dataPlatform:x,never,PROD)"
            )
            assert never_seen["known"] is False

    anyio.run(scenario)


def test_a_long_description_is_cut_with_a_note(server: Server) -> None:
    async def scenario() -> None:
        async with over_http(server.url, ADMIN) as agent:
            raised = await _call(
                agent,
                "raise_incident",
                resource_urn=ASSET,
                type="SQL",
                title="t",
                description="x" * 9_000,
            )
            listed = await _call(agent, "list_incidents")
            shown = listed["incidents"][0]["description"]
            assert shown.startswith("x" * 600) and "[truncated: 8400 more characters]" in shown
            detail = await _call(agent, "get_incident", urn=raised["urn"])
            assert "[truncated: 5000 more characters]" in detail["description"]

    anyio.run(scenario)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Cookie": "dataflare_session=whatever"}],
    ids=["no token", "unknown token", "session cookie"],
)
def test_no_way_in_without_a_token(server: Server, headers: dict[str, str]) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {**headers, "Accept": "application/json, text/event-stream"}
    response = httpx.post(f"{server.url}/mcp", json=body, headers=headers, timeout=10)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"] == "unauthorized"


def test_read_only_offers_the_read_tools_to_everyone(database_url: str, tmp_path: Path) -> None:
    env = dataflare_env(
        tmp_path, database_url, DATAFLARE_ADMIN_TOKEN=ADMIN, DATAFLARE_MCP_READ_ONLY="1"
    )

    async def scenario(server: Server) -> None:
        async with over_http(server.url, ADMIN) as admin:
            assert await _tools(admin) == READ_TOOLS
            refused = await _refused(
                admin, "raise_incident", resource_urn=ASSET, type="SQL", title="t"
            )
            assert "DATAFLARE_MCP_READ_ONLY" in refused

    with serving(env) as server:
        anyio.run(scenario, server)


def test_hostile_requests_get_clear_refusals(server: Server) -> None:
    headers = {
        "Authorization": f"Bearer {ADMIN}",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
    }
    huge = b'{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":"' + b"a" * 2_000_000
    answers = {
        name: httpx.post(f"{server.url}/mcp", content=body, headers=headers, timeout=30)
        for name, body in (
            ("huge", huge + b'"}}'),
            ("malformed", b'{"jsonrpc": '),
            ("deep", b"[" * 10_000 + b"]" * 10_000),
        )
    }
    stream = httpx.get(f"{server.url}/mcp", headers=headers, timeout=10)

    assert answers["huge"].status_code == 413
    assert answers["malformed"].status_code == 400
    assert answers["malformed"].json()["error"]["message"].startswith("Parse error")
    assert answers["deep"].status_code == 400
    assert stream.status_code == 405  # no server-sent event stream is offered
