"""MCP over stdio: `dataflare mcp --url --token` started by the MCP SDK's own client, talking
to a real server over HTTP. The same tools, roles and timeline marks as over /mcp."""

from __future__ import annotations

import re
from pathlib import Path

import anyio
import pytest
from mcp.shared.exceptions import MCPError

from tests.e2e.server import Server, free_port
from tests.mcp.helpers import (
    ADMIN,
    ASSET,
    CHANGE_TOOLS,
    READ_TOOLS,
    TIMELINE,
    catalog,
    graphql,
    over_stdio,
    users_and_tokens,
)


def test_an_editor_raises_and_resolves_over_stdio(server: Server) -> None:
    tokens = users_and_tokens(server.url)
    catalog(server.url)
    raised: dict[str, str] = {}

    async def scenario() -> None:
        async with over_stdio(server.url, tokens.editor) as agent:
            listed = {tool.name for tool in (await agent.list_tools()).tools}
            assert listed == READ_TOOLS | CHANGE_TOOLS

            result = await agent.call_tool(
                "raise_incident",
                {"resource_urn": ASSET, "type": "VOLUME", "title": "Half the orders are missing"},
            )
            assert not result.is_error, result.content
            assert isinstance(result.structured_content, dict)
            raised["urn"] = urn = result.structured_content["urn"]

            found = await agent.call_tool("list_incidents", {"asset_urn": ASSET})
            assert found.structured_content["incidents"][0]["urn"] == urn

            bad = await agent.call_tool("update_incident_status", {"urn": urn, "state": "DONE"})
            assert bad.is_error
            assert "'DONE' is not one of" in bad.content[0].text  # type: ignore[union-attr]

            done = await agent.call_tool(
                "update_incident_status", {"urn": urn, "state": "RESOLVED", "message": "Reloaded."}
            )
            assert not done.is_error, done.content

    anyio.run(scenario)
    incident = graphql(server.url, TIMELINE, {"urn": raised["urn"]})["entity"]
    assert incident["status"]["state"] == "RESOLVED"
    assert [(e["kind"], e["actor"], e["via"]) for e in incident["activity"]] == [
        ("RAISED", "urn:li:corpuser:eve", "MCP"),
        ("STATE", "urn:li:corpuser:eve", "MCP"),
    ]


def test_a_reader_and_read_only_get_the_read_tools_only(server: Server) -> None:
    tokens = users_and_tokens(server.url)

    async def scenario() -> None:
        async with over_stdio(server.url, tokens.reader) as reader:
            assert {t.name for t in (await reader.list_tools()).tools} == READ_TOOLS
            refused = await reader.call_tool(
                "raise_incident", {"resource_urn": ASSET, "type": "SQL", "title": "t"}
            )
            assert refused.is_error
            assert "may not do through MCP" in refused.content[0].text  # type: ignore[union-attr]
            searched = await reader.call_tool("search_assets", {"query": "*"})
            assert not searched.is_error, searched.content
        async with over_stdio(server.url, ADMIN, "--read-only") as admin:
            assert {t.name for t in (await admin.list_tools()).tools} == READ_TOOLS

    anyio.run(scenario)


def test_a_bad_token_or_address_is_named_plainly(server: Server, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with over_stdio(server.url, "not-a-token") as agent:
            with pytest.raises(MCPError, match="Invalid access token"):
                await agent.list_tools()
            result = await agent.call_tool("search_assets", {"query": "*"})
            assert result.is_error
            assert "Invalid access token" in result.content[0].text  # type: ignore[union-attr]
        nowhere = f"http://127.0.0.1:{free_port()}"
        async with over_stdio(nowhere, ADMIN, "--timeout", "2") as agent:
            with pytest.raises(MCPError, match=re.escape(f"Cannot reach Dataflare at {nowhere}")):
                await agent.list_tools()

    anyio.run(scenario)
